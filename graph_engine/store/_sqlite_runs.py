"""SQLite side of versioned runs, scores and scoring inputs (mixed into SQLiteStore).

A run is written while ``status = 'running'`` (readers never look at it); publishing is
one transaction that marks it complete and moves the ``current_run`` pointer in
``meta``, so readers see the whole previous run or the whole new one. A run that dies
(SIGKILL) stays ``running`` and is marked ``abandoned`` (its score table dropped) by the
next ``begin_run``.

Each run's scores live in a table of their own (``scores_<seq>``, see
:func:`migrate_scores_per_run`), so a run's rows are appended and indexed once, and a
run is removed in one statement; the version-2 ``scores`` table below is the one
migration 5 moves out.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from itertools import chain, islice
from typing import Any

import numpy as np

from graph_engine.errors import NotFoundError, ParameterError, StoreError
from graph_engine.store._common import check_top_args, now_iso, score_record
from graph_engine.store._details import JSON, pack, unpack
from graph_engine.store.base import CustomerFeatures, RunRecord, ScoreColumns, ScoreRecord

MIGRATION = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, status TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, config TEXT NOT NULL, counts TEXT NOT NULL,
    timings TEXT NOT NULL DEFAULT '{}', summary TEXT NOT NULL DEFAULT '{}', error TEXT
);
CREATE TABLE scores (
    run_id TEXT NOT NULL, customer_id TEXT NOT NULL,
    tier TEXT NOT NULL, tier_level TEXT, tier_reason TEXT NOT NULL, community_id INTEGER,
    social_value REAL NOT NULL, influence REAL NOT NULL, expected_reach REAL NOT NULL,
    audience INTEGER NOT NULL, participation REAL NOT NULL, revenue REAL NOT NULL,
    bridge REAL NOT NULL, conversions INTEGER NOT NULL, details TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX scores_tier ON scores(run_id, tier, social_value);
CREATE INDEX scores_community ON scores(run_id, community_id, social_value);
CREATE INDEX scores_value ON scores(run_id, social_value);
CREATE TABLE community_profiles (
    run_id TEXT NOT NULL, community_id INTEGER NOT NULL, size INTEGER NOT NULL,
    profile TEXT NOT NULL,
    PRIMARY KEY (run_id, community_id)
) WITHOUT ROWID
"""

_SCORE_COLS = (
    "customer_id, tier, tier_level, tier_reason, community_id, social_value, "
    "influence, expected_reach, audience, participation, revenue, bridge, conversions, details"
)
_FIELDS = tuple(c.strip() for c in _SCORE_COLS.split(","))
_READ_COLS = f"{_SCORE_COLS}, detail_values"
#: one table of scores per run (``scores_<seq>``), created at its first write without
#: indexes; the indexes are built once the rows are in (a sorted build: 1M rows in
#: 2.6 s against 5.9 s of index upkeep while inserting) and a dropped run is one
#: ``DROP TABLE``
_SCORE_TABLE = """
CREATE TABLE IF NOT EXISTS scores_{seq} (
    customer_id TEXT NOT NULL,
    tier TEXT NOT NULL, tier_level TEXT, tier_reason TEXT NOT NULL, community_id INTEGER,
    social_value REAL NOT NULL, influence REAL NOT NULL, expected_reach REAL NOT NULL,
    audience INTEGER NOT NULL, participation REAL NOT NULL, revenue REAL NOT NULL,
    bridge REAL NOT NULL, conversions INTEGER NOT NULL, details TEXT NOT NULL,
    detail_values BLOB
)"""
_SCORE_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS scores_{seq}_customer ON scores_{seq}(customer_id)",
    "CREATE INDEX IF NOT EXISTS scores_{seq}_tier ON scores_{seq}(tier, social_value)",
    "CREATE INDEX IF NOT EXISTS scores_{seq}_community ON scores_{seq}(community_id, social_value)",
    "CREATE INDEX IF NOT EXISTS scores_{seq}_value ON scores_{seq}(social_value)",
)
_INSERT_SCORE = (
    "INSERT INTO scores_{seq} (" + _READ_COLS + ") VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


#: a score table's shape with no rows, read where a run has no table
_EMPTY = (
    "(SELECT NULL AS tier, NULL AS tier_level, 0 AS social_value, 0 AS revenue, "
    "0 AS audience, NULL AS customer_id, NULL AS community_id WHERE 0)"
)


def _table(seq: int) -> str:
    return f"scores_{int(seq)}"


def _index_scores(db: sqlite3.Connection, seq: int) -> None:
    for statement in _SCORE_INDEXES:
        db.execute(statement.format(seq=int(seq)))


def migrate_scores_per_run(db: sqlite3.Connection) -> None:
    """Migration 5: every run's scores into a table of its own, details as they were
    (JSON objects); runs gain ``detail_layout`` for scores written as columns
    (``detail_values``: the numeric details as float64 per row; ``details`` then holds
    the other leaves as a JSON array)."""
    db.execute("ALTER TABLE runs ADD COLUMN detail_layout TEXT")
    runs = db.execute(
        "SELECT DISTINCT r.seq, r.run_id FROM runs r JOIN scores s ON s.run_id = r.run_id"
    ).fetchall()
    for seq, run_id in runs:
        db.execute(_SCORE_TABLE.format(seq=int(seq)))
        db.execute(
            f"INSERT INTO {_table(seq)} ({_SCORE_COLS}) SELECT {_SCORE_COLS} FROM scores "
            "WHERE run_id = ? ORDER BY social_value DESC",
            (run_id,),
        )
        _index_scores(db, seq)
    db.execute("DROP TABLE scores")


#: rows per transaction when writing scores
_SCORE_BATCH = 100_000


def _epoch(rows: Iterable[tuple[Any, ...]], width: int) -> list[np.ndarray]:
    """Columns of ``(pk, iso time[, value][, label])`` rows as arrays (time in epoch
    seconds); ``width`` 3 adds the value, 4 the value and a text label (an object array)."""
    columns = list(zip(*rows, strict=True)) or [()] * width
    parse = datetime.fromisoformat
    out = [
        np.asarray(columns[0], dtype=np.int64),
        np.fromiter((parse(t).timestamp() for t in columns[1]), np.float64, len(columns[1])),
    ]
    if width >= 3:
        out.append(np.asarray(columns[2], dtype=np.float64))
    if width == 4:
        labels = np.empty(len(columns[3]), dtype=object)
        labels[:] = columns[3]
        out.append(labels)
    return out


def _in_order(column: Any, order: np.ndarray) -> list[Any]:
    """``column`` (an ndarray or a sequence) permuted by ``order``, as Python values."""
    if not isinstance(column, np.ndarray):
        values = np.empty(len(column), dtype=object)
        values[:] = column
        column = values
    return column[order].tolist()  # type: ignore[no-any-return]


class RunsMixin:
    """Runs, scores and scoring inputs for :class:`SQLiteStore`."""

    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _pk_of: Callable[[str], int]

    # -- scoring inputs ----------------------------------------------------------------
    def customer_features(self) -> CustomerFeatures:
        """Everything scoring needs per customer, aligned with ``snapshot()``'s ids."""
        db = self._db
        rows = db.execute(
            "SELECT pk, id, is_employee, external_followers, tags FROM customers "
            "WHERE merged_into IS NULL ORDER BY pk"
        ).fetchall()
        pks = np.asarray([r[0] for r in rows], dtype=np.int64)
        position = np.full(int(pks[-1]) + 1 if pks.size else 1, -1, dtype=np.int64)
        position[pks] = np.arange(pks.size)

        def events(sql: str, width: int = 2) -> tuple[np.ndarray, ...]:
            cols = _epoch(db.execute(sql), width)
            cols[0] = position[cols[0]] if cols[0].size else cols[0]
            return tuple(cols)

        # a scan of the table, counted here: grouping by the followee index would look up
        # every row's ``active`` at random (measured 9x slower at 1M follows)
        followees = np.fromiter(
            chain.from_iterable(db.execute("SELECT followee FROM follows WHERE active")),
            dtype=np.int64,
        )
        followers = np.bincount(position[followees], minlength=pks.size).astype(np.int64)
        conversions = np.zeros(pks.size, dtype=np.int64)
        for pk, count in db.execute(
            "SELECT who, count(*) FROM ("
            "SELECT sharer AS who FROM share_events WHERE action = 'convert' "
            "UNION ALL SELECT referrer FROM referrals WHERE converted) GROUP BY who"
        ):
            conversions[position[pk]] = count
        shares = events("SELECT sharer, min(at) FROM share_events GROUP BY sharer, content_id")
        e_idx, e_at, _, e_kind = events("SELECT customer, at, 0, kind FROM engagements", 4)
        s_sharer, s_at, s_viewer = events(
            "SELECT sharer, at, viewer FROM share_events WHERE action IN ('click', 'convert')", 3
        )
        s_viewer = position[s_viewer.astype(np.int64)] if s_viewer.size else s_viewer
        o_idx, o_at, o_amount, o_currency = events(
            "SELECT customer, at, amount, currency FROM orders", 4
        )
        return CustomerFeatures(
            ids=tuple(r[1] for r in rows),
            is_employee=np.asarray([bool(r[2]) for r in rows], dtype=np.bool_),
            external_followers=tuple(
                {} if text == "{}" else json.loads(text) for _, _, _, text, _ in rows
            ),
            tags=tuple(() if text == "[]" else tuple(json.loads(text)) for *_, text in rows),
            followers=followers,
            engagements=(e_idx, e_at),
            shares=shares,  # type: ignore[arg-type]
            referrals=events("SELECT referrer, at FROM referrals"),  # type: ignore[arg-type]
            orders=(o_idx, o_at, o_amount),
            conversions=conversions,
            engagement_kinds=e_kind,
            order_currencies=o_currency,
            share_touches=(s_sharer, s_viewer.astype(np.int64), s_at),
        )

    def segment(self, *, tag: str | None = None, campaign: str | None = None) -> list[str]:
        """Customer ids with ``tag``, or who converted in ``campaign`` (referral or order)."""
        if (tag is None) == (campaign is None):
            raise ParameterError("segment: give exactly one of tag or campaign")
        db = self._db
        if tag is not None:
            rows = db.execute(
                "SELECT c.id FROM customers c, json_each(c.tags) t "
                "WHERE c.merged_into IS NULL AND t.value = ? ORDER BY c.id",
                (tag,),
            )
        else:
            rows = db.execute(
                "SELECT DISTINCT c.id FROM customers c WHERE c.pk IN ("
                "SELECT referee FROM referrals WHERE campaign_id = ?1 AND converted "
                "UNION SELECT customer FROM orders WHERE campaign_id = ?1) ORDER BY c.id",
                (campaign,),
            )
        return [r[0] for r in rows]

    # -- runs --------------------------------------------------------------------------
    def begin_run(self, config: dict[str, Any], counts: dict[str, Any]) -> RunRecord:
        """Start a run; clean up runs that died while running."""
        with self._transaction() as db:
            stale = list(db.execute("SELECT run_id, seq FROM runs WHERE status = 'running'"))
            for run_id, stale_seq in stale:
                db.execute(f"DROP TABLE IF EXISTS {_table(stale_seq)}")
                db.execute("DELETE FROM community_profiles WHERE run_id = ?", (run_id,))
                db.execute(
                    "UPDATE runs SET status = 'abandoned', error = 'interrupted' WHERE run_id = ?",
                    (run_id,),
                )
            seq = int(db.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0])
            run_id = f"run-{seq:05d}-{uuid.uuid4().hex[:8]}"
            db.execute(
                "INSERT INTO runs (run_id, seq, status, started_at, config, counts) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (run_id, seq, now_iso(), json.dumps(config, default=str), json.dumps(counts)),
            )
        return self._run(run_id)

    def _run(self, run_id: str) -> RunRecord:
        row = self._db.execute(
            "SELECT run_id, seq, status, started_at, finished_at, config, counts, timings, "
            "summary, error FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no run {run_id!r}")
        return RunRecord(
            run_id=row[0],
            seq=row[1],
            status=row[2],
            started_at=row[3],
            finished_at=row[4],
            config=json.loads(row[5]),
            counts=json.loads(row[6]),
            timings=json.loads(row[7]),
            summary=json.loads(row[8]),
            error=row[9],
        )

    def _running(self, db: sqlite3.Connection, run_id: str) -> None:
        row = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None or row[0] != "running":
            raise ParameterError(f"run {run_id!r} is not running (status {row and row[0]!r})")

    def write_scores(
        self,
        run_id: str,
        rows: Iterable[ScoreRecord] | ScoreColumns,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write scores of a running run into its table (100,000 rows per transaction).

        Rows keep their details as JSON. :class:`ScoreColumns` keep their numeric details
        as numbers under the run's layout (recorded once per run), are written in
        descending social value (the order readers page through) and then indexed;
        scores written as rows are indexed when the run is published.
        """
        if isinstance(rows, ScoreColumns):
            return self._write_score_columns(run_id, rows, progress)
        written = 0
        seq = self._run_key(run_id)
        it = iter(rows)
        while batch := list(islice(it, _SCORE_BATCH)):
            with self._transaction() as db:
                self._running(db, run_id)
                db.execute(_SCORE_TABLE.format(seq=seq))
                db.executemany(
                    _INSERT_SCORE.format(seq=seq),
                    (
                        (
                            r.customer_id,
                            r.tier,
                            r.tier_level,
                            r.tier_reason,
                            r.community_id,
                            r.social_value,
                            r.influence,
                            r.expected_reach,
                            r.audience,
                            r.participation,
                            r.revenue,
                            r.bridge,
                            r.conversions,
                            json.dumps(r.details, default=float),
                            None,
                        )
                        for r in batch
                    ),
                )
            written += len(batch)
            if progress is not None:
                progress(written)
        return written

    def _write_score_columns(
        self, run_id: str, scores: ScoreColumns, progress: Callable[[int], None] | None
    ) -> int:
        n = len(scores)
        packed = pack(scores.details, n)
        layout = packed.layout_json()
        order = np.argsort(-np.asarray(scores.social_value, dtype=np.float64), kind="stable")
        fields = {f: getattr(scores, f) for f in _FIELDS[:-1]}
        fields["details"] = packed.objects or ["[]"] * n
        fields["detail_values"] = packed.values or [None] * n
        # every column in descending social value, as lists of Python values
        ordered = {name: _in_order(column, order) for name, column in fields.items()}
        seq = self._run_key(run_id)
        for start in range(0, max(n, 1), _SCORE_BATCH):
            end = start + _SCORE_BATCH
            with self._transaction() as db:
                self._running(db, run_id)
                db.execute(_SCORE_TABLE.format(seq=seq))
                known = db.execute(
                    "SELECT detail_layout FROM runs WHERE run_id = ?", (run_id,)
                ).fetchone()[0]
                if known is None:
                    db.execute(
                        "UPDATE runs SET detail_layout = ? WHERE run_id = ?", (layout, run_id)
                    )
                elif known != layout:
                    raise ParameterError(
                        f"run {run_id!r}: score details laid out as {layout}, but the run's "
                        f"earlier scores were laid out as {known}"
                    )
                db.executemany(
                    _INSERT_SCORE.format(seq=seq),
                    zip(*(ordered[f][start:end] for f in (*_FIELDS, "detail_values")), strict=True),
                )
                if end >= n:
                    _index_scores(db, seq)
            if progress is not None:
                progress(min(end, n))
        return n

    def write_communities(self, run_id: str, profiles: Iterable[dict[str, Any]]) -> int:
        """Write community profiles of a running run."""
        items = list(profiles)
        with self._transaction() as db:
            self._running(db, run_id)
            db.executemany(
                "INSERT INTO community_profiles VALUES (?, ?, ?, ?)",
                (
                    (run_id, int(p["community_id"]), int(p["size"]), json.dumps(p, default=float))
                    for p in items
                ),
            )
        return len(items)

    def publish_run(
        self, run_id: str, timings: dict[str, float], summary: dict[str, Any], keep: int
    ) -> RunRecord:
        """Atomically mark the run complete and current; drop runs beyond the last ``keep``."""
        if keep < 1:
            raise ParameterError(f"keep must be >= 1, got {keep!r}")
        with self._transaction() as db:
            self._running(db, run_id)
            seq = self._run_key(run_id)
            db.execute(_SCORE_TABLE.format(seq=seq))  # a run without scores has an empty one
            _index_scores(db, seq)
            db.execute(
                "UPDATE runs SET status = 'complete', finished_at = ?, timings = ?, summary = ? "
                "WHERE run_id = ?",
                (now_iso(), json.dumps(timings), json.dumps(summary, default=str), run_id),
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('current_run', ?)", (run_id,))
            old = list(
                db.execute(
                    "SELECT run_id, seq FROM runs WHERE status = 'complete' ORDER BY seq DESC "
                    "LIMIT -1 OFFSET ?",
                    (keep,),
                )
            )
            for stale, stale_seq in old:
                db.execute(f"DROP TABLE IF EXISTS {_table(stale_seq)}")
                db.execute("DELETE FROM community_profiles WHERE run_id = ?", (stale,))
                db.execute("DELETE FROM runs WHERE run_id = ?", (stale,))
        return self._run(run_id)

    def fail_run(self, run_id: str, error: str) -> None:
        """Mark a running run failed and drop what it wrote (a run no longer running, e.g.
        published before a later step failed, is left as it is)."""
        with self._transaction() as db:
            failed = db.execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
                "WHERE run_id = ? AND status = 'running'",
                (now_iso(), error[:2000], run_id),
            ).rowcount
            if failed:
                db.execute(f"DROP TABLE IF EXISTS {_table(self._run_key(run_id))}")
                db.execute("DELETE FROM community_profiles WHERE run_id = ?", (run_id,))

    def current_run(self) -> RunRecord | None:
        """The run readers see (the pointer is read every time; a published run's record
        never changes, so its parsed form is reused)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'current_run'").fetchone()
        if row is None:
            return None
        cached: RunRecord | None = getattr(self, "_current_cache", None)
        if cached is not None and cached.run_id == row[0]:
            return cached
        run = self._run(row[0])
        self._current_cache = run
        return run

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """Runs, newest first (complete, failed, abandoned and running)."""
        ids = [
            r[0]
            for r in self._db.execute("SELECT run_id FROM runs ORDER BY seq DESC LIMIT ?", (limit,))
        ]
        return [self._run(r) for r in ids]

    # -- reading scores ----------------------------------------------------------------
    def _run_key(self, run_id: str) -> int:
        """The run's ``seq``, the key of its score rows (read once: it never changes)."""
        keys: dict[str, int] = self.__dict__.setdefault("_run_keys", {})
        if run_id not in keys:
            row = self._db.execute("SELECT seq FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no run {run_id!r}")
            keys[run_id] = int(row[0])
        return keys[run_id]

    def _layout(self, run_id: str) -> str | None:
        """The run's detail layout (None: its rows keep details as JSON objects); a
        layout never changes once written, so it is read once."""
        layouts: dict[str, str] = self.__dict__.setdefault("_layouts", {})
        if run_id not in layouts:
            row = self._db.execute(
                "SELECT detail_layout FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return None
            layouts[run_id] = row[0]
        return layouts[run_id]

    def _json_leaf_path(self, run_id: str, name: str) -> str:
        """JSON path of a top-level JSON detail leaf in the run's packed rows (a path
        that matches nothing when the layout has no such leaf)."""
        layout = self._layout(run_id)
        leaves = [path for path, kind in json.loads(layout) if kind == JSON] if layout else []
        return f"$[{leaves.index(name)}]" if name in leaves else "$.none"

    def _scores_table(self, run_id: str) -> str | None:
        """The run's score table, None when it has none (nothing written, or dropped)."""
        table = _table(self._run_key(run_id))
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return table if found else None

    def _record(self, run_id: str, row: tuple[Any, ...]) -> ScoreRecord:
        fields = dict(zip(_FIELDS, row, strict=False))
        fields["run_id"] = run_id
        details = fields["details"]
        if details.startswith("["):
            layout = self._layout(fields["run_id"])
            if layout is None:
                raise StoreError(f"run {fields['run_id']!r} has packed scores but no layout")
            fields["details"] = unpack(layout, row[-1], details)
        return score_record(fields)

    def _current_id(self, run_id: str | None) -> str:
        if run_id is not None:
            self._run(run_id)
            return run_id
        current = self.current_run()
        if current is None:
            raise NotFoundError("no complete run yet: run `graph-engine compute` first")
        return current.run_id

    def scores(self, reference: str, run_id: str | None = None) -> ScoreRecord:
        """A customer's scores (any identity key or merged id works)."""
        run = self._current_id(run_id)
        pk = self._pk_of(reference)
        cid = self._db.execute("SELECT id FROM customers WHERE pk = ?", (pk,)).fetchone()[0]
        table = self._scores_table(run)
        row = (
            self._db.execute(
                f"SELECT {_READ_COLS} FROM {table} WHERE customer_id = ?", (cid,)
            ).fetchone()
            if table
            else None
        )
        if row is None:
            raise NotFoundError(f"customer {reference!r} has no scores in run {run} (new since?)")
        return self._record(run, row)

    def score_history(self, reference: str) -> list[ScoreRecord]:
        """Scores in every kept complete run, oldest first (ids merged into it included)."""
        pk = self._pk_of(reference)
        ids = [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM customers WHERE pk = ? OR merged_into = ?", (pk, pk)
            )
        ]
        marks = ",".join("?" * len(ids))
        out: list[ScoreRecord] = []
        runs = self._db.execute(
            "SELECT run_id FROM runs WHERE status = 'complete' ORDER BY seq"
        ).fetchall()
        for (run_id,) in runs:
            table = self._scores_table(run_id)
            if table is None:
                continue
            rows = self._db.execute(
                f"SELECT {_READ_COLS} FROM {table} WHERE customer_id IN ({marks}) "
                "ORDER BY customer_id",
                ids,
            )
            out.extend(self._record(run_id, r) for r in rows)
        return out

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
        """Current run, filtered, sorted by ``by`` descending (ties by customer id).

        Filters: tier, tier level, community, a profile tag, an external platform the
        person has followers on, minimum audience, minimum expected reach.
        """
        check_top_args(by, limit, offset, community_id, min_audience)
        run = self._current_id(None)
        table = self._scores_table(run)
        if table is None:
            return []
        where: list[str] = ["1"]
        args: list[Any] = []
        for column, value in (
            ("tier", tier),
            ("tier_level", tier_level),
            ("community_id", community_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if min_audience is not None:
            where.append("audience >= ?")
            args.append(min_audience)
        if min_expected_reach is not None:
            where.append("expected_reach >= ?")
            args.append(min_expected_reach)
        if tag is not None:
            where.append(
                "customer_id IN (SELECT c.id FROM customers c, json_each(c.tags) t "
                "WHERE c.merged_into IS NULL AND t.value = ?)"
            )
            args.append(tag)
        if platform is not None:
            # rows written as columns keep the audience by platform in their JSON array
            where.append(
                "coalesce((SELECT p.value FROM json_each(details, CASE WHEN details LIKE '[%' "
                "THEN ? ELSE '$.audience_by_platform' END) p WHERE p.key = ?), 0) > 0"
            )
            args.extend([self._json_leaf_path(run, "audience_by_platform"), platform.lower()])
        rows = self._db.execute(
            f"SELECT {_READ_COLS} FROM {table} WHERE {' AND '.join(where)} "
            f"ORDER BY {by} DESC, customer_id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [self._record(run, r) for r in rows]

    def tier_summary(self) -> list[dict[str, Any]]:
        """Customers, mean social value, revenue and audience per tier and level."""
        run = self._current_id(None)
        rows = self._db.execute(
            "SELECT tier, tier_level, count(*), avg(social_value), sum(revenue), sum(audience) "
            f"FROM {self._scores_table(run) or _EMPTY} GROUP BY tier, tier_level "
            "ORDER BY count(*) DESC",
        )
        return [
            {
                "tier": r[0],
                "tier_level": r[1],
                "customers": r[2],
                "social_value_mean": r[3],
                "revenue_total": r[4],
                "audience_total": r[5],
            }
            for r in rows
        ]

    def run_scores(self, run_id: str | None = None) -> Iterator[ScoreRecord]:
        """Every score of a run, by customer id, read in pages (constant memory)."""
        run = self._current_id(run_id)
        table = self._scores_table(run)
        last = ""
        while table is not None:
            rows = self._db.execute(
                f"SELECT {_READ_COLS} FROM {table} WHERE customer_id > ? "
                "ORDER BY customer_id LIMIT 5000",
                (last,),
            ).fetchall()
            if not rows:
                return
            yield from (self._record(run, r) for r in rows)
            last = rows[-1][0]

    def run_communities(self, run_id: str | None = None) -> dict[str, int]:
        """Community id of every customer of a run that has one (one column read)."""
        run = self._current_id(run_id)
        rows = self._db.execute(
            f"SELECT customer_id, community_id FROM {self._scores_table(run) or _EMPTY} "
            "WHERE community_id IS NOT NULL",
        )
        return {customer: int(community) for customer, community in rows}

    def community_profiles(
        self, community_id: int | None = None, run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Community profiles of the current run, largest first."""
        run = self._current_id(run_id)
        sql = "SELECT profile FROM community_profiles WHERE run_id = ?"
        args: list[Any] = [run]
        if community_id is not None:
            sql += " AND community_id = ?"
            args.append(community_id)
        rows = self._db.execute(sql + " ORDER BY size DESC, community_id", args).fetchall()
        if community_id is not None and not rows:
            raise NotFoundError(f"no community {community_id} in run {run}")
        return [json.loads(r[0]) for r in chain(rows)]
