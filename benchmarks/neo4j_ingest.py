"""Ingest, compute and score write-back on a live Neo4j, beside the embedded SQLite store.

Needs a server (``docker compose up -d --wait`` gives one): ``NEO4J_URI``,
``NEO4J_PASSWORD`` (and ``NEO4J_USER``, ``NEO4J_DATABASE``). The target database is
**wiped**; pass ``--wipe`` to confirm it is disposable.

For one synthetic data set (seed 0) it measures, in one run on one machine:

1. ingest into SQLite and into Neo4j (events/s, and the Neo4j / SQLite ratio);
2. ``compute`` on Neo4j, stage by stage (``write`` and ``publish`` include the batched
   score nodes and the write-back onto customers);
3. the write-back alone (``Neo4jStore.write_back``) at several batch sizes
   (customers/s per batch size; default sizes 2,000 / 10,000 / 50,000).

Run: ``.venv/bin/python benchmarks/neo4j_ingest.py --customers 100000 --wipe``
(writes ``benchmarks/results/neo4j_ingest.json``). Not run in this project's CI: no
Neo4j server can run on its machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_engine.config import Settings  # noqa: E402
from graph_engine.ingest import Ingestor, Source  # noqa: E402
from graph_engine.ingest.synthetic import SyntheticConfig, generate  # noqa: E402
from graph_engine.pipeline import compute  # noqa: E402
from graph_engine.store import SQLiteStore  # noqa: E402
from graph_engine.store.neo4j import Neo4jStore  # noqa: E402


def _settings(work: Path, **extra: Any) -> Settings:
    return Settings(
        identity_salt="bench",
        quarantine_dir=work / "quarantine",
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("NEO4J_PASSWORD"),
        neo4j_database=os.environ.get("NEO4J_DATABASE"),
        **extra,
    )


def _ingest(store: Any, settings: Settings, events: Path) -> dict[str, Any]:
    started = time.perf_counter()
    report = Ingestor(store, settings).ingest([Source(events, "jsonl")])
    seconds = time.perf_counter() - started
    events_in = report.accepted + report.rejected + report.duplicates
    return {"seconds": seconds, "events": events_in, "events_per_s": events_in / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--batch-sizes", default="2000,10000,50000")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--wipe", action="store_true", help="confirm the database is disposable")
    args = parser.parse_args()
    if not args.uri:
        sys.exit("set NEO4J_URI (and NEO4J_PASSWORD) to a disposable Neo4j 5 server")
    if not args.wipe:
        sys.exit(f"this benchmark deletes everything in {args.uri}; pass --wipe to confirm")
    work = args.work or Path(tempfile.mkdtemp(prefix="neo4j-bench-"))
    data = work / f"syn{args.customers}"
    if not (data / "events.jsonl").exists():
        generate(data, SyntheticConfig(customers=args.customers, seed=0))
    events = data / "events.jsonl"
    settings = _settings(work)
    result: dict[str, Any] = {"customers": args.customers, "uri": args.uri}

    sqlite_path = work / "bench.db"
    sqlite_path.unlink(missing_ok=True)
    sqlite = SQLiteStore(f"sqlite:///{sqlite_path}", identity_salt="bench")
    result["sqlite_ingest"] = _ingest(sqlite, settings, events)
    sqlite.close()

    neo = Neo4jStore(args.uri, settings, identity_salt="bench")
    neo.delete_everything(confirm=args.uri)
    result["neo4j_ingest"] = _ingest(neo, settings, events)
    result["neo4j_ingest"]["vs_sqlite"] = (
        result["neo4j_ingest"]["events_per_s"] / result["sqlite_ingest"]["events_per_s"]
    )
    started = time.perf_counter()
    run = compute(neo, settings)
    result["neo4j_compute"] = {"seconds": time.perf_counter() - started, "timings": run.timings}
    neo.close()

    result["write_back"] = []
    for size in (int(s) for s in args.batch_sizes.split(",")):
        store = Neo4jStore(args.uri, _settings(work, neo4j_write_batch_size=size))
        started = time.perf_counter()
        done = store.write_back(run.run_id)
        seconds = time.perf_counter() - started
        result["write_back"].append(
            {"batch_size": size, "seconds": seconds, "customers_per_s": done["written"] / seconds}
        )
        store.close()

    out = ROOT / "benchmarks" / "results" / "neo4j_ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
