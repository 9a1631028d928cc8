"""Community detection beside networkit and igraph: time and modularity, one run.

The target (issue 18, part 2): our Leiden within 1.5x networkit's ParallelLeiden time,
with modularity at least igraph Leiden's at its default settings (modularity objective,
two iterations), on soc-Slashdot0902, higgs-retweet and a power-law graph
(Barabási-Albert, 1,000,000 nodes x 10 edges each by default). Louvain is shown beside
networkit's PLM and igraph's multilevel.

Each (graph, implementation) runs in a fresh subprocess over the same dense edge arrays
(``algorithms.load_edges``), for ``--seeds`` seeds; times are of the algorithm call on
the graph each library takes as input (our ``GraphSnapshot`` already undirected, as
``compute`` holds it; igraph's and networkit's own graph objects, whose construction is
not counted). Modularity is each library's own, of the partition returned.

Run: ``.venv/bin/python benchmarks/communities.py [--nodes N] [--skip-big] [--seeds K]
[--big-seeds K]``
(needs the ``bench`` extra for networkit). Prints a table with ratios and writes
``benchmarks/results/communities.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from algorithms import load_edges

GRAPHS = ("soc-Slashdot0902", "higgs-retweet", "synthetic")
IMPLEMENTATIONS = {
    "leiden": ("ours", "networkit ParallelLeiden", "igraph Leiden"),
    "louvain": ("ours", "networkit PLM", "igraph multilevel"),
}


def run_one(graph: str, algorithm: str, peer: str, nodes: int, seeds: int) -> dict[str, Any]:
    src, dst, n, _ = load_edges(graph, nodes)
    times: list[float] = []
    qs: list[float] = []
    if peer == "ours":
        from graph_engine import GraphSnapshot
        from graph_engine.algorithms import community

        g = GraphSnapshot.from_index_edges(src, dst, list(range(n))).undirected()
        tiny = GraphSnapshot.from_edges([0, 1], [1, 2]).undirected()
        community.leiden(tiny, random_seed=0)  # compiled kernels loaded before timing
        community.louvain(tiny, seed=0)
        for seed in range(1, seeds + 1):
            start = time.perf_counter()
            if algorithm == "leiden":
                result = community.leiden(g, random_seed=seed)
            else:
                result = community.louvain(g, seed=seed)
            times.append(time.perf_counter() - start)
            qs.append(float(result.modularity or 0.0))
    elif peer.startswith("networkit"):
        import networkit as nk

        nk.engineering.setNumberOfThreads(2)
        gk = nk.Graph(n, directed=False)
        gk.addEdges((src, dst))
        for seed in range(1, seeds + 1):
            nk.engineering.setSeed(seed, True)
            start = time.perf_counter()
            algo = (
                nk.community.ParallelLeiden(gk)
                if algorithm == "leiden"
                else nk.community.PLM(gk, refine=False)
            )
            algo.run()
            times.append(time.perf_counter() - start)
            qs.append(nk.community.Modularity().getQuality(algo.getPartition(), gk))
    else:
        import random

        import igraph

        ig = igraph.Graph(n=n, edges=np.column_stack([src, dst]), directed=False)
        for seed in range(1, seeds + 1):
            random.seed(seed)  # igraph draws from Python's random module
            start = time.perf_counter()
            if algorithm == "leiden":
                found = ig.community_leiden("modularity")  # defaults: 2 iterations, beta 0.01
            else:
                found = ig.community_multilevel()
            times.append(time.perf_counter() - start)
            qs.append(float(found.modularity))
    return {
        "seconds": float(np.median(times)),
        "modularity": float(np.mean(qs)),
        "modularities": qs,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "nodes": n,
        "edges": int(src.size),
    }


def measure(graph: str, algorithm: str, peer: str, nodes: int, seeds: int, timeout: int) -> Any:
    cmd = [
        sys.executable, __file__, "--one", graph, algorithm, peer,
        "--nodes", str(nodes), "--seeds", str(seeds),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:160]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", nargs=3, metavar=("GRAPH", "ALGORITHM", "PEER"))
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--big-seeds", type=int, default=1, help="seeds on the synthetic graph")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--graphs", default=",".join(GRAPHS))
    parser.add_argument("--algorithms", default="leiden,louvain")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.nodes, args.seeds)))
        return
    graphs = [g for g in args.graphs.split(",") if not (args.skip_big and g == "synthetic")]
    results: dict[str, Any] = {}
    for graph in graphs:
        for algorithm in args.algorithms.split(","):
            seeds = args.big_seeds if graph == "synthetic" else args.seeds
            row = {
                peer: measure(graph, algorithm, peer, args.nodes, seeds, args.timeout)
                for peer in IMPLEMENTATIONS[algorithm]
            }
            results[f"{graph}/{algorithm}"] = row
            ours = row["ours"]
            cells = []
            for peer, r in row.items():
                if "error" in r:
                    cells.append(f"{peer}: {r['error']}")
                    continue
                cell = f"{peer}: {r['seconds']:.2f}s Q={r['modularity']:.4f}"
                if peer != "ours" and "error" not in ours:
                    cell += (
                        f" (ours/peer: time {ours['seconds'] / r['seconds']:.2f}x,"
                        f" Q {ours['modularity'] - r['modularity']:+.4f})"
                    )
                cells.append(cell)
            print(f"{graph:<17} {algorithm:<8} " + " | ".join(cells), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "communities.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
