"""End-to-end ``compute`` on synthetic customers: time and peak memory, stage by stage.

For each size: generate the synthetic data (seed 0), ingest it into a fresh SQLite
store, then run ``compute`` in a fresh subprocess so its peak RSS is its own. Generated
data goes to ``--work`` (default a temporary directory; never commit it).

Targets (issue #5, this 2-core machine): 100,000 customers under 1 minute; 1,000,000
under 15 minutes and 12 GB.

Run: ``.venv/bin/python benchmarks/pipeline.py [--sizes 100000,1000000] [--work DIR]``
(writes ``benchmarks/results/pipeline.json``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

COMPUTE = """
import json, resource, sys, time
from graph_engine.config import Settings
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore
store = SQLiteStore(f"sqlite:///{sys.argv[1]}", identity_salt="bench")
started = time.perf_counter()
run = compute(store, Settings(identity_salt="bench"))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "timings": run.timings,
    "max_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    "summary": run.summary,
}, default=str))
"""

PREPARE = """
import json, resource, sys, time
from pathlib import Path
from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.store import SQLiteStore
n, work = int(sys.argv[1]), Path(sys.argv[2])
data, db = work / f"syn{n}", work / f"syn{n}.db"
t0 = time.perf_counter()
if not (data / "events.jsonl").exists():
    generate(data, SyntheticConfig(customers=n, seed=0))
t1 = time.perf_counter()
if not db.exists():
    store = SQLiteStore(f"sqlite:///{db}", identity_salt="bench")
    report = Ingestor(store, Settings(identity_salt="bench", quarantine_dir=work / "q")).ingest(
        [Source(data / "events.jsonl", "jsonl")])
    store.close()
    accepted = report.accepted
else:
    accepted = None
t2 = time.perf_counter()
print(json.dumps({"generate_seconds": t1 - t0, "ingest_seconds": t2 - t1,
                  "events": accepted, "db": str(db),
                  "max_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def run(code: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            prepared = run(PREPARE, str(size), str(work))
            computed = run(COMPUTE, prepared["db"])
            res = {
                "customers": size,
                "prepare": prepared,
                "compute": computed,
                "wall_seconds": time.perf_counter() - started,
            }
            results.append(res)
            print(json.dumps(res, indent=1, default=str), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
