"""Ingest: validate rows, resolve identities, apply atomic batches, quarantine the rest.

Idempotent by ``event_id``: events already applied are counted as duplicates and
skipped, so re-running an interrupted ingest to the end gives the state of one clean
run (every batch is one transaction). Rows that fail validation or identity rules go
to the quarantine file with source, line, field, value and reason; nothing aborts a
file and nothing is dropped silently.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph_engine.config import Settings, get_settings
from graph_engine.errors import EventValidationError, IdentityConflictError
from graph_engine.identity import IdentityResolver
from graph_engine.ingest.quarantine import Quarantine
from graph_engine.ingest.readers import RawRow, Source, derive_event_id, read_rows
from graph_engine.model import (
    CustomerEvent,
    EngagementEvent,
    Event,
    FollowEvent,
    IdentityLinkEvent,
    OrderEvent,
    ReferralEvent,
    ShareEvent,
    parse_event,
)
from graph_engine.store.base import (
    FollowRow,
    GraphStore,
    ProfileRow,
    ResolvedBatch,
)

__all__ = ["IngestReport", "Ingestor", "default_quarantine_path"]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did.

    Attributes
    ----------
    accepted : int
        Events applied.
    rejected : int
        Rows quarantined.
    duplicates : int
        Events already applied before (same ``event_id``, or an ``order_id`` already
        recorded), skipped.
    merges : int
        Persons merged into others by identity links.
    self_loops_dropped : int
        Edges that merges turned into loops, dropped.
    quarantine : str or None
        The quarantine file, if any row was rejected.
    accepted_by_type, rejected_by_reason : dict
    sources : list of str
    seconds : float
    """

    accepted: int
    rejected: int
    duplicates: int
    merges: int
    self_loops_dropped: int
    quarantine: str | None
    accepted_by_type: dict[str, int] = field(default_factory=dict)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the CLI's ``--json``)."""
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "merges": self.merges,
            "self_loops_dropped": self.self_loops_dropped,
            "quarantine": self.quarantine,
            "accepted_by_type": dict(self.accepted_by_type),
            "rejected_by_reason": dict(self.rejected_by_reason),
            "sources": list(self.sources),
            "seconds": round(self.seconds, 3),
        }


def default_quarantine_path(store_url: str, settings: Settings) -> Path:
    """``<quarantine_dir or database dir>/quarantine/ingest-<UTC time>.jsonl``."""
    if settings.quarantine_dir is not None:
        base = settings.quarantine_dir
    else:
        path = store_url.removeprefix("sqlite:///")
        parent = Path(".") if path in {"", ":memory:"} or "://" in path else Path(path).parent
        base = parent / "quarantine"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return base / f"ingest-{stamp}.jsonl"


class Ingestor:
    """Ingest sources into a store.

    Parameters
    ----------
    store : GraphStore
    settings : Settings, optional
    quarantine_path : Path, optional
        Default: :func:`default_quarantine_path`.

    Examples
    --------
    >>> from graph_engine.store import SQLiteStore
    >>> ing = Ingestor(SQLiteStore("sqlite:///:memory:"))
    >>> report = ing.ingest_rows([{"type": "follow", "event_id": "1", "at": "2026-01-01",
    ...                            "follower": "a", "followee": "b"}])
    >>> report.accepted, ing.store.stats().edges["FOLLOWS"]
    (1, 1)
    """

    def __init__(
        self,
        store: GraphStore,
        settings: Settings | None = None,
        quarantine_path: Path | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or get_settings()
        self.quarantine = Quarantine(
            quarantine_path or default_quarantine_path(store.url, self.settings)
        )
        self._salt = store.identity_salt()
        self._resolver = self._load_resolver()
        self._counts: Counter[str] = Counter()
        self._by_type: Counter[str] = Counter()
        self._sent_activity: dict[int, tuple[str, str]] = {}

    def _load_resolver(self) -> IdentityResolver:
        return IdentityResolver(
            self.store.identity_state(), self.settings.merge_kinds, self.settings.exclusive_kinds
        )

    # -- entry points ----------------------------------------------------------------
    def ingest(
        self,
        sources: Sequence[Source],
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest files; ``progress(n_bytes)`` is called as input is read."""
        started = time.perf_counter()
        try:
            for source in sources:
                rows = read_rows(
                    source, max_row_bytes=self.settings.max_row_bytes, progress=progress
                )
                self._consume(rows)
        finally:
            self.quarantine.close()
        return self._report([str(s.path) for s in sources], started)

    def ingest_rows(self, rows: Iterable[dict[str, Any]], source: str = "<rows>") -> IngestReport:
        """Ingest already-parsed rows (as the API's event batches)."""
        started = time.perf_counter()
        raw = (RawRow(source, i, dict(r), None, "") for i, r in enumerate(rows, start=1))
        try:
            self._consume(raw)
        finally:
            self.quarantine.close()
        return self._report([source], started)

    def _report(self, sources: list[str], started: float) -> IngestReport:
        path = self.quarantine.written_path
        report = IngestReport(
            accepted=self._counts["accepted"],
            rejected=self.quarantine.count,
            duplicates=self._counts["duplicates"],
            merges=self._counts["merges"],
            self_loops_dropped=self._counts["self_loops"],
            quarantine=None if path is None else str(path),
            accepted_by_type=dict(self._by_type),
            rejected_by_reason=dict(self.quarantine.by_reason),
            sources=sources,
            seconds=time.perf_counter() - started,
        )
        self.store.record_ingest(report.to_dict())
        return report

    # -- the loop --------------------------------------------------------------------
    def _consume(self, rows: Iterator[RawRow]) -> None:
        pending: list[tuple[Event, RawRow]] = []
        size = self.settings.ingest_batch_size
        for row in rows:
            for event in self._validate(row):
                pending.append((event, row))
            if len(pending) >= size:
                self._flush(pending)
                pending = []
        if pending:
            self._flush(pending)

    def _apply(self, batch: ResolvedBatch) -> None:
        """Apply a batch atomically and account for it."""
        try:
            applied = self.store.apply(batch)
        except BaseException:
            self._resolver = self._load_resolver()  # memory ran ahead of the store
            raise
        self.quarantine.flush()
        self._sent_activity.update(batch.activity)
        for kind, count in Counter(t for _, t, _ in batch.event_log).items():
            self._by_type[kind] += count
        self._counts["accepted"] += len(batch.event_log) - len(applied.duplicate_orders)
        self._counts["duplicates"] += len(applied.duplicate_orders)
        if applied.duplicate_orders:
            self._by_type["order"] -= len(applied.duplicate_orders)
        self._counts["merges"] += len(batch.merges)
        self._counts["self_loops"] += applied.self_loops_dropped

    def _validate(self, row: RawRow) -> list[Event]:
        if row.error is not None or row.fields is None:
            assert row.error is not None
            self.quarantine.add(row.error, row.raw)
            return []
        fields = row.fields
        repeat = 1
        if "count" in fields and fields.get("type") in {"share", "referral", "follow"}:
            fields = dict(fields)
            count = fields.pop("count")
            try:
                repeat = int(count)
                if repeat < 1:
                    raise ValueError
            except (TypeError, ValueError):
                self.quarantine.add(
                    EventValidationError(
                        "count",
                        count,
                        "must be a whole number >= 1",
                        source=row.source,
                        line=row.line,
                    ),
                    row.raw,
                    fields.get("type"),
                )
                return []
        events: list[Event] = []
        for occurrence in range(repeat):
            current = fields
            if not fields.get("event_id"):
                current = dict(fields)
                current["event_id"] = derive_event_id(fields, occurrence if repeat > 1 else None)
            try:
                events.append(
                    parse_event(current, salt=self._salt, source=row.source, line=row.line)
                )
            except EventValidationError as exc:
                self.quarantine.add(exc, row.raw or _raw(fields), fields.get("type"))
                return []
        return events

    def _flush(self, pending: list[tuple[Event, RawRow]]) -> None:
        known = self.store.known_event_ids([event.event_id for event, _ in pending])
        seen: set[str] = set()
        batch = ResolvedBatch()
        resolve, log = self._resolve, batch.event_log
        duplicates = 0
        for event, raw in pending:
            event_id = event.event_id
            if event_id in known or event_id in seen:
                duplicates += 1
                continue
            seen.add(event_id)
            try:
                at = resolve(event, batch)
            except EventValidationError as exc:
                self.quarantine.add(_located(exc, raw), raw.raw or _raw(raw.fields), event.type)
                continue
            log.append((event_id, event.type, at))
        self._counts["duplicates"] += duplicates
        batch.new_customers, batch.new_keys = self._resolver.drain()
        batch.activity = self._widened(batch.activity)
        self._apply(batch)

    def _widened(self, activity: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
        """Drop activity updates that cannot change what this run already wrote."""
        out = {}
        sent = self._sent_activity
        for pk, (first, last) in activity.items():
            known = sent.get(pk)
            if known is None or first < known[0] or last > known[1]:
                out[pk] = (
                    (first, last) if known is None else (min(first, known[0]), max(last, known[1]))
                )
        return out

    def _pair(self, a: str, b: str, names: tuple[str, str], what: str) -> tuple[int, int]:
        pa, pb = self._resolver.resolve(a), self._resolver.resolve(b)
        if pa == pb:
            raise EventValidationError(
                names[1],
                b,
                f"{what}: {names[1]} and {names[0]} are the same customer "
                f"{self._resolver.customer_id(pa)} (identities merged)",
            )
        return pa, pb

    def _resolve(self, event: Event, batch: ResolvedBatch) -> str:
        """Resolve an event's references into ``batch``; return its time as stored."""
        at = _iso(event.at)
        if isinstance(event, FollowEvent):
            a, b = self._pair(
                event.follower, event.followee, ("follower", "followee"), "self-follow"
            )
            batch.follows.append(FollowRow(a, b, event.action == "follow", at, event.channel))
            batch.touch(a, at)
            batch.touch(b, at)
        elif isinstance(event, ShareEvent):
            a, b = self._pair(event.sharer, event.viewer, ("sharer", "viewer"), "self-share")
            batch.shares.append(
                (
                    event.event_id,
                    a,
                    b,
                    event.content_id,
                    event.action,
                    at,
                    event.channel,
                    event.campaign_id,
                )
            )
            batch.touch(a, at)
            batch.touch(b, at)
        elif isinstance(event, ReferralEvent):
            a, b = self._pair(
                event.referrer, event.referee, ("referrer", "referee"), "self-referral"
            )
            batch.referrals.append(
                (
                    event.event_id,
                    a,
                    b,
                    event.campaign_id,
                    event.converted,
                    event.order_id,
                    event.reward,
                    at,
                )
            )
            batch.touch(a, at)
            batch.touch(b, at)
        elif isinstance(event, OrderEvent):
            pk = self._resolver.resolve(event.customer)
            batch.orders.append(
                (
                    event.order_id,
                    event.event_id,
                    pk,
                    event.amount,
                    event.currency,
                    event.campaign_id,
                    at,
                )
            )
            batch.touch(pk, at)
        elif isinstance(event, EngagementEvent):
            pk = self._resolver.resolve(event.customer)
            batch.engagements.append((event.event_id, pk, event.kind, event.content_id, at))
            batch.touch(pk, at)
        elif isinstance(event, CustomerEvent):
            pk = self._resolver.resolve(event.customer)
            batch.profiles.append(
                ProfileRow(
                    pk,
                    at,
                    event.name,
                    event.is_employee,
                    event.employee_of,
                    event.external_followers,
                    event.tags,
                    event.region,
                )
            )
        elif isinstance(event, IdentityLinkEvent):
            try:
                outcome = self._resolver.link(event.identities, event.event_id)
            except IdentityConflictError as exc:
                raise EventValidationError("identities", event.identities, exc.message) from None
            batch.merges.extend((m, event.event_id, at) for m in outcome.merges)
        return at


def _located(exc: EventValidationError, raw: RawRow) -> EventValidationError:
    return EventValidationError(exc.field, exc.value, exc.reason, source=raw.source, line=raw.line)


@lru_cache(maxsize=4096)
def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def _raw(fields: dict[str, Any] | None) -> str:
    import json

    return json.dumps(fields, default=str, ensure_ascii=False)
