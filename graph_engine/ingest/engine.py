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

import numpy as np

from graph_engine.config import Settings, get_settings
from graph_engine.errors import EventValidationError, IdentityConflictError
from graph_engine.identity import IdentityResolver
from graph_engine.ingest.columnar import BAD_COUNT, EdgeBlock, EdgeListReader
from graph_engine.ingest.quarantine import Quarantine
from graph_engine.ingest.readers import (
    RawRow,
    Source,
    count_value,
    derive_event_id,
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
    self_loop_reason,
)
from graph_engine.store.base import (
    EdgeColumns,
    FollowRow,
    GraphStore,
    ProfileRow,
    ResolvedBatch,
)

__all__ = ["IngestReport", "Ingestor", "default_quarantine_path"]

_BAD_COUNT = "must be a whole number >= 1"


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
                if _uniform_edge_list(source):
                    self._consume_columns(source, progress)
                    continue
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

    def _consume_columns(self, source: Source, progress: Callable[[int], None] | None) -> None:
        """Bulk path for edge lists whose rows differ only in their two ends (and count).

        The file is read as columns (:class:`~graph_engine.ingest.columnar.EdgeListReader`):
        each distinct token is parsed once, event ids are hashed by a compiled kernel, and
        the checks of the row path run over whole columns in its order (count, first
        end, second end, self-loop; then, after resolution, ends merged into one
        customer). Identities are resolved in the order the row path meets them, so
        customer numbers and ids are the same; each batch is one transaction.
        """
        reader = EdgeListReader(source, self.settings.max_row_bytes, self._salt)
        assert source.event_type is not None
        first, second = reader.ends
        try:
            template = parse_event(
                {**reader.fields, first: "a", second: "b", "event_id": "template"},
                salt=self._salt,
            )
        except EventValidationError:
            # a default itself is invalid: every row fails, as the row path says
            self._consume(read_rows(source, max_row_bytes=self.settings.max_row_bytes))
            return
        size = self.settings.ingest_bulk_batch_size
        for block in reader.blocks(progress):
            n = block.lines.size
            if n == 0:  # a block of nothing but unreadable rows
                for row in block.errors:
                    assert row.error is not None
                    self.quarantine.add(row.error, row.raw)
                continue
            # an unreadable row goes with the batch of the data row before it (the
            # first batch when there is none); block.errors are in line order
            after = np.searchsorted(block.lines, [r.line for r in block.errors])
            batch_of = np.maximum(after - 1, 0) // size
            for lo in range(0, n, size):
                unreadable = [
                    r for r, b in zip(block.errors, batch_of, strict=True) if b == lo // size
                ]
                self._edge_batch(reader, block, lo, min(lo + size, n), template, unreadable)

    def _edge_batch(
        self,
        reader: EdgeListReader,
        block: EdgeBlock,
        lo: int,
        hi: int,
        template: Event,
        unreadable: list[RawRow],
    ) -> None:
        first, second = reader.ends
        kind = template.type
        name = str(reader.source.path)
        lines = block.lines[lo:hi]
        a_tok, b_tok, counts = block.first[lo:hi], block.second[lo:hi], block.counts[lo:hi]
        key_codes = np.asarray(reader.key_codes, np.int64)
        ka, kb = key_codes[a_tok], key_codes[b_tok]
        bad_count = counts == BAD_COUNT
        bad_a = ~bad_count & (ka < 0)
        bad_b = ~bad_count & ~bad_a & (kb < 0)
        loop = ~bad_count & ~bad_a & ~bad_b & (ka == kb)
        rejected: list[tuple[int, str, Any, str, str, str | None]] = [
            (r.line, r.error.field, r.error.value, r.error.reason, r.raw, None)
            for r in unreadable
            if r.error is not None
        ]
        tokens, keys = reader.tokens, reader.keys
        for i in np.flatnonzero(bad_count | bad_a | bad_b | loop).tolist():
            if bad_count[i]:
                field, value = "count", block.count_tokens[lo + i]
                reason = _BAD_COUNT
            elif bad_a[i]:
                field, value, reason = first, tokens[a_tok[i]], str(keys[a_tok[i]])
            elif bad_b[i]:
                field, value, reason = second, tokens[b_tok[i]], str(keys[b_tok[i]])
            else:
                field, value = second, tokens[b_tok[i]]
                reason = self_loop_reason(kind, str(keys[a_tok[i]]))
            rejected.append((int(lines[i]), field, value, reason, block.texts(lo + i), kind))
        rejected.sort(key=lambda r: r[0])
        record = self.quarantine.record
        for line, field, value, reason, raw, event_type in rejected:
            record(field, value, reason, name, line, raw, event_type)

        # one event per occurrence; ids as derive_event_id makes them
        good = np.flatnonzero(~(bad_count | bad_a | bad_b | loop))
        reps = counts[good]
        rows = np.repeat(good, reps)
        text = np.empty((rows.size, 26), np.uint8)
        text[:, 0], text[:, 1] = ord("d"), ord(":")
        text[:, 2:] = block.digests[lo + rows]
        ids: list[str] = text.view("S26").ravel().astype("U26").tolist()
        repeated = np.flatnonzero(reps > 1)
        if repeated.size:
            starts = np.cumsum(reps) - reps
            for j in repeated.tolist():
                for occurrence in range(int(reps[j])):
                    ids[starts[j] + occurrence] += f":{occurrence}"
        known = self.store.known_event_ids(ids)
        # the first occurrence of an id in the batch is fresh unless the store knows it
        labels = np.array(ids) if repeated.size else text.view("S26").ravel()
        _, firsts = np.unique(labels, return_index=True)
        fresh = np.zeros(rows.size, bool)
        fresh[firsts] = True
        if known:
            fresh &= np.fromiter((e not in known for e in ids), bool, len(ids))
        self._counts["duplicates"] += int(rows.size - fresh.sum())
        rows = rows[fresh]
        ids = [e for e, f in zip(ids, fresh.tolist(), strict=True) if f]

        # resolve every key once, in the order the row path meets them
        ka, kb = ka[rows], kb[rows]
        both = np.column_stack([ka, kb]).ravel()
        codes, where = np.unique(both, return_index=True)
        resolve = self._resolver.resolve
        pk_of = np.zeros(len(reader.key_list), np.int64)
        for code in codes[np.argsort(where, kind="stable")].tolist():
            pk_of[code] = resolve(reader.key_list[code])
        pa, pb = pk_of[ka], pk_of[kb]
        same = np.flatnonzero(pa == pb)
        for j in same.tolist():
            i = int(rows[j])
            exc = self._same_customer(
                int(pa[j]), reader.tokens[b_tok[i]], (first, second), EDGE_ENDS[kind][2]
            )
            record(exc.field, exc.value, exc.reason, name, int(lines[i]), block.texts(lo + i), kind)
        if same.size:
            keep = pa != pb
            pa, pb = pa[keep], pb[keep]
            ids = [e for e, k in zip(ids, keep.tolist(), strict=True) if k]
        at = _iso(template.at)
        batch = ResolvedBatch()
        batch.edges.append(
            EdgeColumns(kind, at, ids, pa, pb, _edge_attributes(template))  # type: ignore[arg-type]
        )
        batch.activity = dict.fromkeys(np.union1d(pa, pb).tolist(), (at, at))
        self._apply(batch)

    def _repeat(self, row: RawRow) -> int | None:
        """How many follow/share/referral events a row stands for (its ``count``).

        None (and the row quarantined) if the count is not a whole number >= 1.
        """
        assert row.fields is not None
        if "count" not in row.fields or row.fields.get("type") not in EDGE_ENDS:
            return 1  # elsewhere "count" is no field of the schema and is rejected as such
        count = row.fields["count"]
        repeat = count_value(count)
        if repeat is not None:
            return repeat
        self.quarantine.add(
            EventValidationError("count", count, _BAD_COUNT, source=row.source, line=row.line),
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
        for edges in batch.edges:
            if edges.event_ids:
                self._by_type[edges.type] += len(edges.event_ids)
        self._counts["accepted"] += batch.events - len(applied.duplicate_orders)
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


def _edge_attributes(event: Event) -> tuple[Any, ...]:
    """The fields of a follow, share or referral besides its ends, as in EdgeColumns."""
    if isinstance(event, FollowEvent):
        return (event.action == "follow", event.channel)
    if isinstance(event, ShareEvent):
        return (event.content_id, event.action, event.channel, event.campaign_id)
    assert isinstance(event, ReferralEvent)
    return (event.campaign_id, event.converted, event.order_id, event.reward)


def _located(exc: EventValidationError, raw: RawRow) -> EventValidationError:
    return EventValidationError(exc.field, exc.value, exc.reason, source=raw.source, line=raw.line)


@lru_cache(maxsize=4096)
def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def _raw(fields: dict[str, Any] | None) -> str:
    return json.dumps(fields, default=str, ensure_ascii=False)
