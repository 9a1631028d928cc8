"""Settings: the one place that reads the environment.

Every setting can be given as an environment variable with the prefix
``GRAPH_ENGINE_`` (``GRAPH_ENGINE_STORE_URL=sqlite:///crm.db``) or in a ``.env`` file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_engine.errors import ConfigError

__all__ = ["IDENTITY_KINDS", "Settings", "get_settings"]

#: Identity kinds a customer reference may use (DESIGN §4).
IDENTITY_KINDS: tuple[str, ...] = (
    "wechat_openid",
    "wechat_unionid",
    "weibo",
    "qq",
    "phone",
    "email",
    "external",
)

#: Weight settings: field -> (name in messages, known keys).
_WEIGHTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "value_weights": ("value", ("revenue", "participation", "influence")),
    "participation_weights": ("participation", ("engagement", "share", "referral")),
}


class Settings(BaseSettings):
    """graph_engine configuration.

    Attributes
    ----------
    environment : {"development", "production"}
        Production refuses unsafe defaults (no explicit identity salt).
    store_url : str
        ``sqlite:///path.db`` (embedded default) or ``neo4j://host:7687``.
    identity_salt : SecretStr or None
        Salt for hashing phone numbers and e-mail addresses. When unset (development
        only) each database creates a random salt of its own at creation and keeps it.
    merge_kinds : list of str
        Identity kinds trusted to merge two persons through an ``identity_link``.
    exclusive_kinds : list of str
        Kinds a person holds at most one of: a link that would give a person two
        different keys of such a kind is refused (two WeChat UnionIDs are two people).
    ingest_batch_size : int
        Events per atomic batch.
    ingest_bulk_batch_size : int
        Rows per atomic batch of a bulk edge list (read as columns, written sorted).
    max_row_bytes : int
        Rows longer than this are rejected.
    quarantine_dir : Path or None
        Where rejected rows go; default ``<database dir>/quarantine``.
    value_weights : dict
        Weights of ``revenue``, ``participation``, ``influence`` in social value.
    participation_weights : dict
        Weight of one ``engagement``, one shared piece of ``share`` content, one
        ``referral`` made, in participation.
    recency_half_life_days : float
        Participation (and revenue, with ``revenue_recency``) decays with this half-life.
    revenue_recency : bool
        Weight orders by recency too (default: plain totals).
    influence_window_days : int or None
        Share and referral evidence of the last N days feeds learned probabilities
        (None: all time).
    currency : str
        The base currency (ISO 4217) social value and revenue are reported in.
    currency_rates : dict
        Units of the base currency per unit of another currency, e.g.
        ``{"USD": 7.1, "HKD": 0.91}``; orders in a currency without a rate make
        ``compute`` fail with a message naming it.
    tier_rules_file : Path or None
        TOML file with tier thresholds (see :mod:`graph_engine.scoring.tiers`).
    keep_runs : int
        Complete runs kept (scores history); older ones are deleted at publish.
    compute_seed : int
        Seed of every randomised stage of ``compute`` (Leiden, RR sets).
    leiden_resolution : float
        Resolution (gamma) of community detection.
    reach_rr_sets : int or None
        RR sets for everyone's expected reach (default ``max(100,000, 2 n)``).
    compute_engine : {"auto", "gds", "python"}
        Where ``compute`` runs influence and communities: Neo4j Graph Data Science on
        the store's server (``gds``), this process (``python``), or GDS when the store is
        Neo4j with GDS installed (``auto``). See :mod:`graph_engine.engines`.
    gds_concurrency : int
        Threads GDS may use for PageRank (Leiden runs single-threaded, reproducibly).
    api_max_body_bytes, api_max_batch_ids, api_max_events, api_max_seeds, api_max_k,
    api_min_epsilon, api_seed_time_budget_s, api_rate_limit_per_minute, api_max_page : limits
        Bounds on heavy API requests (see ``api/``).
    api_key_cache_seconds : float
        Verified API keys are remembered this long (revocation delay).
    neo4j_user : str
        User of the Neo4j store (``neo4j://``, ``neo4j+s://``, ``bolt://`` store URLs).
    neo4j_password : SecretStr or None
        Its password; or ``neo4j_password_file`` (a Docker / Kubernetes secret file).
    neo4j_password_file : Path or None
        File whose first line is the password (used when ``neo4j_password`` is unset).
    neo4j_database : str or None
        Database name (None: the server's default database).
    neo4j_trusted_ca_file : Path or None
        PEM file of the CA that signed the server's certificate, for ``neo4j://`` /
        ``bolt://`` URLs with TLS (``neo4j+s://`` trusts the system CAs).
    neo4j_encrypted : bool
        Use TLS with a plain ``neo4j://`` / ``bolt://`` URL.
    neo4j_write_batch_size : int
        Rows per ``UNWIND`` statement and per write-back / purge transaction.
    neo4j_read_page_size : int
        Rows (or customers) per read page when streaming the graph out.
    neo4j_read_concurrency : int
        Pages read at once (each its own read transaction) when streaming the graph out.
    neo4j_max_retry_seconds : float
        How long the driver retries a transaction that failed transiently.
    """

    model_config = SettingsConfigDict(
        env_prefix="GRAPH_ENGINE_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "production"] = "development"
    store_url: str = "sqlite:///./graph_engine.db"
    identity_salt: SecretStr | None = None
    merge_kinds: list[str] = Field(default_factory=lambda: ["wechat_unionid", "phone", "external"])
    exclusive_kinds: list[str] = Field(default_factory=lambda: ["wechat_unionid"])
    ingest_batch_size: int = Field(default=50_000, ge=1, le=1_000_000)
    ingest_bulk_batch_size: int = Field(default=1_000_000, ge=1, le=10_000_000)
    max_row_bytes: int = Field(default=65_536, ge=256)
    quarantine_dir: Path | None = None
    value_weights: dict[str, float] = Field(
        default_factory=lambda: {"revenue": 1.0, "participation": 1.0, "influence": 1.0}
    )
    participation_weights: dict[str, float] = Field(
        default_factory=lambda: {"engagement": 1.0, "share": 1.0, "referral": 2.0}
    )
    recency_half_life_days: float = Field(default=90.0, gt=0)
    revenue_recency: bool = False
    influence_window_days: int | None = Field(default=None, ge=1)
    tier_rules_file: Path | None = None
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    currency_rates: dict[str, float] = Field(default_factory=dict)
    keep_runs: int = Field(default=10, ge=1)
    compute_seed: int = 42
    leiden_resolution: float = Field(default=1.0, gt=0)
    reach_rr_sets: int | None = Field(default=None, ge=1000)
    compute_engine: Literal["auto", "gds", "python"] = "auto"
    gds_concurrency: int = Field(default=4, ge=1)
    api_max_body_bytes: int = Field(default=10_000_000, ge=1024)
    api_max_batch_ids: int = Field(default=10_000, ge=1)
    api_max_events: int = Field(default=10_000, ge=1)
    api_max_seeds: int = Field(default=1_000, ge=1)
    api_max_k: int = Field(default=500, ge=1)
    api_min_epsilon: float = Field(default=0.05, gt=0, lt=0.632)
    api_seed_time_budget_s: float = Field(default=30.0, gt=0)
    api_rate_limit_per_minute: int = Field(default=6_000, ge=1)
    api_max_page: int = Field(default=1_000, ge=1)
    api_key_cache_seconds: float = Field(default=5.0, ge=0)
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_password_file: Path | None = None
    neo4j_database: str | None = None
    neo4j_trusted_ca_file: Path | None = None
    neo4j_encrypted: bool = False
    neo4j_write_batch_size: int = Field(default=10_000, ge=1, le=1_000_000)
    neo4j_read_page_size: int = Field(default=10_000, ge=1, le=1_000_000)
    neo4j_read_concurrency: int = Field(default=2, ge=1, le=64)
    neo4j_max_retry_seconds: float = Field(default=30.0, ge=0)

    @field_validator("merge_kinds", "exclusive_kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        unknown = [k for k in kinds if k not in IDENTITY_KINDS]
        if unknown:
            raise ValueError(
                f"unknown identity kind(s) {unknown}; known: {', '.join(IDENTITY_KINDS)}"
            )
        return kinds

    @field_validator("value_weights", "participation_weights")
    @classmethod
    def _weights(cls, weights: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        what, known = _WEIGHTS[info.field_name or ""]
        unknown = set(weights) - set(known)
        if unknown:
            raise ValueError(
                f"unknown {what} weight(s) {sorted(unknown)}; known: {', '.join(known)}"
            )
        if any(w < 0 for w in weights.values()):
            raise ValueError(f"{what} weights must be >= 0, got {weights}")
        if what == "value" and not any(w > 0 for w in weights.values()):
            raise ValueError(f"value weights must be >= 0 with one > 0, got {weights}")
        return weights

    @field_validator("currency_rates")
    @classmethod
    def _rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for code, rate in rates.items():
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(f"currency rate {code!r}: not an ISO 4217 code (e.g. USD)")
            if not rate > 0:
                raise ValueError(f"currency rate {code} = {rate!r}: must be > 0")
        return rates

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.identity_salt is None:
            raise ConfigError(
                "GRAPH_ENGINE_IDENTITY_SALT must be set in production "
                "(phone numbers and e-mails are stored only as salted hashes)"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
