"""Settings: the one place that reads the environment.

Every setting can be given as an environment variable with the prefix
``GRAPH_ENGINE_`` (``GRAPH_ENGINE_STORE_URL=sqlite:///crm.db``) or in a ``.env`` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
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
    max_row_bytes : int
        Rows longer than this are rejected.
    quarantine_dir : Path or None
        Where rejected rows go; default ``<database dir>/quarantine``.
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
    max_row_bytes: int = Field(default=65_536, ge=256)
    quarantine_dir: Path | None = None

    @field_validator("merge_kinds", "exclusive_kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        unknown = [k for k in kinds if k not in IDENTITY_KINDS]
        if unknown:
            raise ValueError(
                f"unknown identity kind(s) {unknown}; known: {', '.join(IDENTITY_KINDS)}"
            )
        return kinds

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
