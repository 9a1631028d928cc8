"""Bulk edge-list ingest beside a naive loader and our own row path, in one run.

Ingests ``soc-Slashdot0902.txt.gz`` (948k rows, 78k of them self-loops) into a fresh
SQLite database, ``--repeat`` times each, and prints the median time of:

- ``naive``: the 30-line loader a user would write first: parse each line, give the
  ends dense ids, ``executemany`` the pairs into a keyed follow table with a followee
  index. It validates nothing, keeps no event log and drops self-loops silently.
- ``bulk``: ``Ingestor.ingest`` as ``graph-engine ingest`` runs it (columnar path):
  references parsed and identities resolved, event ids derived and logged for
  idempotency, self-loops quarantined with file and line, activity times kept.
- ``rows``: the same ingest with the bulk path switched off (every row through the row
  reader and the general event path), the path every other format takes.

The ratios are ours / naive. The database sizes are printed too: they are most of the
difference (the event log and per-row times are what idempotent, time-aware ingest
stores). Run: ``.venv/bin/python benchmarks/bulk_ingest.py [--repeat 3]``. Results go
to ``benchmarks/results/bulk_ingest.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest import engine as engine_module
from graph_engine.store import SQLiteStore

DATASET = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"


def naive(path: Path, db: Path) -> int:
    """The naive loader (the peer)."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE follows (follower INTEGER NOT NULL, followee INTEGER NOT NULL, "
        "PRIMARY KEY (follower, followee)) WITHOUT ROWID"
    )
    con.execute("CREATE INDEX follows_followee ON follows(followee)")
    ids: dict[str, int] = {}
    rows = []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            a, b = line.split()[:2]
            if a != b:
                rows.append((ids.setdefault(a, len(ids)), ids.setdefault(b, len(ids))))
    with con:
        con.executemany("INSERT OR IGNORE INTO follows VALUES (?, ?)", rows)
    con.close()
    return len(rows)


def ours(path: Path, db: Path, *, bulk: bool) -> int:
    """``graph-engine ingest PATH --type follow`` (bulk path on or off)."""
    settings = Settings(identity_salt="bench", quarantine_dir=db.parent / "quarantine")
    source = Source(path, "edgelist", "follow", (), (("at", "2026-01-01T00:00:00Z"),))
    original = engine_module._uniform_edge_list
    if not bulk:
        engine_module._uniform_edge_list = lambda source: False  # type: ignore[assignment]
    try:
        with SQLiteStore(f"sqlite:///{db}", identity_salt="bench") as store:
            return Ingestor(store, settings).ingest([source]).accepted
    finally:
        engine_module._uniform_edge_list = original


def _timed(fn: Callable[[Path], int], work: Path, repeat: int) -> dict[str, Any]:
    seconds, size, rows = [], 0, 0
    for i in range(repeat):
        run = work / f"run{i}"
        run.mkdir()
        db = run / "db.sqlite"
        start = time.perf_counter()
        rows = fn(db)
        seconds.append(time.perf_counter() - start)
        size = sum(p.stat().st_size for p in run.glob("db.sqlite*"))
        shutil.rmtree(run)
    return {"seconds": seconds, "median": statistics.median(seconds), "rows": rows, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dataset", type=Path, default=DATASET / "soc-Slashdot0902.txt.gz")
    parser.add_argument("--skip-rows", action="store_true", help="skip the row path (slow)")
    args = parser.parse_args()
    out: dict[str, Any] = {"machine": platform.processor() or platform.machine()}
    runs: dict[str, Callable[[Path], int]] = {
        "naive": lambda db: naive(args.dataset, db),
        "bulk": lambda db: ours(args.dataset, db, bulk=True),
    }
    if not args.skip_rows:
        runs["rows"] = lambda db: ours(args.dataset, db, bulk=False)
    with tempfile.TemporaryDirectory() as tmp:
        ours(args.dataset, Path(tmp) / "warm.db", bulk=True)  # numba caches loaded
        for name, fn in runs.items():
            work = Path(tmp) / name
            work.mkdir()
            out[name] = _timed(fn, work, args.repeat)
    base = out["naive"]["median"]
    print(f"{args.dataset.name}, median of {args.repeat}")
    print(f"{'loader':8} {'seconds':>8} {'x naive':>8} {'rows':>9} {'MB':>7}")
    for name in runs:
        r = out[name]
        r["ratio"] = r["median"] / base
        print(
            f"{name:8} {r['median']:8.2f} {r['ratio']:8.2f} {r['rows']:9,} {r['bytes'] / 1e6:7.1f}"
        )
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "bulk_ingest.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
