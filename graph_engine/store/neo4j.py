"""Neo4jStore: the production store, over the official ``neo4j`` driver.

Every statement comes from a file in ``cypher/`` (:mod:`graph_engine.store.cypher`),
runs with parameters only, inside managed transactions (``execute_read`` /
``execute_write``, which the driver retries on transient errors for up to
``neo4j_max_retry_seconds``). Writes are batched ``UNWIND $rows`` statements with
``MERGE``, safe to retry.

Graph model (``cypher/model.json`` lists every label, type and property)::

    (:Customer {pk, id, name, is_employee, employee_of, external_followers (JSON),
                tags, region, revenue_total, order_count, first_seen, last_active,
                + written-back tier, tier_level, tier_reason, community_id,
                social_value, influence, expected_reach, audience, participation,
                bridge, conversions, score_run_id})      labels :KOL :KOC :Employee
    (:Customer)-[:HAS_IDENTITY]->(:Identity {key, kind})
    (:Customer)-[:FOLLOWS {active, at, since, channel}]->(:Customer)
    (:Customer)-[:SHARED_TO {event_id, content_id, action, at, channel, campaign_id}]->(:Customer)
    (:Customer)-[:REFERRED {campaign_id, event_id, converted, order_id, reward, at}]->(:Customer)
    (:Customer)-[:PLACED]->(:Order)-[:IN_CAMPAIGN]->(:Campaign)
    (:Customer)-[:PERFORMED]->(:Engagement)
    (:MergedId {id, pk})-[:MERGED_INTO]->(:Customer)
    (:Event {event_id}) (:Merge) (:IngestRun) (:Run) (:Score) (:CommunityProfile)
    (:ApiKey) (:AuditEntry) (:Meta {key, value})

FOLLOWS keeps the current state (``active`` false after an unfollow, so an older
follow cannot resurrect it); analysts filter ``WHERE f.active``. A run's scores are
:Score nodes (what the :class:`~graph_engine.store.base.GraphStore` readers see, one
run at a time, switched atomically by the ``current_run`` pointer); after publishing,
they are also written back onto the customers in batches, stamped with the run id.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import numpy as np
from neo4j import exceptions as neo4j_errors

from graph_engine.config import Settings, get_settings
from graph_engine.errors import (
    ConflictError,
    GraphEngineError,
    NotFoundError,
    ParameterError,
    SchemaVersionError,
    StoreError,
    StoreUnavailableError,
)
from graph_engine.identity import IdentityState, Merge
from graph_engine.model import parse_reference
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store._common import (
    NEO4J_SCHEMES,
    assemble,
    check_relationships,
    now_iso,
    window_bounds,
)
from graph_engine.store._neo4j_runs import Neo4jRunsMixin
from graph_engine.store.base import (
    AppliedBatch,
    CampaignEvents,
    CustomerFeatures,
    CustomerRecord,
    IngestRecord,
    Link,
    MergeRecord,
    RelationshipType,
    ResolvedBatch,
    StoreStats,
)
from graph_engine.store.cypher import statement
from graph_engine.store.gds import GdsClient

__all__ = ["NEO4J_SCHEMES", "SCHEMA_VERSION", "Neo4jStore"]

#: Version of the constraints and indexes in ``cypher/schema/``.
SCHEMA_VERSION = 2  # 2: campaign plans (constraint), shares by campaign (index)
_LAST = 9_223_372_036_854_775_807
#: Field names of ``ResolvedBatch.shares`` tuples (the ``ingest/share`` row keys).
_SHARE_FIELDS = (
    "event_id",
    "sharer",
    "viewer",
    "content_id",
    "action",
    "at",
    "channel",
    "campaign_id",
)
T = TypeVar("T")
Tx = neo4j.ManagedTransaction


def _chunks(rows: Sequence[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _rounds(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
) -> list[list[dict[str, Any]]]:
    """Split rows so no round holds two rows with one key (later rows in later rounds).

    One ``UNWIND`` statement may read every row before writing any, so rows that
    update the same thing go in separate statements, in order.
    """
    rounds: list[list[dict[str, Any]]] = []
    depth: dict[Any, int] = {}
    for row in rows:
        k = key(row)
        i = depth.get(k, 0)
        depth[k] = i + 1
        if i == len(rounds):
            rounds.append([])
        rounds[i].append(row)
    return rounds


def _epoch(values: Iterable[str]) -> list[float]:
    return [datetime.fromisoformat(v).timestamp() for v in values]


class Neo4jStore(Neo4jRunsMixin):
    """The Neo4j 5 store.

    Parameters
    ----------
    url : str
        ``neo4j://host:7687`` (routing), ``bolt://host:7687`` (direct), ``+s`` (TLS,
        system CAs) or ``+ssc`` (TLS, self-signed) variants.
    settings : Settings, optional
        User, password (or password file), database, TLS, batch and page sizes.
    driver : neo4j.Driver, optional
        An existing driver (tests pass a recording fake); default: one made from
        ``url`` and ``settings``, checked with ``verify_connectivity``.
    identity_salt : str, optional
        As :class:`~graph_engine.store.sqlite.SQLiteStore`: kept per database.

    Raises
    ------
    StoreUnavailableError
        Not a Neo4j URL, no password, the server cannot be reached or refuses the
        credentials, or the database was created with another identity salt.
    SchemaVersionError
        The database was set up by a newer graph_engine.

    References
    ----------
    Neo4j Python driver manual, "Run your own transactions" (managed transactions and
    retries), https://neo4j.com/docs/python-manual/current/transactions/
    """

    def __init__(
        self,
        url: str,
        settings: Settings | None = None,
        *,
        driver: neo4j.Driver | None = None,
        identity_salt: str | None = None,
    ) -> None:
        scheme = url.partition("://")[0]
        if scheme not in NEO4J_SCHEMES or "://" not in url:
            raise StoreUnavailableError(
                f"store URL {url!r} is not a Neo4j URL (expected one of "
                f"{', '.join(s + '://' for s in NEO4J_SCHEMES)})"
            )
        self.url = url
        self.settings = settings or get_settings()
        self._batch = self.settings.neo4j_write_batch_size
        self._page = self.settings.neo4j_read_page_size
        self._readers = self.settings.neo4j_read_concurrency
        self._database = self.settings.neo4j_database
        self._shared = driver is None
        self._driver = driver if driver is not None else _DRIVERS.acquire(url, self.settings)
        self._closed = False
        try:
            self._ensure_schema()
            self._salt = self._init_salt(identity_salt)
        except BaseException:
            self.close()
            raise

    # -- lifecycle and plumbing -------------------------------------------------------
    def close(self) -> None:
        """Release the driver (closed with its pool when no store of this process uses it)."""
        if self._closed:
            return
        self._closed = True
        if self._shared:
            _DRIVERS.release(self._driver)
        else:
            self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[neo4j.Session]:
        try:
            with self._driver.session(database=self._database) as session:
                yield session
        except GraphEngineError:
            raise
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
            raise StoreUnavailableError(
                f"Neo4j at {self.url} is unavailable: {_one_line(exc)}"
            ) from None
        except neo4j_errors.AuthError as exc:
            raise StoreUnavailableError(f"Neo4j at {self.url} refused the login: {exc}") from None
        except neo4j_errors.Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.url}: {exc.code}: {exc.message}") from None
        except neo4j_errors.DriverError as exc:
            raise StoreError(f"Neo4j driver error ({self.url}): {exc}") from None

    def _read(self, work: Callable[[Tx], T]) -> T:
        with self._session() as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[Tx], T]) -> T:
        with self._session() as session:
            return session.execute_write(work)

    @staticmethod
    def _rows(tx: Tx, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named statement in ``tx``; its records as dicts."""
        return tx.run(statement(name).text, params).data()

    def _query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run one named read statement in its own read transaction."""
        return self._read(lambda tx: self._rows(tx, name, **params))

    def _rows_in(self, tx: Tx | None, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named read statement in ``tx``, or in a read transaction of its own."""
        return self._query(name, **params) if tx is None else self._rows(tx, name, **params)

    def _command(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run one named write statement in its own write transaction."""
        return self._write(lambda tx: self._rows(tx, name, **params))

    def _unwind(self, tx: Tx, name: str, rows: Sequence[Any], key: str = "rows", **kw: Any) -> None:
        for chunk in _chunks(rows, self._batch):
            self._rows(tx, name, **{key: chunk}, **kw)

    def _ensure_schema(self) -> None:
        found = self._query("meta/get", key="schema_version")
        version = found[0]["value"] if found else 0
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"Neo4j database schema version {version} is newer than this graph_engine "
                f"knows ({SCHEMA_VERSION}); upgrade graph_engine"
            )
        if version < SCHEMA_VERSION:
            self.setup_schema()

    def setup_schema(self) -> list[str]:
        """Create the constraints and indexes (idempotent); return the statements run."""
        ran = []
        for name in ("schema/constraints", "schema/indexes"):
            for text in statement(name).texts:

                def create(tx: Tx, text: str = text) -> None:
                    tx.run(text).consume()

                self._write(create)
                ran.append(text.strip().splitlines()[-1])
        self._command("meta/set", key="schema_version", value=SCHEMA_VERSION)
        return ran

    def _init_salt(self, given: str | None) -> str:
        salt = self.get_meta("identity_salt")
        if salt is not None:
            if given is not None and given != salt:
                raise StoreUnavailableError(
                    "this database was created with a different identity salt; hashed "
                    "phone numbers and e-mails would no longer match"
                )
            return salt
        wanted = given if given is not None else secrets.token_hex(16)
        kept = self._command("meta/init", key="identity_salt", value=wanted)
        self._command("meta/init", key="created_at", value=now_iso())
        return str(kept[0]["value"])

    def get_meta(self, key: str) -> str | None:
        """A database-level note, or None."""
        found = self._query("meta/get", key=key)
        return None if not found else str(found[0]["value"])

    def set_meta(self, key: str, value: str) -> None:
        """Set a database-level note."""
        self._command("meta/set", key=key, value=value)

    def _paged(self, name: str, cursor: str, start: Any, **params: Any) -> Iterator[dict[str, Any]]:
        """Every row of a keyset-paged read statement (``$after``, ``$page``)."""
        after = start
        while True:
            rows = self._query(name, after=after, page=self._page, **params)
            yield from rows
            if len(rows) < self._page:
                return
            after = rows[-1][cursor]

    # -- ingest side ------------------------------------------------------------------
    def identity_salt(self) -> str:
        """The salt this database hashes phone numbers and e-mails with."""
        return self._salt

    def identity_state(self) -> IdentityState:
        """Identity keys, customer ids and merges, read in pages."""
        keys = {r["key"]: r["customer"] for r in self._paged("read/identity_keys", "key", "")}
        ids: dict[str, int] = {}
        parents: dict[int, int] = {}
        top = 0
        for page_pks, page_ids in self._customer_pages():
            ids.update(zip(page_ids, page_pks, strict=True))
            top = max(top, *page_pks)
        for r in self._paged("read/merged_ids", "pk", 0):
            ids[r["id"]] = r["pk"]
            parents[r["pk"]] = r["parent"]
            top = max(top, r["pk"])
        return IdentityState(keys=keys, ids=ids, parents=parents, next_pk=top + 1)

    def known_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` already in the event log (looked up in batches)."""
        found: set[str] = set()
        for chunk in _chunks(list(event_ids), self._batch):
            found.update(r["event_id"] for r in self._query("ingest/known_events", event_ids=chunk))
        return found

    def apply(self, batch: ResolvedBatch) -> AppliedBatch:
        """Apply a resolved batch in one write transaction (batched ``UNWIND`` statements)."""
        return self._write(lambda tx: self._apply(tx, batch))

    def _apply(self, tx: Tx, batch: ResolvedBatch) -> AppliedBatch:
        unwind = self._unwind
        batch = batch.expanded()  # bulk edges as UNWIND rows, through the same statements
        unwind(tx, "ingest/customers", [{"pk": c.pk, "id": c.id} for c in batch.new_customers])
        unwind(
            tx,
            "ingest/identities",
            [{"key": k, "kind": k.partition(":")[0], "customer": pk} for k, pk in batch.new_keys],
        )
        unwind(
            tx,
            "ingest/event_log",
            [{"event_id": e, "type": t, "at": at} for e, t, at in batch.event_log],
        )
        campaigns = sorted(
            {s[7] for s in batch.shares if s[7]}
            | {r[3] for r in batch.referrals if r[3]}
            | {o[5] for o in batch.orders if o[5]}
        )
        unwind(tx, "ingest/campaigns", campaigns, key="ids")
        profiles = [
            {
                "customer": p.customer,
                "at": p.at,
                "name": p.name,
                "is_employee": p.is_employee,
                "employee_of": p.employee_of,
                "external_followers": None
                if p.external_followers is None
                else json.dumps(p.external_followers, sort_keys=True),
                "tags": None if p.tags is None else sorted(set(p.tags)),
                "region": p.region,
            }
            for p in batch.profiles
        ]
        for part in _rounds(profiles, lambda r: r["customer"]):
            unwind(tx, "ingest/customer", part)
        self._follows(
            tx,
            [
                {
                    "follower": f.follower,
                    "followee": f.followee,
                    "active": f.active,
                    "at": f.at,
                    "channel": f.channel,
                }
                for f in batch.follows
            ],
        )
        unwind(tx, "ingest/share", [dict(zip(_SHARE_FIELDS, s, strict=True)) for s in batch.shares])
        self._referrals(tx, [_referral_row(*r) for r in batch.referrals])
        duplicates = self._orders(tx, batch)
        unwind(
            tx,
            "ingest/engagement",
            [
                {"event_id": e, "customer": c, "kind": k, "content_id": ct, "at": at}
                for e, c, k, ct, at in batch.engagements
            ],
        )
        unwind(
            tx,
            "ingest/activity",
            [
                {"customer": pk, "first": first, "last": last}
                for pk, (first, last) in batch.activity.items()
            ],
        )
        loops = self._merges(tx, batch.merges)
        return AppliedBatch(duplicate_orders=duplicates, self_loops_dropped=loops)

    def _follows(self, tx: Tx, rows: list[dict[str, Any]]) -> None:
        for part in _rounds(rows, lambda r: (r["follower"], r["followee"])):
            self._unwind(tx, "ingest/follow", part)

    def _referrals(self, tx: Tx, rows: list[dict[str, Any]]) -> None:
        for part in _rounds(rows, lambda r: (r["referrer"], r["referee"], r["campaign_id"])):
            self._unwind(tx, "ingest/referral", part)

    def _orders(self, tx: Tx, batch: ResolvedBatch) -> tuple[str, ...]:
        if not batch.orders:
            return ()
        existing: set[str] = set()
        for chunk in _chunks([o[0] for o in batch.orders], self._batch):
            existing.update(
                r["order_id"] for r in self._rows(tx, "ingest/existing_orders", order_ids=chunk)
            )
        fresh, duplicates, seen = [], [], set(existing)
        for order_id, event_id, customer, amount, currency, campaign_id, at in batch.orders:
            if order_id in seen:
                duplicates.append(event_id)
                continue
            seen.add(order_id)
            fresh.append(
                {
                    "order_id": order_id,
                    "event_id": event_id,
                    "customer": customer,
                    "amount": float(amount),
                    "currency": currency,
                    "campaign_id": campaign_id,
                    "at": at,
                }
            )
        self._unwind(tx, "ingest/order", fresh)
        self._unwind(tx, "ingest/revenue", sorted({o["customer"] for o in fresh}), key="pks")
        return tuple(duplicates)

    def _merges(self, tx: Tx, merges: Sequence[tuple[Merge, str, str]]) -> int:
        """Apply a batch's identity merges in order inside ``tx``; return loops dropped.

        Merges go in waves, each step of a wave one statement for all its merges (a merge
        at a time cost seven round trips: a synthetic 1.5M-event load has 19k merges). A
        wave is a run of consecutive merges that cannot see each other: no customer is in
        two of them, and no merged customer has a relationship to another merge's
        customers. Such merges commute, so a wave gives exactly what one merge at a time
        gives. The first merge of a wave always qualifies.
        """
        loops = 0
        i = 0
        while i < len(merges):
            candidates: list[tuple[Merge, str, str]] = []
            pks: set[int] = set()
            for item in merges[i : i + self._batch]:
                own = {item[0].merged, item[0].survivor}
                if own & pks:
                    break
                candidates.append(item)
                pks |= own
            found = {
                r["merged"]: r
                for r in self._rows(
                    tx,
                    "ingest/merge_read",
                    merges=[{"merged": m.merged, "survivor": m.survivor} for m, _, _ in candidates],
                )
            }
            wave: list[tuple[Merge, str, str, dict[str, Any]]] = []
            members: set[int] = set()
            reached: set[int] = set()
            for merge, event_id, at in candidates:
                attached = found.get(merge.merged)
                if attached is None:
                    raise StoreError(
                        f"identity merge {merge.merged_id} -> {merge.survivor_id}: not found"
                    )
                own = {merge.merged, merge.survivor}
                ends = _endpoints(attached) - own
                if wave and (ends & members or own & reached):
                    break
                wave.append((merge, event_id, at, attached))
                members |= own
                reached |= ends
            loops += self._merge_wave(tx, wave)
            i += len(wave)
        return loops

    def _merge_wave(self, tx: Tx, wave: list[tuple[Merge, str, str, dict[str, Any]]]) -> int:
        """Fold each wave member's merged customer into its survivor; return loops dropped."""
        follows: list[dict[str, Any]] = []
        shares: list[dict[str, Any]] = []
        referrals: list[dict[str, Any]] = []
        logs: list[dict[str, Any]] = []
        finish: list[dict[str, Any]] = []
        total_loops = 0
        for merge, event_id, at, attached in wave:
            s, m = merge.survivor, merge.merged

            def moved_to_survivor(pk: int, s: int = s, m: int = m) -> int:
                return s if pk == m else pk

            moved = loops = 0
            for f in attached["follows"]:
                f["follower"], f["followee"] = map(
                    moved_to_survivor, (f["follower"], f["followee"])
                )
                if f["follower"] == f["followee"]:
                    loops += 1
                else:
                    moved += 1
                    follows.append(f)
            for x in attached["shares"]:
                x["sharer"], x["viewer"] = map(moved_to_survivor, (x["sharer"], x["viewer"]))
                if x["sharer"] == x["viewer"]:
                    loops += 1
                else:
                    moved += 1
                    shares.append(x)
            for r in attached["referrals"]:
                r["referrer"], r["referee"] = map(moved_to_survivor, (r["referrer"], r["referee"]))
                if r["referrer"] == r["referee"]:
                    loops += 1
                else:
                    moved += 1
                    referrals.append(r)
            finish.append(
                {
                    "merged": m,
                    "survivor": s,
                    "profile": _merged_profile(attached["survivor"], attached["merged_profile"]),
                }
            )
            logs.append(
                {
                    "survivor": s,
                    "merged": m,
                    "survivor_id": merge.survivor_id,
                    "merged_id": merge.merged_id,
                    "reason": merge.reason,
                    "evidence": list(merge.evidence),
                    "event_id": event_id,
                    "at": at,
                    "recorded_at": now_iso(),
                    "edges_repointed": moved,
                    "self_loops_dropped": loops,
                }
            )
            total_loops += loops
        follows.sort(key=lambda f: f["at"])
        self._follows(tx, follows)
        self._unwind(tx, "ingest/share", shares)
        self._referrals(tx, referrals)
        pairs = [{"merged": f["merged"], "survivor": f["survivor"]} for f in finish]
        self._rows(tx, "ingest/merge_move", merges=pairs)
        self._rows(tx, "ingest/merge_finish", merges=finish)
        self._rows(tx, "ingest/merge_log", rows=logs)
        return total_loops

    def record_ingest(self, report: dict[str, Any]) -> None:
        """Keep an ingest run's report."""
        self._command(
            "ingest/record_run", finished_at=now_iso(), report=json.dumps(report, default=str)
        )

    # -- read side --------------------------------------------------------------------
    def stats(self) -> StoreStats:
        """Counts of customers, identities, merges, edges by type, orders, engagements."""
        (r,) = self._query("read/stats")
        return StoreStats(
            customers=r["customers"],
            identities=r["identities"],
            merges=r["merges"],
            edges={"FOLLOWS": r["follows"], "SHARED_TO": r["shared_to"], "REFERRED": r["referred"]},
            orders=r["orders"],
            engagements=r["engagements"],
            events=r["events"],
        )

    def _resolve(self, reference: str, tx: Tx | None = None) -> tuple[int, str]:
        """(pk, canonical id) of a customer by id, merged id or identity key (in ``tx``
        when given: a lookup and the read it serves share one transaction)."""
        try:
            key: str | None = parse_reference(reference, self._salt)
            problem = None
        except ValueError as exc:
            key, problem = None, exc
        found = self._rows_in(tx, "read/resolve", id=reference, key=key)
        if not found or found[0]["pk"] is None:
            if problem is not None:
                raise NotFoundError(f"customer {reference!r}: {problem}")
            raise NotFoundError(f"no customer with id or identity {reference!r}")
        return int(found[0]["pk"]), str(found[0]["id"])

    def _pk_of(self, reference: str) -> int:
        return self._resolve(reference)[0]

    def _customer_row(self, pk: int, tx: Tx | None = None) -> dict[str, Any]:
        found = self._rows_in(tx, "read/customer", pk=pk)
        if not found:
            raise NotFoundError(f"customer pk {pk} vanished (merged meanwhile?)")
        return found[0]

    def customer(self, reference: str) -> CustomerRecord:
        """One customer by canonical id, an id merged into it, or any identity key.

        Raises
        ------
        NotFoundError
            Nobody is known by ``reference``.
        """
        row = self._read(lambda tx: self._customer_row(self._resolve(reference, tx)[0], tx))
        c = row["customer"]
        return CustomerRecord(
            id=c["id"],
            name=c["name"],
            is_employee=bool(c["is_employee"]),
            employee_of=c["employee_of"],
            external_followers=json.loads(c["external_followers"] or "{}"),
            tags=tuple(c["tags"] or ()),
            region=c["region"],
            revenue_total=float(c["revenue_total"] or 0.0),
            order_count=int(c["order_count"] or 0),
            first_seen=c["first_seen"],
            last_active=c["last_active"],
            identities=tuple(sorted(row["identities"])),
            merged_ids=tuple(a["id"] for a in sorted(row["merged"], key=lambda a: a["pk"])),
            follows=row["follows"],
            followers=row["followers"],
        )

    def ingest_history(self, limit: int = 20) -> list[IngestRecord]:
        """The last ``limit`` ingest reports, newest first."""
        rows = self._query("read/ingest_history", limit=limit)
        return [IngestRecord(r["finished_at"], json.loads(r["report"])) for r in rows]

    def customer_names(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Display names of canonical customer ids (unknown ids are left out)."""
        return {r["id"]: r["name"] for r in self._query("read/customer_names", ids=list(ids))}

    def campaign_events(self, campaign_id: str) -> CampaignEvents:
        """The share actions and orders tagged with ``campaign_id``, oldest first."""
        shares = self._query("read/campaign_shares", campaign=campaign_id)
        orders = self._query("read/campaign_orders", campaign=campaign_id)
        return CampaignEvents(
            campaign_id,
            tuple(
                (r["sharer"], r["viewer"], r["action"], datetime.fromisoformat(r["at"]))
                for r in shares
            ),
            tuple(
                (r["customer"], float(r["amount"]), r["currency"], datetime.fromisoformat(r["at"]))
                for r in orders
            ),
        )

    def save_campaign_plan(
        self, campaign_id: str, plan: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Keep a campaign's plan (``ConflictError`` if it has one, unless ``replace``)."""
        created_at = now_iso()
        (row,) = self._command(
            "campaigns/save_plan",
            campaign=campaign_id,
            created_at=created_at,
            plan=json.dumps(plan, default=str),
            replace=replace,
        )
        if row["created_at"] != created_at:
            raise ConflictError(
                f"campaign {campaign_id!r} already has a plan (made {row['created_at']}); "
                "replace it explicitly"
            )

    def campaign_plan(self, campaign_id: str) -> dict[str, Any]:
        """A campaign's plan (``NotFoundError`` when it has none)."""
        rows = self._query("campaigns/plan", campaign=campaign_id)
        if not rows:
            raise NotFoundError(f"campaign {campaign_id!r} has no plan")
        return {**json.loads(rows[0]["plan"]), "created_at": rows[0]["created_at"]}

    def campaign_plans(self) -> list[dict[str, Any]]:
        """``{campaign_id, created_at}`` of every plan, newest first."""
        return [
            {"campaign_id": r["campaign_id"], "created_at": r["created_at"]}
            for r in self._query("campaigns/plans")
        ]

    def relationships(
        self, ids: Sequence[str], *, among: bool = True, limit: int = 10_000
    ) -> list[Link]:
        """Current relationships between (``among``) or touching customers of ``ids``,
        counted per pair and type, the most counted first, at most ``limit``."""
        name = "read/relationships_among" if among else "read/relationships_touching"
        rows = self._query(name, ids=list(ids), limit=limit)
        return [Link(r["source"], r["target"], r["type"], r["weight"]) for r in rows]

    def merges(self, limit: int | None = None) -> list[MergeRecord]:
        """The merge log, oldest first."""
        rows = self._query("read/merges", limit=_LAST if limit is None else limit)
        return [
            MergeRecord(
                survivor_id=m["survivor_id"],
                merged_id=m["merged_id"],
                reason=m["reason"],
                evidence=tuple(m["evidence"]),
                event_id=m["event_id"],
                at=m["at"],
                recorded_at=datetime.fromisoformat(m["recorded_at"]),
                edges_repointed=m["edges_repointed"],
                self_loops_dropped=m["self_loops_dropped"],
            )
            for m in (r["merge"] for r in rows)
        ]

    def _customers(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Current customers by pk: pks, ids, and pk -> position lookup."""
        pks_list: list[int] = []
        ids: list[str] = []
        for page_pks, page_ids in self._customer_pages():
            pks_list.extend(page_pks)
            ids.extend(page_ids)
        pks = np.asarray(pks_list, dtype=np.int64)
        position = np.full(int(pks.max()) + 1 if pks.size else 1, -1, dtype=np.int64)
        position[pks] = np.arange(pks.size, dtype=np.int64)
        return pks, ids, position

    def _customer_pages(self) -> Iterator[tuple[list[int], list[str]]]:
        """Current customers in pk order, a page (pks, ids) at a time (keyset on pk)."""
        after = 0
        while True:
            rows = self._query("read/customer_pks", after=after, page=self._page)
            pks: list[int] = rows[0]["pk"] if rows else []
            if pks:
                yield pks, rows[0]["id"]
            if len(pks) < self._page:
                return
            after = pks[-1]

    def _page_reads(self, name: str, pks: np.ndarray, **params: Any) -> list[list[dict[str, Any]]]:
        """``name`` run on every page of ``pks``, pages in order, ``neo4j_read_concurrency``
        read transactions at a time (the server spends most of a page's time; pages are
        independent)."""
        pages = list(self._pages(pks))
        if self._readers <= 1 or len(pages) <= 1:
            return [self._query(name, **page, **params) for page in pages]
        with ThreadPoolExecutor(self._readers, thread_name_prefix="neo4j-read") as pool:
            return list(pool.map(lambda page: self._query(name, **page, **params), pages))

    def _pages(self, pks: np.ndarray) -> Iterator[dict[str, int]]:
        """Pages of current customers as pk ranges ``{lo, hi}`` (``pks`` is sorted).

        A range is one index seek whatever the planner estimates; a list of pks to
        ``UNWIND`` was planned, on a live server, as a scan of the whole pk index per
        listed pk (quadratic in the number of customers).
        """
        for i in range(0, pks.size, self._page):
            yield {"lo": int(pks[i]), "hi": int(pks[min(i + self._page, pks.size) - 1])}

    def snapshot(
        self,
        relationships: Iterable[RelationshipType] = ("FOLLOWS",),
        *,
        influence: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> GraphSnapshot:
        """Read the customer graph into a :class:`GraphSnapshot`, streamed in pages.

        Same contract as :meth:`SQLiteStore.snapshot
        <graph_engine.store.sqlite.SQLiteStore.snapshot>`. Edges are read per page of
        ``neo4j_read_page_size`` source customers (no whole-graph ``collect``); each page
        is its own read transaction, so writes landing meanwhile may show in later pages.
        """
        rels = check_relationships(relationships)
        window = window_bounds(since, until)
        pks, ids, position = self._customers()
        columns = {
            "FOLLOWS": ("read/follows_page", ("source", "target"), {}),
            "SHARED_TO": (
                "read/shares_page",
                ("source", "target", "shares", "views", "clicks", "conversions", "acted"),
                window,
            ),
            "REFERRED": ("read/referrals_page", ("source", "target", "converted"), window),
        }
        parts: list[tuple[str, np.ndarray]] = []
        for rel in rels:
            name, cols, params = columns[rel]
            chunks: list[np.ndarray] = [np.zeros((0, len(cols)), dtype=np.int64)]
            for rows in self._page_reads(name, pks, **params):
                for r in rows:
                    chunks.append(np.array([r[c] for c in cols], dtype=np.int64).T)
            parts.append((rel, np.concatenate(chunks).reshape(-1, len(cols))))
        actions = np.zeros(len(ids), dtype=np.int64)
        for rows in self._page_reads("read/actions_page", pks, **window):
            for r in rows:
                actions[position[r["pk"]]] = r["actions"]
        return assemble(parts, position, ids, influence, actions)

    def referral_rows(
        self, campaign_id: str | None = None
    ) -> list[tuple[str, str, str, datetime, bool]]:
        """The referral log: ``(referrer id, referee id, campaign id, at, converted)``."""
        rows = self._query("read/referral_rows", campaign=campaign_id)
        return [
            (
                r["referrer"],
                r["referee"],
                r["campaign"],
                datetime.fromisoformat(r["at"]),
                bool(r["converted"]),
            )
            for r in rows
        ]

    def customer_features(self) -> CustomerFeatures:
        """Everything scoring needs per customer, aligned with ``snapshot()``'s ids."""
        pks, ids, position = self._customers()
        n = len(ids)
        is_employee = np.zeros(n, dtype=np.bool_)
        followers = np.zeros(n, dtype=np.int64)
        conversions = np.zeros(n, dtype=np.int64)
        external: list[dict[str, int]] = [{} for _ in range(n)]
        tags: list[tuple[str, ...]] = [() for _ in range(n)]
        events: dict[str, tuple[list[int], list[float], list[float]]] = {
            k: ([], [], []) for k in ("engagements", "shares", "referrals", "orders")
        }
        labels: dict[str, list[str]] = {"engagements": [], "orders": []}
        touch_sharer: list[int] = []
        touch_viewer: list[int] = []
        touch_at: list[str] = []

        def add(kind: str, i: int, times: list[float], values: list[float] | None = None) -> None:
            who, when, amount = events[kind]
            who.extend([i] * len(times))
            when.extend(times)
            if values is not None:
                amount.extend(values)

        for rows in self._page_reads("read/features_page", pks):
            for r in rows:
                for k, pk in enumerate(r["pk"]):
                    i = int(position[pk])
                    is_employee[i] = bool(r["is_employee"][k])
                    followers[i] = r["followers"][k]
                    conversions[i] = r["conversions"][k]
                    external[i] = json.loads(r["external_followers"][k])
                    tags[i] = tuple(r["tags"][k])
                    engaged = r["engagements"][k]
                    add("engagements", i, _epoch(e[0] for e in engaged))
                    labels["engagements"].extend(e[1] for e in engaged)
                    first: dict[str, str] = {}
                    for content, at in r["shares"][k]:
                        if content not in first or at < first[content]:
                            first[content] = at
                    add("shares", i, _epoch(first.values()))
                    add("referrals", i, _epoch(r["referrals"][k]))
                    for viewer_pk, at in r["touches"][k]:
                        touch_sharer.append(i)
                        touch_viewer.append(int(position[viewer_pk]))
                        touch_at.append(at)
                    orders = r["orders"][k]
                    add("orders", i, _epoch(o[0] for o in orders), [o[1] for o in orders])
                    labels["orders"].extend(o[2] for o in orders)

        def cols(kind: str) -> tuple[np.ndarray, ...]:
            who, when, amount = events[kind]
            out = [np.asarray(who, dtype=np.int64), np.asarray(when, dtype=np.float64)]
            if kind == "orders":
                out.append(np.asarray(amount, dtype=np.float64))
            return tuple(out)

        return CustomerFeatures(
            ids=tuple(ids),
            is_employee=is_employee,
            external_followers=tuple(external),
            tags=tuple(tags),
            followers=followers,
            engagements=cols("engagements"),  # type: ignore[arg-type]
            shares=cols("shares"),  # type: ignore[arg-type]
            referrals=cols("referrals"),  # type: ignore[arg-type]
            orders=cols("orders"),  # type: ignore[arg-type]
            conversions=conversions,
            engagement_kinds=np.asarray(labels["engagements"], dtype=object),
            share_touches=(
                np.asarray(touch_sharer, dtype=np.int64),
                np.asarray(touch_viewer, dtype=np.int64),
                np.asarray(_epoch(touch_at), dtype=np.float64),
            ),
            order_currencies=np.asarray(labels["orders"], dtype=object),
        )

    def segment(self, *, tag: str | None = None, campaign: str | None = None) -> list[str]:
        """Customer ids with ``tag``, or who converted in ``campaign`` (referral or order)."""
        if (tag is None) == (campaign is None):
            raise ParameterError("segment: give exactly one of tag or campaign")
        if tag is not None:
            rows = self._query("read/segment_tag", tag=tag)
        else:
            rows = self._query("read/segment_campaign", campaign=campaign)
        return [r["id"] for r in rows]

    def gds(self) -> GdsClient | None:
        """The server's Graph Data Science library, or None when it is not installed."""
        client = GdsClient(self._auto_commit, self.url)
        return client if client.installed() else None

    def _auto_commit(self, name: str, params: Any) -> list[dict[str, Any]]:
        """Run a named statement in an auto-commit transaction (GDS procedures manage
        their own state and must not be retried as a unit)."""
        with self._session() as session:
            return session.run(statement(name).text, dict(params)).data()

    def delete_everything(self, *, confirm: str) -> int:
        """Delete every node of the database (batched); ``confirm`` must be the URL.

        For disposable test databases only (the live test-suite uses it).
        """
        if confirm != self.url:
            raise StoreError("delete_everything: confirm with the store URL")
        total = 0
        while deleted := self._command("admin/delete_all", batch_size=self._batch)[0]["deleted"]:
            total += deleted
        self._forget_current()
        self._ensure_schema()
        self._salt = self._init_salt(self._salt)
        return total


def _referral_row(
    event_id: str,
    referrer: int,
    referee: int,
    campaign_id: str | None,
    converted: bool,
    order_id: str | None,
    reward: float | None,
    at: str,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "referrer": referrer,
        "referee": referee,
        "campaign_id": campaign_id or "",
        "converted": bool(converted),
        "order_id": order_id,
        "reward": reward,
        "at": at,
    }


def _endpoints(attached: dict[str, Any]) -> set[int]:
    """Every customer at either end of a merged customer's relationships."""
    ends: set[int] = set()
    for f in attached["follows"]:
        ends.update((f["follower"], f["followee"]))
    for x in attached["shares"]:
        ends.update((x["sharer"], x["viewer"]))
    for r in attached["referrals"]:
        ends.update((r["referrer"], r["referee"]))
    return ends


def _merged_profile(keep: dict[str, Any], gone: dict[str, Any]) -> dict[str, Any]:
    """The survivor's profile after a merge (as the SQLite store combines them)."""
    followers = json.loads(keep["external_followers"] or "{}")
    for platform, count in json.loads(gone["external_followers"] or "{}").items():
        followers[platform] = max(count, followers.get(platform, 0))

    def first(field: str) -> Any:
        return keep[field] if keep[field] is not None else gone[field]

    def present(field: str) -> list[str]:
        return [v for v in (keep[field], gone[field]) if v is not None]

    return {
        "name": first("name"),
        "is_employee": bool(keep["is_employee"]) or bool(gone["is_employee"]),
        "employee_of": first("employee_of"),
        "external_followers": json.dumps(followers, sort_keys=True),
        "tags": sorted(set(keep["tags"] or ()) | set(gone["tags"] or ())),
        "region": first("region"),
        "profile_at": max(present("profile_at"), default=None),
        "first_seen": min(present("first_seen"), default=None),
        "last_active": max(present("last_active"), default=None),
    }


class _DriverPool:
    """One driver per (URL, user, database, TLS) in a process, shared by its stores.

    A driver is thread-safe and owns a connection pool; the API opens a store per
    worker thread, and they should share one pool rather than open one each.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._drivers: dict[tuple[Any, ...], list[Any]] = {}

    @staticmethod
    def _key(url: str, settings: Settings) -> tuple[Any, ...]:
        return (
            url,
            settings.neo4j_user,
            _password(settings),
            settings.neo4j_encrypted,
            str(settings.neo4j_trusted_ca_file),
            settings.neo4j_max_retry_seconds,
        )

    def acquire(self, url: str, settings: Settings) -> neo4j.Driver:
        key = self._key(url, settings)
        with self._lock:
            entry = self._drivers.get(key)
            if entry is None:
                entry = self._drivers[key] = [_connect(url, settings), 0]
            entry[1] += 1
            return entry[0]  # type: ignore[no-any-return]

    def release(self, driver: neo4j.Driver) -> None:
        with self._lock:
            for key, entry in list(self._drivers.items()):
                if entry[0] is driver:
                    entry[1] -= 1
                    if entry[1] == 0:
                        del self._drivers[key]
                        driver.close()
                    return


_DRIVERS = _DriverPool()


def _one_line(exc: BaseException) -> str:
    """The driver's message on one line (it spreads some over several)."""
    return " ".join(str(exc).split())


def _password(settings: Settings) -> str:
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    path = settings.neo4j_password_file
    if path is None:
        raise StoreUnavailableError(
            "Neo4j password not set: give GRAPH_ENGINE_NEO4J_PASSWORD or "
            "GRAPH_ENGINE_NEO4J_PASSWORD_FILE"
        )
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise StoreUnavailableError(
            f"GRAPH_ENGINE_NEO4J_PASSWORD_FILE {str(path)!r}: {exc.strerror}"
        ) from None
    if not lines or not lines[0]:
        raise StoreUnavailableError(f"GRAPH_ENGINE_NEO4J_PASSWORD_FILE {str(path)!r} is empty")
    return lines[0]


def _connect(url: str, settings: Settings) -> neo4j.Driver:
    """A driver for ``url``, checked with ``verify_connectivity``."""
    options: dict[str, Any] = {
        "max_transaction_retry_time": settings.neo4j_max_retry_seconds,
        "user_agent": "graph_engine",
    }
    plain = "+" not in url.partition("://")[0]
    if settings.neo4j_trusted_ca_file is not None or settings.neo4j_encrypted:
        if not plain:
            raise StoreUnavailableError(
                f"store URL {url!r} already chooses TLS by its scheme; unset "
                "GRAPH_ENGINE_NEO4J_ENCRYPTED / GRAPH_ENGINE_NEO4J_TRUSTED_CA_FILE or use "
                "neo4j:// / bolt://"
            )
        options["encrypted"] = True
        ca = settings.neo4j_trusted_ca_file
        options["trusted_certificates"] = (
            neo4j.TrustCustomCAs(str(ca)) if ca is not None else neo4j.TrustSystemCAs()
        )
    try:
        driver = neo4j.GraphDatabase.driver(
            url, auth=(settings.neo4j_user, _password(settings)), **options
        )
    except (neo4j_errors.ConfigurationError, ValueError) as exc:
        raise StoreUnavailableError(f"store URL {url!r}: {exc}") from None
    try:
        driver.verify_connectivity()
    except neo4j_errors.AuthError as exc:
        driver.close()
        raise StoreUnavailableError(
            f"Neo4j at {url} refused user {settings.neo4j_user!r}: {exc.message}"
        ) from None
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
        driver.close()
        raise StoreUnavailableError(f"cannot reach Neo4j at {url}: {_one_line(exc)}") from None
    return driver
