"""The GraphStore protocol: the only way the rest of graph_engine reaches a store.

Two implementations share it: :class:`~graph_engine.store.sqlite.SQLiteStore`
(embedded default) and the Neo4j store. Ingest resolves identities in memory
(:mod:`graph_engine.identity`) and hands the store one :class:`ResolvedBatch` at a
time, which the store applies atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

import numpy as np

from graph_engine.identity import IdentityState, Merge, NewCustomer
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store.gds import GdsClient

__all__ = [
    "RELATIONSHIP_TYPES",
    "ROLES",
    "SCORE_FIELDS",
    "ApiKey",
    "AppliedBatch",
    "CampaignEvents",
    "CustomerFeatures",
    "CustomerRecord",
    "EdgeColumns",
    "FollowRow",
    "GraphStore",
    "IngestRecord",
    "Link",
    "MergeRecord",
    "ProfileRow",
    "ResolvedBatch",
    "RunRecord",
    "ScoreColumns",
    "ScoreRecord",
    "StoreStats",
    "detail_leaves",
]

RelationshipType = Literal["FOLLOWS", "SHARED_TO", "REFERRED"]
RELATIONSHIP_TYPES: tuple[RelationshipType, ...] = ("FOLLOWS", "SHARED_TO", "REFERRED")


class FollowRow(NamedTuple):
    """A follow (``active``) or unfollow (not ``active``) between two customers."""

    follower: int
    followee: int
    active: bool
    at: str
    channel: str | None


class Link(NamedTuple):
    """Current relationships of one type from ``source`` to ``target``; ``weight`` counts
    them: 1 for an active follow, share events for ``SHARED_TO``, campaigns for
    ``REFERRED``."""

    source: str
    target: str
    type: RelationshipType
    weight: int


@dataclass(frozen=True)
class CampaignEvents:
    """What a campaign's tagged events say, with current canonical ids, oldest first.

    ``shares``: ``(sharer, viewer, action, at)``; ``orders``: ``(customer, amount,
    currency, at)``. Referrals come from :meth:`GraphStore.referral_rows`.
    """

    campaign_id: str
    shares: tuple[tuple[str, str, str, datetime], ...]
    orders: tuple[tuple[str, float, str, datetime], ...]


class IngestRecord(NamedTuple):
    """One ingest run's report as kept by :meth:`GraphStore.record_ingest`."""

    finished_at: str
    report: dict[str, Any]


class ProfileRow(NamedTuple):
    """Customer profile fields from a ``customer`` event (None: not given)."""

    customer: int
    at: str
    name: str | None
    is_employee: bool | None
    employee_of: str | None
    external_followers: dict[str, int] | None
    tags: list[str] | None
    region: str | None


@dataclass(frozen=True)
class EdgeColumns:
    """Resolved two-ended events that differ only in their ends and event ids.

    What a bulk edge list resolves into: one column per end instead of one tuple per
    event, so a store can sort and stage them (see :meth:`GraphStore.apply`).

    Attributes
    ----------
    type : {"follow", "share", "referral"}
    at : str
        The events' time, as stored.
    event_ids : list of str
    a, b : ndarray of int64
        Customer pks of the first and second end (follower, followee; sharer,
        viewer; referrer, referee).
    attributes : tuple
        The other fields, as in :class:`ResolvedBatch`'s tuples: follow
        ``(active, channel)``; share ``(content_id, action, channel, campaign_id)``;
        referral ``(campaign_id, converted, order_id, reward)``.
    """

    type: Literal["follow", "share", "referral"]
    at: str
    event_ids: list[str]
    a: np.ndarray
    b: np.ndarray
    attributes: tuple[Any, ...]

    def follows(self) -> list[FollowRow]:
        """The follows as rows (empty unless ``type`` is ``follow``)."""
        if self.type != "follow":
            return []
        active, channel = self.attributes
        at = self.at
        a, b = self.pairs()
        return [FollowRow(x, y, active, at, channel) for x, y in zip(a, b, strict=True)]

    def shares(self) -> list[tuple[str, int, int, str, str, str, str | None, str | None]]:
        """The shares as :attr:`ResolvedBatch.shares` rows."""
        if self.type != "share":
            return []
        content_id, action, channel, campaign_id = self.attributes
        a, b = self.pairs()
        return [
            (e, x, y, content_id, action, self.at, channel, campaign_id)
            for e, x, y in zip(self.event_ids, a, b, strict=True)
        ]

    def referrals(
        self,
    ) -> list[tuple[str, int, int, str | None, bool, str | None, float | None, str]]:
        """The referrals as :attr:`ResolvedBatch.referrals` rows."""
        if self.type != "referral":
            return []
        campaign_id, converted, order_id, reward = self.attributes
        a, b = self.pairs()
        return [
            (e, x, y, campaign_id, converted, order_id, reward, self.at)
            for e, x, y in zip(self.event_ids, a, b, strict=True)
        ]

    def pairs(self) -> tuple[list[int], list[int]]:
        """The two ends as lists of Python ints."""
        return self.a.tolist(), self.b.tolist()


@dataclass
class ResolvedBatch:
    """Events whose references are resolved to customer pks, ready to apply at once.

    Tuples are in the column order of the store's tables (see each field).
    """

    #: (event_id, type, at)
    event_log: list[tuple[str, str, str]] = field(default_factory=list)
    new_customers: list[NewCustomer] = field(default_factory=list)
    #: (identity key, customer pk)
    new_keys: list[tuple[str, int]] = field(default_factory=list)
    profiles: list[ProfileRow] = field(default_factory=list)
    follows: list[FollowRow] = field(default_factory=list)
    #: (event_id, sharer, viewer, content_id, action, at, channel, campaign_id)
    shares: list[tuple[str, int, int, str, str, str, str | None, str | None]] = field(
        default_factory=list
    )
    #: (event_id, referrer, referee, campaign_id, converted, order_id, reward, at)
    referrals: list[tuple[str, int, int, str | None, bool, str | None, float | None, str]] = field(
        default_factory=list
    )
    #: (order_id, event_id, customer, amount, currency, campaign_id, at)
    orders: list[tuple[str, str, int, float, str, str | None, str]] = field(default_factory=list)
    #: (event_id, customer, kind, content_id, at)
    engagements: list[tuple[str, int, str, str | None, str]] = field(default_factory=list)
    #: customer pk -> (earliest, latest) event time seen in this batch
    activity: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: merges in the order they happened, with the link's event id and time
    merges: list[tuple[Merge, str, str]] = field(default_factory=list)
    #: bulk edges (their event ids are not in ``event_log``), applied after the rows
    edges: list[EdgeColumns] = field(default_factory=list)

    @property
    def events(self) -> int:
        """Events in the batch, rows and bulk edges together."""
        return len(self.event_log) + sum(len(e.event_ids) for e in self.edges)

    def expanded(self) -> ResolvedBatch:
        """The same batch with its bulk edges as rows (for stores without a bulk path)."""
        if not self.edges:
            return self
        out = replace(
            self,
            event_log=list(self.event_log),
            follows=list(self.follows),
            shares=list(self.shares),
            referrals=list(self.referrals),
            edges=[],
        )
        for edges in self.edges:
            out.event_log.extend((e, edges.type, edges.at) for e in edges.event_ids)
            out.follows.extend(edges.follows())
            out.shares.extend(edges.shares())
            out.referrals.extend(edges.referrals())
        return out

    def touch(self, pk: int, at: str) -> None:
        """Record that customer ``pk`` was active at ``at``."""
        seen = self.activity.get(pk)
        if seen is None:
            self.activity[pk] = (at, at)
        elif at < seen[0]:
            self.activity[pk] = (at, seen[1])
        elif at > seen[1]:
            self.activity[pk] = (seen[0], at)


@dataclass(frozen=True, slots=True)
class AppliedBatch:
    """What applying a batch did beyond the obvious."""

    duplicate_orders: tuple[str, ...]
    self_loops_dropped: int


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts of what the store holds (current state, merged persons excluded)."""

    customers: int
    identities: int
    merges: int
    edges: dict[str, int]
    orders: int
    engagements: int
    events: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the CLI's ``stats --json``)."""
        return {
            "customers": self.customers,
            "identities": self.identities,
            "merges": self.merges,
            "edges": dict(self.edges),
            "orders": self.orders,
            "engagements": self.engagements,
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer as stored (identity keys of phone/e-mail are hashes)."""

    id: str
    name: str | None
    is_employee: bool
    employee_of: str | None
    external_followers: dict[str, int]
    tags: tuple[str, ...]
    region: str | None
    revenue_total: float
    order_count: int
    first_seen: str | None
    last_active: str | None
    identities: tuple[str, ...]
    merged_ids: tuple[str, ...]
    follows: int
    followers: int


@dataclass(frozen=True, slots=True)
class MergeRecord:
    """One entry of the merge log: who was merged into whom, why, when."""

    survivor_id: str
    merged_id: str
    reason: str
    evidence: tuple[str, ...]
    event_id: str
    at: str
    recorded_at: datetime
    edges_repointed: int
    self_loops_dropped: int


#: API roles: reader (scores, influencers, communities), marketer (+ reach, seeds,
#: shortlist, lift), ingest (events), admin (everything, recompute, keys).
ROLES: tuple[str, ...] = ("reader", "marketer", "ingest", "admin")


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as stored (never its secret)."""

    key_id: str
    role: str
    pii: bool
    name: str | None
    created_at: str
    revoked_at: str | None
    last_used_at: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "key_id": self.key_id,
            "role": self.role,
            "pii": self.pii,
            "name": self.name,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


#: Score fields that can be sorted and filtered on (columns of the stores' score rows).
SCORE_FIELDS: tuple[str, ...] = (
    "social_value",
    "influence",
    "expected_reach",
    "audience",
    "participation",
    "revenue",
    "bridge",
    "conversions",
)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One recompute run: what ran, on what, how long each stage took."""

    run_id: str
    seq: int
    status: Literal["running", "complete", "failed", "abandoned"]
    started_at: str
    finished_at: str | None
    config: dict[str, Any]
    counts: dict[str, Any]
    timings: dict[str, float]
    summary: dict[str, Any]
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "run_id": self.run_id,
            "seq": self.seq,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "config": self.config,
            "counts": self.counts,
            "timings": self.timings,
            "summary": self.summary,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """A customer's scores in one run (``details``: breakdown, audience by platform...)."""

    customer_id: str
    run_id: str
    tier: str
    tier_level: str | None
    tier_reason: str
    community_id: int | None
    social_value: float
    influence: float
    expected_reach: float
    audience: int
    participation: float
    revenue: float
    bridge: float
    conversions: int
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "customer_id": self.customer_id,
            "run_id": self.run_id,
            "tier": self.tier,
            "tier_level": self.tier_level,
            "tier_reason": self.tier_reason,
            "community_id": self.community_id,
            "social_value": self.social_value,
            "influence": self.influence,
            "expected_reach": self.expected_reach,
            "audience": self.audience,
            "participation": self.participation,
            "revenue": self.revenue,
            "bridge": self.bridge,
            "conversions": self.conversions,
            **self.details,
        }


#: A nested mapping whose leaves are one column each (one value per score row).
DetailColumns = Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class ScoreColumns:
    """A run's scores as columns: what ``compute`` writes (see
    :meth:`GraphStore.write_scores`).

    Row ``i`` is the :class:`ScoreRecord` of ``customer_id[i]``. ``details`` has the
    nesting of :attr:`ScoreRecord.details`, with a column (ndarray or sequence) at each
    leaf: row ``i``'s details are the same mapping with each leaf's ``i``-th value (numpy
    scalars as Python numbers). A store may keep the numeric leaves as numbers instead
    of text; :meth:`records` is the row form, the reference for what reads give back.
    """

    customer_id: Sequence[str]
    tier: Sequence[str]
    tier_level: Sequence[str | None]
    tier_reason: Sequence[str]
    community_id: np.ndarray
    social_value: np.ndarray
    influence: np.ndarray
    expected_reach: np.ndarray
    audience: np.ndarray
    participation: np.ndarray
    revenue: np.ndarray
    bridge: np.ndarray
    conversions: np.ndarray
    details: DetailColumns = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.customer_id)
        for name in (*_SCORE_COLUMN_NAMES, *(path for path, _ in detail_leaves(self.details))):
            column = (
                getattr(self, name)
                if name in _SCORE_COLUMN_NAMES
                else _leaf(self.details, name.split("."))
            )
            if len(column) != n:
                raise ValueError(f"score column {name!r} has {len(column)} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.customer_id)

    def columns(self) -> dict[str, list[Any]]:
        """The top-level fields (not ``details``) as lists of Python values."""
        out: dict[str, list[Any]] = {"customer_id": list(self.customer_id)}
        for name in _SCORE_COLUMN_NAMES[1:]:
            column = getattr(self, name)
            out[name] = column.tolist() if isinstance(column, np.ndarray) else list(column)
        return out

    def records(self, run_id: str) -> Iterator[ScoreRecord]:
        """The scores as rows (details as nested dicts of Python values)."""
        cols = self.columns()
        leaves = [
            (path.split("."), _as_list(column)) for path, column in detail_leaves(self.details)
        ]
        for i in range(len(cols["customer_id"])):
            details: dict[str, Any] = {}
            for path, column in leaves:
                node = details
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1]] = column[i]
            yield ScoreRecord(
                run_id=run_id,
                details=details,
                **{name: cols[name][i] for name in _SCORE_COLUMN_NAMES},
            )


#: the top-level fields of a score row, in :class:`ScoreRecord` order
_SCORE_COLUMN_NAMES = (
    "customer_id",
    "tier",
    "tier_level",
    "tier_reason",
    "community_id",
    *SCORE_FIELDS,
)


def detail_leaves(tree: DetailColumns, prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted path, column)`` of every leaf of a :class:`ScoreColumns` details
    mapping, in order (keys may not contain dots)."""
    out: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if not isinstance(key, str) or "." in key:
            raise ValueError(f"score detail key {key!r} must be a string without dots")
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(detail_leaves(value, path + "."))
        else:
            out.append((path, value))
    return out


def _leaf(tree: DetailColumns, path: list[str]) -> Any:
    node: Any = tree
    for key in path:
        node = node[key]
    return node


def _as_list(column: Any) -> list[Any]:
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


@dataclass(frozen=True, eq=False)
class CustomerFeatures:
    """Per-customer inputs of scoring, aligned with :meth:`GraphStore.snapshot`'s ids.

    Activity arrays are event lists: ``(customer index, epoch seconds[, amount])``;
    ``engagement_kinds`` (like, comment...) and ``order_currencies`` (ISO 4217 codes) are
    aligned with ``engagements`` and ``orders``; ``share_touches`` are the clicks and
    converts of viewers on shared content, ``(sharer, viewer, epoch seconds)``.
    """

    ids: tuple[str, ...]
    is_employee: Any  # ndarray of bool
    external_followers: tuple[dict[str, int], ...]
    tags: tuple[tuple[str, ...], ...]
    followers: Any  # ndarray of int64: in-graph followers
    engagements: tuple[Any, Any]
    shares: tuple[Any, Any]
    referrals: tuple[Any, Any]
    orders: tuple[Any, Any, Any]
    conversions: Any  # ndarray of int64: converts from own shares + converted referrals
    engagement_kinds: Any = None  # ndarray of str, aligned with engagements
    order_currencies: Any = None  # ndarray of str, aligned with orders
    share_touches: Any = None  # (sharer index, viewer index, epoch s) of clicks and converts


@runtime_checkable
class GraphStore(Protocol):
    """What every store offers."""

    url: str

    def close(self) -> None:
        """Release connections."""

    def identity_salt(self) -> str:
        """The salt phone numbers and e-mails are hashed with in this store."""

    def identity_state(self) -> IdentityState:
        """Everything identity resolution needs to resume (keys, ids, merges)."""

    def known_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` that were already applied."""

    def apply(self, batch: ResolvedBatch) -> AppliedBatch:
        """Apply a resolved batch atomically (all of it or none)."""

    def record_ingest(self, report: dict[str, Any]) -> None:
        """Keep an ingest run's report (sources, counts, quarantine path)."""

    def stats(self) -> StoreStats:
        """Counts of what the store holds."""

    def customer(self, reference: str) -> CustomerRecord:
        """One customer by canonical id, merged id or identity key."""

    def merges(self, limit: int | None = None) -> list[MergeRecord]:
        """The merge log, oldest first."""

    def ingest_history(self, limit: int = 20) -> list[IngestRecord]:
        """The last ``limit`` ingest reports, newest first."""

    def customer_names(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Display names of canonical customer ids (unknown ids are left out)."""

    def campaign_events(self, campaign_id: str) -> CampaignEvents:
        """The share actions and orders tagged with ``campaign_id``."""

    def save_campaign_plan(
        self, campaign_id: str, plan: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Keep a campaign's plan.

        Raises
        ------
        ConflictError
            The campaign has a plan and ``replace`` is false.
        """

    def campaign_plan(self, campaign_id: str) -> dict[str, Any]:
        """A campaign's plan (``NotFoundError`` when it has none)."""

    def campaign_plans(self) -> list[dict[str, Any]]:
        """``{campaign_id, created_at}`` of every plan, newest first."""

    def relationships(
        self, ids: Sequence[str], *, among: bool = True, limit: int = 10_000
    ) -> list[Link]:
        """Current relationships between customers of ``ids`` (``among``), or touching
        any of them (``among=False``: either end in ``ids``), one :class:`Link` per
        source, target and type, the most counted first (ties by source, target, type),
        at most ``limit``. Follows are the active ones; merged customers are resolved."""

    def snapshot(
        self,
        relationships: Iterable[RelationshipType] = ("FOLLOWS",),
        *,
        influence: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> GraphSnapshot:
        """The customer graph as a :class:`GraphSnapshot` (see implementations)."""

    def referral_rows(
        self, campaign_id: str | None = None
    ) -> list[tuple[str, str, str, datetime, bool]]:
        """The referral log ``(referrer, referee, campaign, at, converted)``, oldest first."""

    def customer_features(self) -> CustomerFeatures:
        """Everything scoring needs per customer, in snapshot order."""

    def segment(self, *, tag: str | None = None, campaign: str | None = None) -> list[str]:
        """Customer ids with a tag, or who converted in a campaign (referral or order)."""

    def gds(self) -> GdsClient | None:
        """The store server's Graph Data Science library (:mod:`graph_engine.store.gds`),
        or None: the embedded store has none, a Neo4j server may lack the plugin."""

    # -- runs and scores --------------------------------------------------------------
    def begin_run(self, config: dict[str, Any], counts: dict[str, Any]) -> RunRecord:
        """Start a run (invisible to readers until published)."""

    def write_scores(
        self,
        run_id: str,
        rows: Iterable[ScoreRecord] | ScoreColumns,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write a running run's scores: rows, or a whole run as :class:`ScoreColumns`
        (what ``compute`` writes; read back as its :meth:`ScoreColumns.records`);
        ``progress(rows written so far)`` after each committed batch."""

    def write_communities(self, run_id: str, profiles: Iterable[dict[str, Any]]) -> int:
        """Write a running run's community profiles."""

    def publish_run(
        self, run_id: str, timings: dict[str, float], summary: dict[str, Any], keep: int
    ) -> RunRecord:
        """Atomically make the run the one readers see; keep the last ``keep`` runs."""

    def fail_run(self, run_id: str, error: str) -> None:
        """Mark a run failed (the previous run keeps serving)."""

    def current_run(self) -> RunRecord | None:
        """The run readers see (None before the first complete run)."""

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """Runs, newest first."""

    def scores(self, reference: str, run_id: str | None = None) -> ScoreRecord:
        """A customer's scores in the current (or a given) run."""

    def score_history(self, reference: str) -> list[ScoreRecord]:
        """A customer's scores in every kept complete run, oldest first."""

    def top_scores(
        self,
        *,
        by: str = "social_value",
        tier: str | None = None,
        tier_level: str | None = None,
        community_id: int | None = None,
        limit: int = 20,
        offset: int = 0,
        tag: str | None = None,
        platform: str | None = None,
        min_audience: int | None = None,
        min_expected_reach: float | None = None,
    ) -> list[ScoreRecord]:
        """The current run's customers, filtered, sorted by ``by`` descending."""

    def tier_summary(self) -> list[dict[str, Any]]:
        """Customers, mean value, revenue and audience per tier and level (current run)."""

    def run_scores(self, run_id: str | None = None) -> Iterable[ScoreRecord]:
        """Stream every score of a run (default current), in customer id order."""

    def run_communities(self, run_id: str | None = None) -> dict[str, int]:
        """Community id of every customer of a run (default current) that has one: the
        one column of :meth:`run_scores` that compute and community targeting need."""

    def community_profiles(
        self, community_id: int | None = None, run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The current run's community profiles (largest first)."""

    # -- API keys and audit -----------------------------------------------------------
    def create_key(
        self, role: str, *, name: str | None = None, pii: bool = False
    ) -> tuple[ApiKey, str]:
        """Create a key; the full key is returned only here."""

    def list_keys(self) -> list[ApiKey]:
        """Every key, oldest first."""

    def revoke_key(self, key_id: str) -> ApiKey:
        """Revoke a key."""

    def verify_key(self, presented: str) -> ApiKey:
        """The active key a presented secret belongs to (AuthenticationError otherwise)."""

    def audit(self, key_id: str | None, action: str, detail: dict[str, Any]) -> None:
        """Append to the audit log."""

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """Latest audit entries, newest first."""
