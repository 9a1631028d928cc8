"""SQLiteStore: the embedded default store (stdlib :mod:`sqlite3`, WAL journal).

Tables hold the identity-resolved graph: customers, identity keys, the merge log,
FOLLOWS (current state, last write by event time wins, so an unfollow removes the
edge), raw share events (SHARED_TO is their aggregate per sharer and viewer),
REFERRED (one row per referrer, referee and campaign), orders, engagements, and the
log of applied event ids that makes ingest idempotent. Every batch is one
transaction, so an interrupted ingest leaves whole batches only.

The schema is versioned (``PRAGMA user_version``) and migrated forward on open.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from graph_engine.errors import (
    ConflictError,
    NotFoundError,
    SchemaVersionError,
    StoreUnavailableError,
)
from graph_engine.identity import IdentityState, Merge
from graph_engine.model import parse_reference
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store._common import assemble, check_relationships, now_iso, window_bounds
from graph_engine.store._sqlite_keys import MIGRATION as KEYS_MIGRATION
from graph_engine.store._sqlite_keys import KeysMixin
from graph_engine.store._sqlite_runs import MIGRATION as RUNS_MIGRATION
from graph_engine.store._sqlite_runs import RunsMixin, migrate_scores_per_run
from graph_engine.store.base import (
    AppliedBatch,
    CampaignEvents,
    CustomerRecord,
    EdgeColumns,
    IngestRecord,
    Link,
    MergeRecord,
    RelationshipType,
    ResolvedBatch,
    StoreStats,
)
from graph_engine.store.gds import GdsClient

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

_MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: initial schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE customers (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT, is_employee INTEGER NOT NULL DEFAULT 0, employee_of TEXT,
        external_followers TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '[]',
        region TEXT, profile_at TEXT,
        revenue_total REAL NOT NULL DEFAULT 0, order_count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT, last_active TEXT,
        merged_into INTEGER
    );
    CREATE INDEX customers_merged_into ON customers(merged_into) WHERE merged_into IS NOT NULL;
    CREATE TABLE identities (
        key TEXT PRIMARY KEY, kind TEXT NOT NULL, customer INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX identities_customer ON identities(customer);
    CREATE TABLE merges (
        seq INTEGER PRIMARY KEY, survivor INTEGER NOT NULL, merged INTEGER NOT NULL,
        survivor_id TEXT NOT NULL, merged_id TEXT NOT NULL, reason TEXT NOT NULL,
        evidence TEXT NOT NULL, event_id TEXT NOT NULL, at TEXT NOT NULL,
        recorded_at TEXT NOT NULL, edges_repointed INTEGER NOT NULL,
        self_loops_dropped INTEGER NOT NULL
    );
    CREATE TABLE follows (
        follower INTEGER NOT NULL, followee INTEGER NOT NULL,
        active INTEGER NOT NULL, at TEXT NOT NULL, since TEXT, channel TEXT,
        PRIMARY KEY (follower, followee)
    ) WITHOUT ROWID;
    CREATE INDEX follows_followee ON follows(followee);
    CREATE TABLE share_events (
        event_id TEXT PRIMARY KEY, sharer INTEGER NOT NULL, viewer INTEGER NOT NULL,
        content_id TEXT NOT NULL, action TEXT NOT NULL, at TEXT NOT NULL,
        channel TEXT, campaign_id TEXT
    );
    CREATE INDEX share_events_pair ON share_events(sharer, viewer);
    CREATE INDEX share_events_viewer ON share_events(viewer);
    CREATE TABLE referrals (
        referrer INTEGER NOT NULL, referee INTEGER NOT NULL, campaign_id TEXT NOT NULL,
        event_id TEXT NOT NULL, converted INTEGER NOT NULL, order_id TEXT, reward REAL,
        at TEXT NOT NULL,
        PRIMARY KEY (referrer, referee, campaign_id)
    ) WITHOUT ROWID;
    CREATE INDEX referrals_referee ON referrals(referee);
    CREATE TABLE orders (
        order_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, customer INTEGER NOT NULL,
        amount REAL NOT NULL, currency TEXT NOT NULL, campaign_id TEXT, at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX orders_customer ON orders(customer);
    CREATE TABLE engagements (
        event_id TEXT PRIMARY KEY, customer INTEGER NOT NULL, kind TEXT NOT NULL,
        content_id TEXT, at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX engagements_customer ON engagements(customer);
    CREATE TABLE event_log (
        event_id TEXT PRIMARY KEY, type TEXT NOT NULL, at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE ingest_runs (
        seq INTEGER PRIMARY KEY, finished_at TEXT NOT NULL, report TEXT NOT NULL
    );
    """,
    # 2: versioned runs, scores, community profiles
    RUNS_MIGRATION,
    # 3: API keys (hashed) and the audit log
    KEYS_MIGRATION,
    # 4: campaign plans; the events of one campaign found without a scan
    """
    CREATE TABLE campaign_plans (
        campaign_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, plan TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX share_events_campaign ON share_events(campaign_id)
        WHERE campaign_id IS NOT NULL;
    CREATE INDEX orders_campaign ON orders(campaign_id) WHERE campaign_id IS NOT NULL
    """,
    # 5: a table of scores per run; score details as numbers
    migrate_scores_per_run,
)
SCHEMA_VERSION = len(_MIGRATIONS)
#: page size of databases this store creates (an existing one keeps its own)
PAGE_SIZE = 16_384

_UPSERT_FOLLOW = """
INSERT INTO follows (follower, followee, active, at, since, channel)
VALUES (?1, ?2, ?3, ?4, CASE WHEN ?3 THEN ?4 END, ?5)
ON CONFLICT (follower, followee) DO UPDATE SET
    since = CASE WHEN excluded.active AND NOT follows.active THEN excluded.at
                 WHEN excluded.active THEN follows.since END,
    active = excluded.active,
    at = excluded.at,
    channel = coalesce(excluded.channel, follows.channel)
WHERE excluded.at >= follows.at
"""
# the same upsert over a staged JSON array of follower << 32 | followee (sorted)
_BULK_FOLLOW = _UPSERT_FOLLOW.replace(
    "VALUES (?1, ?2, ?3, ?4, CASE WHEN ?3 THEN ?4 END, ?5)",
    "SELECT value >> 32, value & 4294967295, ?2, ?3, CASE WHEN ?2 THEN ?3 END, ?4 "
    "FROM json_each(?1) WHERE true",
)
assert _BULK_FOLLOW != _UPSERT_FOLLOW
_UPSERT_REFERRAL = """
INSERT INTO referrals (referrer, referee, campaign_id, event_id, converted, order_id, reward, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (referrer, referee, campaign_id) DO UPDATE SET
    converted = max(referrals.converted, excluded.converted),
    order_id = coalesce(referrals.order_id, excluded.order_id),
    reward = CASE WHEN referrals.reward IS NULL AND excluded.reward IS NULL THEN NULL
                  ELSE coalesce(referrals.reward, 0) + coalesce(excluded.reward, 0) END,
    at = min(referrals.at, excluded.at),
    event_id = CASE WHEN excluded.at < referrals.at THEN excluded.event_id
                    ELSE referrals.event_id END
"""
#: a bulk batch at least this large may rebuild a table's indexes instead of updating them
_REBUILD_AT = 100_000


def _insert_shares(db: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Share events as :attr:`ResolvedBatch.shares` rows."""
    db.executemany("INSERT INTO share_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _upsert_referrals(db: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Referrals as :attr:`ResolvedBatch.referrals` rows (one per referrer, referee and
    campaign; a missing campaign is stored as '')."""
    db.executemany(
        _UPSERT_REFERRAL,
        ((r[1], r[2], r[3] or "", r[0], r[4], r[5], r[6], r[7]) for r in rows),
    )


@contextmanager
def _indexes_rebuilt(db: sqlite3.Connection, table: str, rows: int) -> Iterator[None]:
    """Drop ``table``'s secondary indexes around a bulk insert of ``rows`` rows if the
    insert is at least as large as the table, and create them again after it."""
    if rows < _REBUILD_AT or db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > rows:
        yield
        return
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table,),
    ).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        db.execute(sql)


_REVENUE = """
UPDATE customers SET
    revenue_total = coalesce((SELECT sum(amount) FROM orders WHERE customer = customers.pk), 0),
    order_count = (SELECT count(*) FROM orders WHERE customer = customers.pk)
WHERE pk = ?
"""

# Relationships between a set of customers, counted per pair and type. Ids come as one
# JSON array (?1), the limit is ?2. Each branch walks an index from the chosen customers
# (CROSS JOIN keeps them the outer loop) and tests the other end against the set with the
# index turned off (unary +): probing the pair index once per member of the set for every
# member was 2000 x 2000 lookups for a 2,000-member community.
_CHOSEN = """
WITH chosen(pk) AS MATERIALIZED (
    SELECT pk FROM customers WHERE merged_into IS NULL AND id IN (SELECT value FROM json_each(?1))
)
"""
_NAMED = """
) AS l JOIN customers s ON s.pk = l.a JOIN customers t ON t.pk = l.b
ORDER BY l.n DESC, s.id, t.id, l.type
LIMIT ?2
"""
_LINKS_AMONG = (
    _CHOSEN
    + """
SELECT s.id, t.id, l.type, l.n FROM (
    SELECT f.follower AS a, f.followee AS b, 'FOLLOWS' AS type, 1 AS n
    FROM chosen c CROSS JOIN follows f ON f.follower = c.pk
    WHERE f.active AND +f.followee IN chosen
    UNION ALL
    SELECT e.sharer, e.viewer, 'SHARED_TO', count(*)
    FROM chosen c CROSS JOIN share_events e ON e.sharer = c.pk
    WHERE +e.viewer IN chosen GROUP BY e.sharer, e.viewer
    UNION ALL
    SELECT r.referrer, r.referee, 'REFERRED', count(*)
    FROM chosen c CROSS JOIN referrals r ON r.referrer = c.pk
    WHERE +r.referee IN chosen GROUP BY r.referrer, r.referee
"""
    + _NAMED
)
# touching: every relationship from a chosen customer, then every one into a chosen
# customer from outside the set (those from inside were counted already)
_LINKS_TOUCHING = (
    _CHOSEN
    + """
SELECT s.id, t.id, l.type, l.n FROM (
    SELECT f.follower AS a, f.followee AS b, 'FOLLOWS' AS type, 1 AS n
    FROM chosen c CROSS JOIN follows f ON f.follower = c.pk WHERE f.active
    UNION ALL
    SELECT f.follower, f.followee, 'FOLLOWS', 1
    FROM chosen c CROSS JOIN follows f ON f.followee = c.pk
    WHERE f.active AND +f.follower NOT IN chosen
    UNION ALL
    SELECT e.sharer, e.viewer, 'SHARED_TO', count(*)
    FROM chosen c CROSS JOIN share_events e ON e.sharer = c.pk GROUP BY e.sharer, e.viewer
    UNION ALL
    SELECT e.sharer, e.viewer, 'SHARED_TO', count(*)
    FROM chosen c CROSS JOIN share_events e ON e.viewer = c.pk
    WHERE +e.sharer NOT IN chosen GROUP BY e.sharer, e.viewer
    UNION ALL
    SELECT r.referrer, r.referee, 'REFERRED', count(*)
    FROM chosen c CROSS JOIN referrals r ON r.referrer = c.pk GROUP BY r.referrer, r.referee
    UNION ALL
    SELECT r.referrer, r.referee, 'REFERRED', count(*)
    FROM chosen c CROSS JOIN referrals r ON r.referee = c.pk
    WHERE +r.referrer NOT IN chosen GROUP BY r.referrer, r.referee
"""
    + _NAMED
)


class SQLiteStore(RunsMixin, KeysMixin):
    """The embedded store.

    Parameters
    ----------
    url : str
        ``sqlite:///relative/or/absolute.db`` or ``sqlite:///:memory:``.
    identity_salt : str, optional
        Salt for phone / e-mail hashes. If not given, a database keeps the random salt
        it made at creation. A database created with one salt refuses another.

    Raises
    ------
    StoreUnavailableError
        The URL is not a SQLite URL, or the file cannot be opened or is no database.
    SchemaVersionError
        The database was written by a newer graph_engine.

    Examples
    --------
    >>> store = SQLiteStore("sqlite:///:memory:")
    >>> store.stats().customers
    0
    """

    def __init__(self, url: str, *, identity_salt: str | None = None) -> None:
        if not url.startswith("sqlite:///"):
            raise StoreUnavailableError(
                f"store URL {url!r} is not a SQLite URL (expected sqlite:///path.db)"
            )
        self.url = url
        path = url[len("sqlite:///") :]

        self.path = None if path == ":memory:" else Path(path)
        if self.path is not None:
            if self.path.is_dir():
                raise StoreUnavailableError(f"database path {path!r} is a directory")
            if not self.path.parent.exists():
                raise StoreUnavailableError(
                    f"cannot open database {path!r}: directory {str(self.path.parent)!r} "
                    "does not exist"
                )
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            if self._db.execute("PRAGMA user_version").fetchone()[0] == 0:
                # a new database: 16 KiB pages (fewer, fuller B-tree pages to write and
                # check-point; measured 0.7-1 s of 4 s off a 870k-follow bulk load)
                self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-262144")
            self._db.execute("PRAGMA temp_store=MEMORY")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
            self._salt = self._init_salt(identity_salt)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailableError(f"cannot open database {path!r}: {exc}") from None

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {version} is newer than this graph_engine "
                f"knows ({SCHEMA_VERSION}); upgrade graph_engine"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            step = _MIGRATIONS[target - 1]
            with self._transaction() as db:
                if callable(step):
                    step(db)
                else:
                    for statement in step.split(";"):
                        if statement.strip():
                            db.execute(statement)
                db.execute(f"PRAGMA user_version = {int(target)}")

    def _init_salt(self, given: str | None) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'identity_salt'").fetchone()
        if row is not None:
            if given is not None and given != row[0]:
                raise StoreUnavailableError(
                    "this database was created with a different identity salt; hashed "
                    "phone numbers and e-mails would no longer match"
                )
            return str(row[0])
        salt = given if given is not None else secrets.token_hex(16)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta VALUES ('identity_salt', ?), ('created_at', ?)", (salt, now_iso())
            )
        return salt

    def set_meta(self, key: str, value: str) -> None:
        """Set a database-level note (e.g. that this is a demo database)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- ingest side ---------------------------------------------------------------
    def identity_salt(self) -> str:
        """The salt this database hashes phone numbers and e-mails with."""
        return self._salt

    def identity_state(self) -> IdentityState:
        """Identity keys, customer ids and merges, for the resolver to resume from."""
        db = self._db
        keys = dict(db.execute("SELECT key, customer FROM identities"))
        ids: dict[str, int] = {}
        parents: dict[int, int] = {}
        for pk, cid, merged_into in db.execute("SELECT pk, id, merged_into FROM customers"):
            ids[cid] = pk
            if merged_into is not None:
                parents[pk] = merged_into
        next_pk = (db.execute("SELECT max(pk) FROM customers").fetchone()[0] or 0) + 1
        return IdentityState(keys=keys, ids=ids, parents=parents, next_pk=next_pk)

    def known_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Those of ``event_ids`` already in the event log."""
        found: set[str] = set()
        ids = list(event_ids)
        db = self._db
        if not ids or db.execute("SELECT 1 FROM event_log LIMIT 1").fetchone() is None:
            return found
        for i in range(0, len(ids), 30_000):
            chunk = ids[i : i + 30_000]
            found.update(
                r[0]
                for r in db.execute(
                    "SELECT event_id FROM event_log WHERE event_id IN "
                    "(SELECT value FROM json_each(?))",
                    (json.dumps(chunk),),
                )
            )
        return found

    def apply(self, batch: ResolvedBatch) -> AppliedBatch:
        """Apply a resolved batch in one transaction."""
        loops = 0
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO customers (pk, id) VALUES (?, ?)",
                ((c.pk, c.id) for c in batch.new_customers),
            )
            db.executemany(
                "INSERT INTO identities (key, kind, customer) VALUES (?, ?, ?)",
                ((key, key.partition(":")[0], pk) for key, pk in batch.new_keys),
            )
            db.executemany(
                "INSERT INTO event_log (event_id, type, at) VALUES (?, ?, ?)", batch.event_log
            )
            self._apply_profiles(db, batch)
            db.executemany(
                _UPSERT_FOLLOW,
                ((f.follower, f.followee, f.active, f.at, f.channel) for f in batch.follows),
            )
            _insert_shares(db, batch.shares)
            _upsert_referrals(db, batch.referrals)
            duplicate_orders = self._apply_orders(db, batch)
            db.executemany("INSERT INTO engagements VALUES (?, ?, ?, ?, ?)", batch.engagements)
            db.executemany(
                "UPDATE customers SET first_seen = min(coalesce(first_seen, ?1), ?1), "
                "last_active = max(coalesce(last_active, ?2), ?2) WHERE pk = ?3",
                ((first, last, pk) for pk, (first, last) in batch.activity.items()),
            )
            for merge, event_id, at in batch.merges:
                loops += self._merge(db, merge, event_id, at)
            for edges in batch.edges:
                self._apply_edges(db, edges)
        return AppliedBatch(duplicate_orders=duplicate_orders, self_loops_dropped=loops)

    @staticmethod
    def _apply_edges(db: sqlite3.Connection, edges: EdgeColumns) -> None:
        """Bulk edges, each table written in its key order (B-tree appends, not seeks).

        Follows of one bulk batch all carry the same time, action and channel, so the
        upsert's outcome does not depend on their order; shares and referrals keep
        theirs (their rowids and earliest-event rule follow it). A batch larger than
        the table it goes into drops that table's secondary indexes and builds them
        again after the insert (one sort instead of a seek per row), in the same
        transaction.
        """
        # staged: each column goes in as one JSON array and INSERT ... SELECT unpacks it
        # in SQLite (no per-row parameter binding)
        db.execute(
            "INSERT INTO event_log (event_id, type, at) SELECT value, ?2, ?3 FROM json_each(?1)",
            (json.dumps(sorted(edges.event_ids)), edges.type, edges.at),
        )
        table = {"follow": "follows", "share": "share_events", "referral": "referrals"}
        with _indexes_rebuilt(db, table[edges.type], len(edges.event_ids)):
            if edges.type == "follow":
                active, channel = edges.attributes
                if edges.a.size and max(edges.a.max(), edges.b.max()) >= 1 << 31:
                    db.executemany(_UPSERT_FOLLOW, (tuple(f) for f in edges.follows()))
                else:
                    # repeated pairs carry the same values: one upsert each is the same
                    pairs = np.unique(edges.a.astype(np.int64) << 32 | edges.b.astype(np.int64))
                    db.execute(
                        _BULK_FOLLOW,
                        ("[" + ",".join(map(str, pairs.tolist())) + "]", active, edges.at, channel),
                    )
            elif edges.type == "share":
                _insert_shares(db, edges.shares())
            else:
                _upsert_referrals(db, edges.referrals())

    def _apply_profiles(self, db: sqlite3.Connection, batch: ResolvedBatch) -> None:
        for p in batch.profiles:
            db.execute(
                """UPDATE customers SET
                    name = coalesce(?, name), is_employee = coalesce(?, is_employee),
                    employee_of = coalesce(?, employee_of),
                    external_followers = coalesce(?, external_followers),
                    tags = coalesce(?, tags), region = coalesce(?, region), profile_at = ?
                WHERE pk = ? AND (profile_at IS NULL OR profile_at <= ?)""",
                (
                    p.name,
                    p.is_employee,
                    p.employee_of,
                    None
                    if p.external_followers is None
                    else json.dumps(p.external_followers, sort_keys=True),
                    None if p.tags is None else json.dumps(sorted(set(p.tags))),
                    p.region,
                    p.at,
                    p.customer,
                    p.at,
                ),
            )

    def _apply_orders(self, db: sqlite3.Connection, batch: ResolvedBatch) -> tuple[str, ...]:
        if not batch.orders:
            return ()
        wanted = [o[0] for o in batch.orders]
        existing = {
            r[0]
            for r in db.execute(
                "SELECT order_id FROM orders WHERE order_id IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),),
            )
        }
        fresh, duplicates, seen = [], [], set(existing)
        for order in batch.orders:
            if order[0] in seen:
                duplicates.append(order[1])
            else:
                seen.add(order[0])
                fresh.append(order)
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)", fresh)
        db.executemany(_REVENUE, ((pk,) for pk in sorted({o[2] for o in fresh})))
        return tuple(duplicates)

    def _merge(self, db: sqlite3.Connection, merge: Merge, event_id: str, at: str) -> int:
        """Fold customer ``merged`` into ``survivor``; return self-loops dropped."""
        s, m = merge.survivor, merge.merged
        moved = loops = 0
        rows = db.execute(
            "SELECT follower, followee, active, at, channel FROM follows "
            "WHERE follower = ?1 OR followee = ?1",
            (m,),
        ).fetchall()
        db.execute("DELETE FROM follows WHERE follower = ?1 OR followee = ?1", (m,))
        for follower, followee, active, f_at, channel in rows:
            follower, followee = (
                (s if follower == m else follower),
                (s if followee == m else followee),
            )
            if follower == followee:
                loops += 1
                continue
            moved += 1
            db.execute(_UPSERT_FOLLOW, (follower, followee, active, f_at, channel))
        # shares between the two people would join the survivor to itself: dropped
        loops += db.execute(
            "DELETE FROM share_events WHERE sharer IN (?1, ?2) AND viewer IN (?1, ?2)", (s, m)
        ).rowcount
        for column in ("sharer", "viewer"):
            moved += db.execute(
                f"UPDATE share_events SET {column} = ? WHERE {column} = ?", (s, m)
            ).rowcount
        rows = db.execute(
            "SELECT referrer, referee, campaign_id, event_id, converted, order_id, reward, at "
            "FROM referrals WHERE referrer = ?1 OR referee = ?1",
            (m,),
        ).fetchall()
        db.execute("DELETE FROM referrals WHERE referrer = ?1 OR referee = ?1", (m,))
        for referrer, referee, *rest in rows:
            referrer, referee = (s if referrer == m else referrer), (s if referee == m else referee)
            if referrer == referee:
                loops += 1
                continue
            moved += 1
            db.execute(_UPSERT_REFERRAL, (referrer, referee, *rest))
        for table in ("orders", "engagements", "identities"):
            db.execute(f"UPDATE {table} SET customer = ? WHERE customer = ?", (s, m))
        self._merge_profile(db, s, m)
        db.execute(_REVENUE, (s,))
        db.execute(
            "INSERT INTO merges (survivor, merged, survivor_id, merged_id, reason, evidence, "
            "event_id, at, recorded_at, edges_repointed, self_loops_dropped) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                s,
                m,
                merge.survivor_id,
                merge.merged_id,
                merge.reason,
                json.dumps(list(merge.evidence)),
                event_id,
                at,
                now_iso(),
                moved,
                loops,
            ),
        )
        return loops

    def _merge_profile(self, db: sqlite3.Connection, s: int, m: int) -> None:
        cols = (
            "name, is_employee, employee_of, external_followers, tags, region, profile_at, "
            "first_seen, last_active"
        )
        keep = db.execute(f"SELECT {cols} FROM customers WHERE pk = ?", (s,)).fetchone()
        gone = db.execute(f"SELECT {cols} FROM customers WHERE pk = ?", (m,)).fetchone()
        followers = json.loads(keep[3])
        for platform, count in json.loads(gone[3]).items():
            followers[platform] = max(count, followers.get(platform, 0))
        tags = sorted(set(json.loads(keep[4])) | set(json.loads(gone[4])))
        seen = [t for t in (keep[7], gone[7]) if t is not None]
        last = [t for t in (keep[8], gone[8]) if t is not None]
        db.execute(
            """UPDATE customers SET name = ?, is_employee = ?, employee_of = ?,
               external_followers = ?, tags = ?, region = ?, profile_at = ?,
               first_seen = ?, last_active = ? WHERE pk = ?""",
            (
                keep[0] if keep[0] is not None else gone[0],
                max(keep[1], gone[1]),
                keep[2] if keep[2] is not None else gone[2],
                json.dumps(followers, sort_keys=True),
                json.dumps(tags),
                keep[5] if keep[5] is not None else gone[5],
                max((t for t in (keep[6], gone[6]) if t is not None), default=None),
                min(seen, default=None),
                max(last, default=None),
                s,
            ),
        )
        db.execute("UPDATE customers SET merged_into = ? WHERE pk = ?", (s, m))
        db.execute("UPDATE customers SET merged_into = ? WHERE merged_into = ?", (s, m))

    def record_ingest(self, report: dict[str, Any]) -> None:
        """Keep an ingest run's report."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO ingest_runs (finished_at, report) VALUES (?, ?)",
                (now_iso(), json.dumps(report, default=str)),
            )

    # -- read side -----------------------------------------------------------------
    def gds(self) -> GdsClient | None:
        """None: the embedded store has no in-database graph algorithm library."""
        return None

    def stats(self) -> StoreStats:
        """Counts of customers, identities, merges, edges by type, orders, engagements."""
        one = self._scalar
        return StoreStats(
            customers=one("SELECT count(*) FROM customers WHERE merged_into IS NULL"),
            identities=one("SELECT count(*) FROM identities"),
            merges=one("SELECT count(*) FROM merges"),
            edges={
                "FOLLOWS": one("SELECT count(*) FROM follows WHERE active"),
                "SHARED_TO": one(
                    "SELECT count(*) FROM (SELECT DISTINCT sharer, viewer FROM share_events)"
                ),
                "REFERRED": one("SELECT count(*) FROM referrals"),
            },
            orders=one("SELECT count(*) FROM orders"),
            engagements=one("SELECT count(*) FROM engagements"),
            events=one("SELECT count(*) FROM event_log"),
        )

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._db.execute(sql, params).fetchone()[0])

    def _pk_of(self, reference: str) -> int:
        db = self._db
        row = db.execute(
            "SELECT pk, merged_into FROM customers WHERE id = ?", (reference,)
        ).fetchone()
        if row is None:
            try:
                key = parse_reference(reference, self._salt)
            except ValueError as exc:
                raise NotFoundError(f"customer {reference!r}: {exc}") from None
            hit = db.execute("SELECT customer FROM identities WHERE key = ?", (key,)).fetchone()
            if hit is None:
                raise NotFoundError(f"no customer with id or identity {reference!r}")
            return int(hit[0])
        return int(row[1] if row[1] is not None else row[0])

    def customer(self, reference: str) -> CustomerRecord:
        """One customer by canonical id, an id merged into it, or any identity key.

        Raises
        ------
        NotFoundError
            Nobody is known by ``reference``.
        """
        pk = self._pk_of(reference)
        db = self._db
        row = db.execute(
            "SELECT id, name, is_employee, employee_of, external_followers, tags, region, "
            "revenue_total, order_count, first_seen, last_active FROM customers WHERE pk = ?",
            (pk,),
        ).fetchone()
        keys = tuple(
            r[0]
            for r in db.execute("SELECT key FROM identities WHERE customer = ? ORDER BY key", (pk,))
        )
        merged = tuple(
            r[0]
            for r in db.execute("SELECT id FROM customers WHERE merged_into = ? ORDER BY pk", (pk,))
        )
        return CustomerRecord(
            id=row[0],
            name=row[1],
            is_employee=bool(row[2]),
            employee_of=row[3],
            external_followers=json.loads(row[4]),
            tags=tuple(json.loads(row[5])),
            region=row[6],
            revenue_total=row[7],
            order_count=row[8],
            first_seen=row[9],
            last_active=row[10],
            identities=keys,
            merged_ids=merged,
            follows=self._scalar(
                "SELECT count(*) FROM follows WHERE follower = ? AND active", (pk,)
            ),
            followers=self._scalar(
                "SELECT count(*) FROM follows WHERE followee = ? AND active", (pk,)
            ),
        )

    def merges(self, limit: int | None = None) -> list[MergeRecord]:
        """The merge log, oldest first."""
        rows = self._db.execute(
            "SELECT survivor_id, merged_id, reason, evidence, event_id, at, recorded_at, "
            "edges_repointed, self_loops_dropped FROM merges ORDER BY seq LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [
            MergeRecord(
                survivor_id=r[0],
                merged_id=r[1],
                reason=r[2],
                evidence=tuple(json.loads(r[3])),
                event_id=r[4],
                at=r[5],
                recorded_at=datetime.fromisoformat(r[6]),
                edges_repointed=r[7],
                self_loops_dropped=r[8],
            )
            for r in rows
        ]

    def ingest_history(self, limit: int = 20) -> list[IngestRecord]:
        """The last ``limit`` ingest reports, newest first."""
        rows = self._db.execute(
            "SELECT finished_at, report FROM ingest_runs ORDER BY seq DESC LIMIT ?", (limit,)
        )
        return [IngestRecord(r[0], json.loads(r[1])) for r in rows]

    def customer_names(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Display names of canonical customer ids (unknown ids are left out)."""
        rows = self._db.execute(
            "SELECT id, name FROM customers WHERE merged_into IS NULL "
            "AND id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        return {r[0]: r[1] for r in rows}

    def campaign_events(self, campaign_id: str) -> CampaignEvents:
        """The share actions and orders tagged with ``campaign_id``, oldest first."""
        shares = self._db.execute(
            "SELECT a.id, b.id, e.action, e.at FROM share_events e "
            "JOIN customers a ON a.pk = e.sharer JOIN customers b ON b.pk = e.viewer "
            "WHERE e.campaign_id = ? ORDER BY e.at, a.id, b.id, e.action",
            (campaign_id,),
        ).fetchall()
        orders = self._db.execute(
            "SELECT c.id, o.amount, o.currency, o.at FROM orders o "
            "JOIN customers c ON c.pk = o.customer "
            "WHERE o.campaign_id = ? ORDER BY o.at, c.id, o.order_id",
            (campaign_id,),
        ).fetchall()
        return CampaignEvents(
            campaign_id,
            tuple((a, b, act, datetime.fromisoformat(at)) for a, b, act, at in shares),
            tuple((c, float(v), cur, datetime.fromisoformat(at)) for c, v, cur, at in orders),
        )

    def save_campaign_plan(
        self, campaign_id: str, plan: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Keep a campaign's plan (``ConflictError`` if it has one, unless ``replace``)."""
        with self._transaction() as db:
            exists = db.execute(
                "SELECT created_at FROM campaign_plans WHERE campaign_id = ?", (campaign_id,)
            ).fetchone()
            if exists and not replace:
                raise ConflictError(
                    f"campaign {campaign_id!r} already has a plan (made {exists[0]}); "
                    "replace it explicitly"
                )
            db.execute(
                "INSERT OR REPLACE INTO campaign_plans (campaign_id, created_at, plan) "
                "VALUES (?, ?, ?)",
                (campaign_id, now_iso(), json.dumps(plan, default=str)),
            )

    def campaign_plan(self, campaign_id: str) -> dict[str, Any]:
        """A campaign's plan (``NotFoundError`` when it has none)."""
        row = self._db.execute(
            "SELECT created_at, plan FROM campaign_plans WHERE campaign_id = ?", (campaign_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"campaign {campaign_id!r} has no plan")
        return {**json.loads(row[1]), "created_at": row[0]}

    def campaign_plans(self) -> list[dict[str, Any]]:
        """``{campaign_id, created_at}`` of every plan, newest first."""
        rows = self._db.execute(
            "SELECT campaign_id, created_at FROM campaign_plans "
            "ORDER BY created_at DESC, campaign_id"
        )
        return [{"campaign_id": r[0], "created_at": r[1]} for r in rows]

    def relationships(
        self, ids: Sequence[str], *, among: bool = True, limit: int = 10_000
    ) -> list[Link]:
        """Current relationships between (``among``) or touching customers of ``ids``,
        counted per pair and type, the most counted first, at most ``limit``."""
        rows = self._db.execute(
            _LINKS_AMONG if among else _LINKS_TOUCHING, (json.dumps(list(ids)), limit)
        )
        return [Link(r[0], r[1], r[2], r[3]) for r in rows]

    def snapshot(
        self,
        relationships: Iterable[RelationshipType] = ("FOLLOWS",),
        *,
        influence: bool = False,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> GraphSnapshot:
        """Read the customer graph into a :class:`GraphSnapshot`.

        Parameters
        ----------
        relationships : iterable of {"FOLLOWS", "SHARED_TO", "REFERRED"}
            Relationship types to include; parallel edges of different types are kept.
        influence : bool
            If True, orient every edge the way influence flows: FOLLOWS reversed
            (followee -> follower), SHARED_TO and REFERRED as stored.
        since, until : datetime, optional
            Window of share and referral events read (``since <= at < until``); FOLLOWS
            is the current state whatever the window.

        Returns
        -------
        GraphSnapshot
            Nodes are all current customers (ids are canonical customer ids). Edge
            properties: ``relationship`` (0 FOLLOWS, 1 SHARED_TO, 2 REFERRED) and, from
            SHARED_TO, ``shares`` (distinct content), ``views``, ``clicks``,
            ``conversions``, ``acted`` (distinct content clicked or converted on); from
            REFERRED ``invites`` (referrals, one per campaign) and ``converted`` (zero on
            other types). Node property ``actions``: distinct content each customer
            shared or acted on in the window (the trials of
            :func:`~graph_engine.algorithms.reach.learn_probabilities`).
        """
        rels = check_relationships(relationships)
        bounds = window_bounds(since, until)
        args = {k: v for k, v in bounds.items() if v is not None}
        window = " AND ".join(
            ["1"] + [f"at {'>=' if k == 'since' else '<'} :{k}" for k in sorted(args)]
        )
        db = self._db
        current = db.execute(
            "SELECT pk, id FROM customers WHERE merged_into IS NULL ORDER BY pk"
        ).fetchall()
        pks = np.fromiter((pk for pk, _ in current), dtype=np.int64, count=len(current))
        ids = [cid for _, cid in current]
        position = np.full(int(pks[-1]) + 1 if pks.size else 1, -1, dtype=np.int64)
        position[pks] = np.arange(pks.size, dtype=np.int64)
        parts: list[tuple[str, np.ndarray]] = []
        for rel in rels:
            sql, width = {
                "FOLLOWS": ("SELECT follower, followee FROM follows WHERE active", 2),
                "SHARED_TO": (
                    "SELECT sharer, viewer, count(DISTINCT content_id), "
                    "sum(action = 'view'), sum(action = 'click'), sum(action = 'convert'), "
                    "count(DISTINCT CASE WHEN action IN ('click', 'convert') "
                    "THEN content_id END) "
                    f"FROM share_events WHERE {window} GROUP BY sharer, viewer",
                    7,
                ),
                "REFERRED": (
                    f"SELECT referrer, referee, converted FROM referrals WHERE {window}",
                    3,
                ),
            }[rel]
            rows = db.execute(sql, args if rel != "FOLLOWS" else {})
            flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64)
            parts.append((rel, flat.reshape(-1, width)))
        actions = np.zeros(len(ids), dtype=np.int64)
        counted = db.execute(
            "SELECT who, count(*) FROM ("
            f"SELECT sharer AS who, content_id FROM share_events WHERE {window} "
            "UNION SELECT viewer, content_id FROM share_events "
            f"WHERE action IN ('click', 'convert') AND {window}) GROUP BY who",
            args,
        ).fetchall()
        if counted:
            who = np.array([w for w, _ in counted], dtype=np.int64)
            actions[position[who]] = [c for _, c in counted]
        return assemble(parts, position, ids, influence, actions)

    def referral_rows(
        self, campaign_id: str | None = None
    ) -> list[tuple[str, str, str, datetime, bool]]:
        """The referral log: ``(referrer id, referee id, campaign id, at, converted)``.

        One row per (referrer, referee, campaign), oldest first; ids are current
        canonical customer ids (merges re-pointed). Feed it to
        :func:`~graph_engine.algorithms.reach.referral_stats`.
        """
        sql = (
            "SELECT a.id, b.id, r.campaign_id, r.at, r.converted FROM referrals r "
            "JOIN customers a ON a.pk = r.referrer JOIN customers b ON b.pk = r.referee "
        )
        args: tuple[str, ...] = ()
        if campaign_id is not None:
            sql += "WHERE r.campaign_id = ? "
            args = (campaign_id,)
        rows = self._db.execute(sql + "ORDER BY r.at, a.id, b.id", args).fetchall()
        return [(a, b, c, datetime.fromisoformat(at), bool(conv)) for a, b, c, at, conv in rows]
