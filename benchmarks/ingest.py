"""Ingest and snapshot throughput, beside igraph and networkx on the same data.

Measures, in one run on this machine:

1. ``follows``: N follow events (default 1,000,000, among N/10 people, heavy-tailed)
   ingested end to end into a fresh SQLite store, from a SNAP edge list and from JSONL.
2. ``synthetic``: the synthetic generator at C customers (default 100,000), then the
   ingest of its whole event stream (identity merges, dirty rows, all event types).
3. ``snapshot``: reading the store's FOLLOWS into a ``GraphSnapshot`` (edges/s), beside
   igraph's and networkx's readers building a graph from the same edge list file.

Run: ``.venv/bin/python benchmarks/ingest.py [--follows N] [--customers C]``.
Results print as a table and are written to ``benchmarks/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import numpy as np

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.store import SQLiteStore


def _edge_list(path: Path, events: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    people = max(events // 10, 10)
    weights = (rng.pareto(1.2, size=people) + 1.0) ** 1.3
    cum = np.cumsum(weights)
    src = rng.integers(0, people, size=int(events * 1.6))
    dst = np.minimum(np.searchsorted(cum, rng.random(src.size) * cum[-1]), people - 1)
    keep = src != dst
    pairs = np.unique(src[keep] * people + dst[keep])[:events]
    rng.shuffle(pairs)
    src, dst = pairs // people, pairs % people
    np.savetxt(path, np.column_stack([src, dst]), fmt="%d")
    return src, dst


def _ingest(db: Path, sources: list[Source]) -> tuple[float, dict[str, Any], SQLiteStore]:
    store = SQLiteStore(f"sqlite:///{db}", identity_salt="bench")
    settings = Settings(identity_salt="bench", quarantine_dir=db.parent / "quarantine")
    start = time.perf_counter()
    report = Ingestor(store, settings).ingest(sources)
    return time.perf_counter() - start, report.to_dict(), store


def bench_follows(work: Path, events: int) -> dict[str, Any]:
    path = work / "follows.txt"
    src, dst = _edge_list(path, events, seed=1)
    out: dict[str, Any] = {"events": int(src.size)}
    seconds, report, store = _ingest(
        work / "follows-edgelist.db",
        [Source(path, "edgelist", "follow", defaults=(("at", "2026-01-01T00:00:00Z"),))],
    )
    out["edgelist_seconds"] = seconds
    out["edgelist_events_per_s"] = report["accepted"] / seconds
    start = time.perf_counter()
    g = store.snapshot(("FOLLOWS",))
    snap = time.perf_counter() - start
    store.close()
    out["snapshot_edges"] = g.m
    out["snapshot_seconds"] = snap
    out["snapshot_edges_per_s"] = g.m / snap
    start = time.perf_counter()
    ig = igraph.Graph.Read_Ncol(str(path), names=True, directed=True)
    out["igraph_read_ncol_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    ig = igraph.Graph.Read_Edgelist(str(path), directed=True)
    out["igraph_read_edgelist_seconds"] = time.perf_counter() - start
    assert ig.ecount() == g.m
    start = time.perf_counter()
    ref = nx.read_edgelist(path, create_using=nx.DiGraph, nodetype=int)
    out["networkx_read_edgelist_seconds"] = time.perf_counter() - start
    assert ref.number_of_edges() == g.m
    jsonl = work / "follows.jsonl"
    with jsonl.open("w") as fh:
        for i, (a, b) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
            fh.write(
                f'{{"type":"follow","event_id":"f{i}","at":"2026-01-01T00:00:{i % 60:02d}Z",'
                f'"follower":"wechat_openid:o{a}","followee":"wechat_openid:o{b}"}}\n'
            )
    seconds, report, store = _ingest(work / "follows-jsonl.db", [Source(jsonl, "jsonl")])
    store.close()
    out["jsonl_seconds"] = seconds
    out["jsonl_events_per_s"] = report["accepted"] / seconds
    return out


def bench_synthetic(work: Path, customers: int) -> dict[str, Any]:
    start = time.perf_counter()
    truth = generate(work / "synthetic", SyntheticConfig(customers=customers, seed=0))
    out: dict[str, Any] = {"customers": customers, "generate_seconds": time.perf_counter() - start}
    seconds, report, store = _ingest(
        work / "synthetic.db", [Source(Path(truth.events_file), "jsonl")]
    )
    stats = store.stats().to_dict()
    store.close()
    rows = report["accepted"] + report["rejected"] + report["duplicates"]
    out.update(
        {
            "ingest_seconds": seconds,
            "rows": rows,
            "rows_per_s": rows / seconds,
            "accepted": report["accepted"],
            "merges": report["merges"],
            "matches_ground_truth": all(stats[k] == v for k, v in truth.expected.items()),
        }
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--follows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "igraph": igraph.__version__,
        "networkx": nx.__version__,
    }
    with tempfile.TemporaryDirectory(prefix="ge-bench-") as tmp:
        work = Path(tmp)
        results["follows"] = bench_follows(work, args.follows)
        if not args.skip_synthetic:
            results["synthetic"] = bench_synthetic(work, args.customers)
    f = results["follows"]
    print(f"follow events            {f['events']:>12,}")
    print(f"  edge list ingest       {f['edgelist_events_per_s']:>12,.0f} events/s")
    print(f"  JSONL ingest           {f['jsonl_events_per_s']:>12,.0f} events/s")
    print(
        f"  snapshot read          {f['snapshot_edges_per_s']:>12,.0f} edges/s "
        f"({f['snapshot_seconds']:.2f} s)"
    )
    for peer in ("igraph_read_edgelist", "igraph_read_ncol", "networkx_read_edgelist"):
        secs = f[f"{peer}_seconds"]
        print(
            f"  {peer:<22} {secs:>12.2f} s   snapshot is {secs / f['snapshot_seconds']:.1f}x "
            "as fast"
        )
    if "synthetic" in results:
        s = results["synthetic"]
        print(f"synthetic customers      {s['customers']:>12,}")
        print(f"  generate               {s['generate_seconds']:>12.1f} s")
        print(
            f"  ingest                 {s['rows_per_s']:>12,.0f} rows/s "
            f"({s['rows']:,} rows, {s['ingest_seconds']:.1f} s, "
            f"ground truth {'matched' if s['matches_ground_truth'] else 'NOT matched'})"
        )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
