"""Algorithms beside igraph, networkx and networkit: wall time and peak memory.

Each (graph, algorithm, implementation) runs in a fresh subprocess, so peak memory
(max RSS, graph loading included) and time are those of that run alone; times are of
the algorithm call only. Graphs: the real datasets in ``../shared/datasets`` and a
synthetic power-law graph (Barabási-Albert, default 1,000,000 nodes x 10 edges each).

Run: ``.venv/bin/python benchmarks/algorithms.py [--nodes N] [--skip-big]``
(needs the ``bench`` extra for networkit). Prints a table with ratios against ours and
writes ``benchmarks/results/algorithms.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
GRAPHS = {
    "email-Eu-core": ("email-Eu-core.txt", True),
    "ego-Facebook": ("facebook_combined.txt.gz", False),
    "soc-Slashdot0902": ("soc-Slashdot0902.txt.gz", True),
    "higgs-retweet": ("higgs-retweet_network.edgelist.gz", True),
}
ALGORITHMS = ("pagerank", "leiden", "louvain", "wcc", "betweenness")
PEERS = ("ours", "scipy", "igraph", "networkit", "networkx")


def load_edges(graph: str, nodes: int) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Dense 0..n-1 edge arrays of a dataset (self-loops and duplicates dropped)."""
    if graph == "synthetic":
        import random

        import igraph

        random.seed(0)  # igraph draws from Python's random: the same graph in every process
        ba = igraph.Graph.Barabasi(nodes, 10, directed=True)
        edges = np.asarray(ba.get_edgelist(), dtype=np.int64)
        return edges[:, 0], edges[:, 1], nodes, True
    name, directed = GRAPHS[graph]
    path = DATASETS / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        rows = [line.split()[:2] for line in fh if line.strip() and line[0] not in "#%"]
    raw = np.asarray(rows, dtype=np.int64)
    ids, inverse = np.unique(raw, return_inverse=True)
    edges = inverse.reshape(-1, 2)
    edges = edges[edges[:, 0] != edges[:, 1]]
    codes = np.unique(edges[:, 0] * ids.size + edges[:, 1])
    return codes // ids.size, codes % ids.size, int(ids.size), directed


def run_one(graph: str, algorithm: str, peer: str, nodes: int) -> dict[str, Any]:
    src, dst, n, directed = load_edges(graph, nodes)
    result: dict[str, Any] = {}
    if peer == "ours":
        from graph_engine import GraphSnapshot
        from graph_engine.algorithms import community, influence

        g = GraphSnapshot.from_index_edges(src, dst, list(range(n)))
        if algorithm in ("leiden", "louvain"):
            g = g.undirected()
        start = time.perf_counter()
        if algorithm == "pagerank":
            influence.pagerank(g)
        elif algorithm == "leiden":
            result["modularity"] = community.leiden(g, random_seed=1).modularity
        elif algorithm == "louvain":
            result["modularity"] = community.louvain(g, seed=1).modularity
        elif algorithm == "wcc":
            result["components"] = community.wcc(g).community_count
        else:
            influence.betweenness(g, sampling_size=100, sampling_seed=1)
    elif peer == "scipy":
        if algorithm != "pagerank":
            raise NotImplementedError("scipy baseline is for PageRank only")
        import scipy.sparse as sp

        start = time.perf_counter()
        out = np.bincount(src, minlength=n).astype(float)
        matrix = sp.csr_matrix((1.0 / out[src], (dst, src)), shape=(n, n))
        x = np.full(n, 1.0 / n)
        for _ in range(20):  # plain power iteration, the reference point
            x = 0.85 * (matrix @ x) + 0.15 / n
    elif peer == "igraph":
        import igraph

        ig = igraph.Graph(
            n=n,
            edges=np.column_stack([src, dst]).tolist(),
            directed=directed and algorithm not in ("leiden", "louvain"),
        )
        start = time.perf_counter()
        if algorithm == "pagerank":
            ig.pagerank()  # PRPACK, to convergence
        elif algorithm == "leiden":
            result["modularity"] = ig.community_leiden("modularity", n_iterations=-1).modularity
        elif algorithm == "louvain":
            result["modularity"] = ig.community_multilevel().modularity
        elif algorithm == "wcc":
            result["components"] = len(ig.connected_components(mode="weak"))
        else:
            ig.betweenness(sources=list(range(100)))
    elif peer == "networkit":
        import networkit as nk

        nk.engineering.setNumberOfThreads(2)
        directed_here = directed and algorithm not in ("leiden", "louvain")
        gk = nk.Graph(n, directed=directed_here)
        gk.addEdges((src, dst))
        start = time.perf_counter()
        if algorithm == "pagerank":
            pr = nk.centrality.PageRank(gk, damp=0.85, tol=1e-7)
            pr.maxIterations = 20
            pr.run()
        elif algorithm == "leiden":
            algo = nk.community.ParallelLeiden(gk)
            algo.run()
            result["modularity"] = nk.community.Modularity().getQuality(algo.getPartition(), gk)
        elif algorithm == "louvain":
            algo = nk.community.PLM(gk, refine=False)
            algo.run()
            result["modularity"] = nk.community.Modularity().getQuality(algo.getPartition(), gk)
        elif algorithm == "wcc":
            cc = (
                nk.components.WeaklyConnectedComponents(gk)
                if directed_here
                else nk.components.ConnectedComponents(gk)
            )
            cc.run()
            result["components"] = cc.numberOfComponents()
        else:
            nk.centrality.EstimateBetweenness(gk, 100).run()
    else:
        import networkx as nx

        graph_nx = (
            nx.DiGraph() if directed and algorithm not in ("leiden", "louvain") else nx.Graph()
        )
        graph_nx.add_nodes_from(range(n))
        graph_nx.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
        start = time.perf_counter()
        if algorithm == "pagerank":
            nx.pagerank(graph_nx, max_iter=20, tol=1e-7)  # may raise: not converged
        elif algorithm == "leiden":
            raise NotImplementedError("networkx has no Leiden")
        elif algorithm == "louvain":
            parts = nx.community.louvain_communities(graph_nx, seed=1)
            result["modularity"] = nx.community.modularity(graph_nx, parts)
        elif algorithm == "wcc":
            result["components"] = (
                nx.number_weakly_connected_components(graph_nx)
                if graph_nx.is_directed()
                else nx.number_connected_components(graph_nx)
            )
        else:
            nx.betweenness_centrality(graph_nx, k=100, seed=1)
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["nodes"], result["edges"] = n, int(src.size)
    return result


def measure(
    graph: str, algorithm: str, peer: str, nodes: int, timeout: int, script: str = __file__
) -> dict[str, Any]:
    """Run ``script --one GRAPH ALGORITHM PEER --nodes N`` in a fresh process: its last
    stdout line as JSON, or ``{"error": ...}`` (the process's last stderr line, or the
    timeout)."""
    cmd = [sys.executable, script, "--one", graph, algorithm, peer, "--nodes", str(nodes)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last[:160]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", nargs=3, metavar=("GRAPH", "ALGORITHM", "PEER"))
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--graphs", default=",".join([*GRAPHS, "synthetic"]))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.nodes)))
        return
    graphs = [g for g in args.graphs.split(",") if not (args.skip_big and g == "synthetic")]
    results: dict[str, Any] = {}
    for graph in graphs:
        for algorithm in ALGORITHMS:
            row = {}
            for peer in PEERS:
                if peer == "scipy" and algorithm != "pagerank":
                    continue
                if peer == "networkx" and (graph == "synthetic" or algorithm == "leiden"):
                    row[peer] = {
                        "error": "skipped (minutes and GBs)"
                        if graph == "synthetic"
                        else "no Leiden in networkx"
                    }
                    continue
                row[peer] = measure(graph, algorithm, peer, args.nodes, args.timeout)
            results[f"{graph}/{algorithm}"] = row
            ours = row["ours"].get("seconds")
            cells = []
            for peer in row:
                r = row[peer]
                if "error" in r:
                    cells.append(f"{peer}: {r['error']}")
                    continue
                ratio = f" ({r['seconds'] / ours:.2f}x ours)" if ours and peer != "ours" else ""
                extra = f" Q={r['modularity']:.3f}" if "modularity" in r else ""
                cells.append(f"{peer}: {r['seconds']:.2f}s {r['peak_mb']:.0f}MB{extra}{ratio}")
            print(f"{graph:<18} {algorithm:<11} " + " | ".join(cells), flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "algorithms.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
