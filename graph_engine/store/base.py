"""The GraphStore protocol: the only way the rest of graph_engine reaches a store.

Two implementations share it: :class:`~graph_engine.store.sqlite.SQLiteStore`
(embedded default) and the Neo4j store. Ingest resolves identities in memory
(:mod:`graph_engine.identity`) and hands the store one :class:`ResolvedBatch` at a
time, which the store applies atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

from graph_engine.identity import IdentityState, Merge, NewCustomer
from graph_engine.snapshot import GraphSnapshot

__all__ = [
    "RELATIONSHIP_TYPES",
    "AppliedBatch",
    "CustomerRecord",
    "FollowRow",
    "GraphStore",
    "MergeRecord",
    "ProfileRow",
    "ResolvedBatch",
    "StoreStats",
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
