"""End-to-end ``compute`` on synthetic customers: time and peak memory, stage by stage.

For each size: generate the synthetic data (seed 0), ingest it into a fresh SQLite
store, then run ``compute`` in a fresh subprocess so its peak RSS is its own. Generated
data goes to ``--work`` (default a temporary directory; never commit it).

``--baseline REV`` also runs the same ``compute`` from a git worktree of an earlier
revision, on a copy of the same store taken before either computed (the store is then
prepared by the baseline, whose schema the current code migrates), and prints both
stage tables side by side with the ratio.

Targets (issue #18, this 2-core machine): 1,000,000 customers recomputed in under 2
minutes and 8 GB, the store read and the score rows written at >= 100,000 rows/s each
(read rows: customers, follows, share pairs, referrals, orders and engagements counted
by the run; written rows: one score per customer).

Run: ``.venv/bin/python benchmarks/pipeline.py [--sizes 100000,1000000] [--work DIR]
[--baseline REV]`` (writes ``benchmarks/results/pipeline.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
    "counts": run.counts,
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


def run(code: str, *args: str, root: Path = ROOT) -> dict[str, Any]:
    """Run ``code`` with ``root``'s graph_engine first on the path; its last JSON line."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def worktree(rev: str, work: Path) -> Path:
    """A detached git worktree of ``rev`` under ``work`` (reused when it exists)."""
    path = work / f"baseline-{rev.replace('/', '_')}"
    if not path.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return path


def throughput(computed: dict[str, Any]) -> dict[str, float]:
    """Rows per second of the read and write stages."""
    counts = computed["counts"]
    read_rows = (
        counts["customers"]
        + sum(counts["edges"].values())
        + counts["orders"]
        + counts["engagements"]
    )
    t = computed["timings"]
    return {
        "read_rows": read_rows,
        "read_rows_per_s": read_rows / max(t["read"], 1e-9),
        "write_rows_per_s": counts["customers"] / max(t["write"], 1e-9),
    }


def _stage(r: dict[str, Any], name: str) -> float:
    if name == "total":
        return float(r["seconds"])
    if name == "max RSS (GB)":
        return float(r["max_rss_gb"])
    return float(r["timings"].get(name, float("nan")))


def table(size: int, ours: dict[str, Any], base: dict[str, Any] | None) -> str:
    """The stage table: ours, and the baseline's with the ratio when there is one."""
    head = f"{size:,} customers: stage | ours (s)"
    lines = [head + (" | baseline (s) | ours/baseline" if base else "")]
    for name in [*ours["timings"], "total", "max RSS (GB)"]:
        row = f"  {name:<14} {_stage(ours, name):9.2f}"
        if base:
            ratio = _stage(ours, name) / max(_stage(base, name), 1e-9)
            row += f" {_stage(base, name):9.2f} {ratio:8.2f}x"
        lines.append(row)
    for label, key in (("read rows/s", "read_rows_per_s"), ("write rows/s", "write_rows_per_s")):
        row = f"  {label:<14} {throughput(ours)[key]:9,.0f}"
        if base:
            row += f" {throughput(base)[key]:9,.0f}"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--baseline", default=None, help="git revision to compare with")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        base_root = worktree(args.baseline, work) if args.baseline else None
        # compiled kernels are cached per checkout: compile both before timing anything
        for root in filter(None, (ROOT, base_root)):
            warm = work / f"warm-{root.name}"
            warm.mkdir(exist_ok=True)
            run(COMPUTE, run(PREPARE, "2000", str(warm), root=root)["db"], root=root)
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            prepared = run(PREPARE, str(size), str(work), root=base_root or ROOT)
            pristine = Path(prepared["db"])
            baseline = None
            if base_root is not None:
                copy = work / f"baseline-{size}.db"
                shutil.copyfile(pristine, copy)
                baseline = run(COMPUTE, str(copy), root=base_root)
                copy.unlink()
            ours_db = work / f"ours-{size}.db"
            shutil.copyfile(pristine, ours_db)
            computed = run(COMPUTE, str(ours_db))
            ours_db.unlink()
            res = {
                "customers": size,
                "prepare": prepared,
                "compute": {**computed, **throughput(computed)},
                "baseline": None
                if baseline is None
                else {"revision": args.baseline, **baseline, **throughput(baseline)},
                "wall_seconds": time.perf_counter() - started,
            }
            results.append(res)
            print(table(size, computed, baseline), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
