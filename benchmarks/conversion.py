"""The igraph conversion tax (issue 18, part 4): our compiled kernels, which read the
snapshot's CSR arrays, beside igraph's own algorithm on its own graph, in one run.

For each graph: sampled betweenness (100 sources, drawn as ours draws them, the same
sources given to igraph and networkit), triangle count and, on the small graph,
closeness. Ours is timed from the ``GraphSnapshot`` (everything included); igraph and
networkit are timed on graphs already built (their construction shown apart, as what
converting a snapshot costs). Graphs: email-Eu-core, soc-Slashdot0902 and a power-law
graph (Barabási-Albert, 500,000 nodes x 10 edges by default).

Run: ``.venv/bin/python benchmarks/conversion.py [--nodes N]`` (networkit from the
``bench`` extra); writes ``benchmarks/results/conversion.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from algorithms import load_edges


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(graph: str, nodes: int) -> dict[str, Any]:
    """One graph: our times beside igraph's and networkit's, results checked equal."""
    import igraph
    import networkit as nk

    from graph_engine import GraphSnapshot
    from graph_engine.algorithms import community, influence

    src, dst, n, directed = load_edges(graph, nodes)
    g = GraphSnapshot.from_index_edges(src, dst, list(range(n)), directed=directed)
    build, ig = timed(
        lambda: igraph.Graph(n=n, edges=np.column_stack([src, dst]), directed=directed)
    )
    und = ig.as_undirected(mode="each")
    gk = nk.Graph(n, directed=directed)
    gk.addEdges((src, dst))
    row: dict[str, Any] = {"igraph_build_seconds": build, "nodes": n, "edges": int(src.size)}
    # the sources our sampler draws (seed 1), handed to the peers as well
    ours_b, scores = timed(lambda: influence.betweenness(g, sampling_size=100, sampling_seed=1))
    rng = np.random.default_rng(1)
    out = g.out_degree().astype(float)
    sources = rng.choice(n, size=100, replace=False, p=out / out.sum()).tolist()
    ig_b, theirs = timed(lambda: ig.betweenness(directed=directed, sources=sources))
    assert np.allclose(scores.scores, theirs, rtol=1e-9, atol=1e-9), graph
    nk_b, _ = timed(lambda: nk.centrality.EstimateBetweenness(gk, 100).run())
    row["betweenness"] = {"ours": ours_b, "igraph": ig_b, "networkit": nk_b}
    ours_t, tri = timed(lambda: community.triangle_count(g))
    simple = und.copy()
    simple.simplify()
    ig_t, corners = timed(lambda: simple.list_triangles())
    assert tri.config["global_triangle_count"] == len(corners), graph
    row["triangles"] = {"ours": ours_t, "igraph": ig_t}
    if n <= 5_000:
        ours_c, _ = timed(lambda: influence.closeness(g))
        ig_c, _ = timed(lambda: ig.closeness(mode="in"))
        row["closeness"] = {"ours": ours_c, "igraph": ig_c}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=500_000)
    parser.add_argument("--graphs", default="email-Eu-core,soc-Slashdot0902,synthetic")
    args = parser.parse_args()
    import networkit as nk

    from graph_engine import GraphSnapshot
    from graph_engine.algorithms import community, influence

    nk.engineering.setNumberOfThreads(2)
    tiny = GraphSnapshot.from_edges([0, 1, 2], [1, 2, 0])
    influence.betweenness(tiny)
    influence.closeness(tiny)
    community.triangle_count(tiny)  # compiled kernels loaded before timing
    results: dict[str, Any] = {}
    for graph in args.graphs.split(","):
        row = measure(graph, args.nodes)
        results[graph] = row
        cells = [f"igraph build {row['igraph_build_seconds']:.2f}s"]
        for name in ("betweenness", "triangles", "closeness"):
            if name in row:
                r = row[name]
                peers = ", ".join(
                    f"{p} {r[p]:.3f}s ({r['ours'] / r[p]:.2f}x)" for p in r if p != "ours"
                )
                cells.append(f"{name}: ours {r['ours']:.3f}s vs {peers}")
        print(f"{graph:<17} " + " | ".join(cells), flush=True)
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "conversion.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
