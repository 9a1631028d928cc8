"""Ingest: validate rows, resolve identities, apply atomic batches, quarantine the rest.

Idempotent by ``event_id``: events already applied are counted as duplicates and
skipped, so re-running an interrupted ingest to the end gives the state of one clean
run (every batch is one transaction). Rows that fail validation or identity rules go
to the quarantine file with source, line, field, value and reason; nothing aborts a
file and nothing is dropped silently.
"""

from __future__ import annotations

import json
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
from graph_engine.ingest.readers import (
    RawRow,
    Source,
    derive_event_id,
    edge_event_ids,
    read_rows,
)
from graph_engine.model import (
    EDGE_ENDS,
    CustomerEvent,
    EngagementEvent,
    Event,
    FollowEvent,
    IdentityLinkEvent,
    OrderEvent,
    ReferralEvent,
    ShareEvent,
    parse_event,
    parse_reference,
    self_loop_error,
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
                if _uniform_edge_list(source):
                    self._consume_edges(rows)
                else:
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

    def _consume_edges(self, rows: Iterator[RawRow]) -> None:
        """Bulk path for edge lists whose rows differ only in their two ends.

        The first good row is validated in full as an event (the *template*); every
        other row differs from it only in its ends (and ``count``), so only those are
        checked, with the same reference parser and messages as the event schema, and
        each distinct end is parsed and resolved once. Event ids, duplicates,
        quarantine and batches are as in the general path.
        """
        template: Event | None = None
        make_id: Callable[[str, str, int | None], str] | None = None
        parsed: dict[str, str | ValueError] = {}
        pending: list[tuple[str, str, str, RawRow]] = []
        size = self.settings.ingest_batch_size
        for row in rows:
            if template is None:
                events = self._validate(row)
                if events:
                    template = events[0]
                    first, second, _ = EDGE_ENDS[template.type]
                    pending.extend(
                        (e.event_id, getattr(e, first), getattr(e, second), row) for e in events
                    )
                continue
            if row.error is not None or row.fields is None:
                self._validate(row)  # quarantines it
                continue
            fields = row.fields
            keys = []
            for end in (first, second):
                token = fields[end]
                key = parsed.get(token)
                if key is None:
                    try:
                        key = parse_reference(token, self._salt)
                    except ValueError as exc:
                        key = exc
                    parsed[token] = key
                if isinstance(key, ValueError):
                    self.quarantine.add(
                        EventValidationError(
                            end, token, str(key), source=row.source, line=row.line
                        ),
                        row.raw,
                        template.type,
                    )
                    break
                keys.append(key)
            else:
                if keys[0] == keys[1]:
                    self.quarantine.add(
                        self_loop_error(
                            template.type, keys[0], fields[second], row.source, row.line
                        ),
                        row.raw,
                        template.type,
                    )
                    continue
                repeat = self._repeat(row)
                if repeat is None:
                    continue
                if make_id is None:  # uniform edge lists carry no event_id column
                    without_count = {k: v for k, v in fields.items() if k != "count"}
                    make_id = edge_event_ids(without_count, (first, second))
                for i in range(repeat):
                    event_id = make_id(fields[first], fields[second], i if repeat > 1 else None)
                    pending.append((event_id, keys[0], keys[1], row))
            if len(pending) >= size:
                assert template is not None
                self._flush_edges(template, pending)
                pending = []
        if pending and template is not None:
            self._flush_edges(template, pending)

    def _flush_edges(self, template: Event, pending: list[tuple[str, str, str, RawRow]]) -> None:
        known = self.store.known_event_ids([p[0] for p in pending])
        seen: set[str] = set()
        batch = ResolvedBatch()
        first, second, what = EDGE_ENDS[template.type]
        at = _iso(template.at)
        resolved: dict[str, int] = {}
        resolve = self._resolver.resolve
        duplicates = 0
        edges: list[tuple[str, int, int]] = []
        for event_id, a_key, b_key, raw in pending:
            if event_id in known or event_id in seen:
                duplicates += 1
                continue
            seen.add(event_id)
            a = resolved.get(a_key)
            if a is None:
                a = resolved[a_key] = resolve(a_key)
            b = resolved.get(b_key)
            if b is None:
                b = resolved[b_key] = resolve(b_key)
            if a == b:
                exc = self._same_customer(a, b_key, (first, second), what)
                self.quarantine.add(_located(exc, raw), raw.raw, template.type)
                continue
            edges.append((event_id, a, b))
        self._add_edges(batch, template, edges, at)
        batch.event_log.extend((event_id, template.type, at) for event_id, _, _ in edges)
        for pk in {a for _, a, _ in edges} | {b for _, _, b in edges}:  # one time for all
            batch.touch(pk, at)
        self._counts["duplicates"] += duplicates
        self._apply(batch)

    def _repeat(self, row: RawRow) -> int | None:
        """How many follow/share/referral events a row stands for (its ``count``).

        None (and the row quarantined) if the count is not a whole number >= 1.
        """
        assert row.fields is not None
        if "count" not in row.fields or row.fields.get("type") not in EDGE_ENDS:
            return 1  # elsewhere "count" is no field of the schema and is rejected as such
        count = row.fields["count"]
        try:
            repeat = int(count)
            if repeat >= 1:
                return repeat
        except (TypeError, ValueError):
            pass
        self.quarantine.add(
            EventValidationError(
                "count", count, "must be a whole number >= 1", source=row.source, line=row.line
            ),
            row.raw,
            row.fields.get("type"),
        )
        return None

    def _apply(self, batch: ResolvedBatch) -> None:
        """Add the resolver's new customers and keys, apply atomically, account for it."""
        batch.new_customers, batch.new_keys = self._resolver.drain()
        batch.activity = self._widened(batch.activity)
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
        repeat = self._repeat(row)
        if repeat is None:
            return []
        fields = row.fields
        if "count" in fields and fields.get("type") in EDGE_ENDS:
            fields = {k: v for k, v in fields.items() if k != "count"}
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

    @staticmethod
    def _add_edges(
        batch: ResolvedBatch, event: Event, edges: list[tuple[str, int, int]], at: str
    ) -> None:
        """Append resolved follows, shares or referrals ``(event_id, a, b)`` like ``event``."""
        if isinstance(event, FollowEvent):
            active = event.action == "follow"
            batch.follows.extend(FollowRow(a, b, active, at, event.channel) for _, a, b in edges)
        elif isinstance(event, ShareEvent):
            batch.shares.extend(
                (eid, a, b, event.content_id, event.action, at, event.channel, event.campaign_id)
                for eid, a, b in edges
            )
        elif isinstance(event, ReferralEvent):
            batch.referrals.extend(
                (eid, a, b, event.campaign_id, event.converted, event.order_id, event.reward, at)
                for eid, a, b in edges
            )

    def _pair(self, a: str, b: str, names: tuple[str, str], what: str) -> tuple[int, int]:
        pa, pb = self._resolver.resolve(a), self._resolver.resolve(b)
        if pa == pb:
            raise self._same_customer(pa, b, names, what)
        return pa, pb

    def _same_customer(
        self, pk: int, value: str, names: tuple[str, str], what: str
    ) -> EventValidationError:
        return EventValidationError(
            names[1],
            value,
            f"{what}: {names[1]} and {names[0]} are the same customer "
            f"{self._resolver.customer_id(pk)} (identities merged)",
        )

    def _resolve(self, event: Event, batch: ResolvedBatch) -> str:
        """Resolve an event's references into ``batch``; return its time as stored."""
        at = _iso(event.at)
        ends = EDGE_ENDS.get(event.type)
        if ends is not None:
            first, second, what = ends
            a, b = self._pair(getattr(event, first), getattr(event, second), (first, second), what)
            self._add_edges(batch, event, [(event.event_id, a, b)], at)
            batch.touch(a, at)
            batch.touch(b, at)
            return at
        if isinstance(event, OrderEvent):
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


def _uniform_edge_list(source: Source) -> bool:
    """True if an edge list's rows differ only in their two ends and a count."""
    if source.format != "edgelist" or source.event_type not in EDGE_ENDS:
        return False
    ends = EDGE_ENDS[source.event_type][:2]
    columns = source.columns or ends
    defaults = {k for k, _ in source.defaults}
    return set(columns) <= {*ends, "count", "_"} and not defaults & set(columns)


def _located(exc: EventValidationError, raw: RawRow) -> EventValidationError:
    return EventValidationError(exc.field, exc.value, exc.reason, source=raw.source, line=raw.line)


@lru_cache(maxsize=4096)
def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def _raw(fields: dict[str, Any] | None) -> str:
    return json.dumps(fields, default=str, ensure_ascii=False)
