"""Neo4j Graph Data Science beside the in-process engine, in one run.

Needs the project's live server (``scripts/neo4j start && eval "$(scripts/neo4j env)"``).

1. **Algorithms** on soc-Slashdot0902 and a synthetic power-law graph (Barabási-Albert,
   ``--nodes`` nodes x 10 edges each; default 1,000,000 / 10,000,000): PageRank (GDS
   defaults, directed) and Leiden (undirected, seed 1). Each (graph, algorithm, engine)
   runs in a fresh subprocess. ``load`` is the edge list read into a snapshot (both
   engines need it: the GDS engine projects the snapshot). ``project``: python builds
   the undirected snapshot where the algorithm needs one; GDS receives the graph over
   Bolt (a Cypher aggregation projection; GDS's own ``projectMillis`` in brackets).
   ``memory``: peak RSS of the Python process; for GDS also GDS's own estimate of the
   projection plus the algorithm (``bytesMax``).
2. **``compute``** on a ``--customers`` synthetic Neo4j store (default 100,000; seed 0)
   with ``--engine python`` and ``--engine gds``, stage by stage. The database is
   **wiped** first: pass ``--wipe`` to confirm it is disposable (``--skip-compute``
   runs part 1 only).

Run: ``.venv/bin/python benchmarks/gds.py --wipe`` (writes ``benchmarks/results/gds.json``
and prints Markdown tables).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.algorithms import load_edges, measure  # noqa: E402
from benchmarks.neo4j_ingest import _connection  # noqa: E402

GRAPHS = ("soc-Slashdot0902", "synthetic")
ALGORITHMS = ("pagerank", "leiden")
ENGINES = ("python", "gds")


def _settings() -> Any:
    from pydantic import SecretStr

    from graph_engine.config import Settings

    _, user, password = _connection()
    return Settings(neo4j_user=user, neo4j_password=SecretStr(password), identity_salt="bench")


def run_one(graph: str, algorithm: str, engine: str, nodes: int) -> dict[str, Any]:
    """One measurement (in its own process)."""
    import numpy as np

    from graph_engine import GraphSnapshot
    from graph_engine.algorithms import community, influence

    started = time.perf_counter()
    src, dst, n, _ = load_edges(graph, nodes)
    g = GraphSnapshot.from_index_edges(src, dst, list(range(n)))
    out: dict[str, Any] = {
        "nodes": n,
        "edges": int(src.size),
        "load_s": time.perf_counter() - started,
    }
    if engine == "python":
        started = time.perf_counter()
        target = g.undirected() if algorithm == "leiden" else g
        out["project_s"] = time.perf_counter() - started
        started = time.perf_counter()
        if algorithm == "pagerank":
            scores = influence.pagerank(target).scores
            out["checksum"] = float(np.sum(scores))
        else:
            out["modularity"] = community.leiden(target, random_seed=1).modularity
        out["algorithm_s"] = time.perf_counter() - started
    else:
        from graph_engine.store.neo4j import Neo4jStore

        uri, _, _ = _connection()
        store = Neo4jStore(uri, _settings())
        gds = store.gds()
        if gds is None:
            raise SystemExit("GDS is not installed in the server")
        undirected = algorithm == "leiden"
        rels = 2 * g.m if undirected else g.m
        est = gds.estimate([("projection", "project", n, rels), (algorithm, algorithm, n, rels)])
        out["gds_estimate_mb"] = est.bytes_max / 2**20
        started = time.perf_counter()
        with gds.project(g, undirected=undirected, label="bench") as graph_:
            out["project_s"] = time.perf_counter() - started
            out["gds_project_s"] = graph_.project_millis / 1000
            started = time.perf_counter()
            if algorithm == "pagerank":
                scores = gds.node_values("pagerank", graph_, {"concurrency": 2})
                out["checksum"] = float(np.sum(scores))
            else:
                row = gds.call("leiden", graph_, {"randomSeed": 1, "concurrency": 1})
                out["modularity"] = float(row["modularity"])
            out["algorithm_s"] = time.perf_counter() - started
        store.close()
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def compute_runs(customers: int) -> dict[str, Any]:
    """Ingest a synthetic store into the (wiped) Neo4j database and compute it with each
    engine; the stage timings of each run."""
    from graph_engine.ingest import Ingestor, Source
    from graph_engine.ingest.synthetic import SyntheticConfig, generate
    from graph_engine.pipeline import compute
    from graph_engine.store.neo4j import Neo4jStore

    uri, _, _ = _connection()
    settings = _settings()
    store = Neo4jStore(uri, settings)
    store.delete_everything(confirm=uri)
    out: dict[str, Any] = {"customers": customers}
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), SyntheticConfig(customers=customers, seed=0))
        started = time.perf_counter()
        Ingestor(store, settings).ingest([Source(Path(tmp) / "events.jsonl", "jsonl")])
        out["ingest_s"] = time.perf_counter() - started
    for engine in ENGINES:
        started = time.perf_counter()
        run = compute(store, settings, engine=engine)  # type: ignore[arg-type]
        out[engine] = {
            "total_s": time.perf_counter() - started,
            "timings": run.timings,
            "modularity": run.summary["modularity"],
            "communities": run.summary["communities"],
            "engine_version": run.config["engine_version"],
        }
    store.close()
    return out


def tables(res: dict[str, Any]) -> str:
    lines = [
        "| graph | algorithm | engine | load s | project s | algorithm s | project + algorithm "
        "(ratio to python) | peak RSS MB | GDS estimate MB | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for graph, per_algo in res["algorithms"].items():
        for algorithm, per_engine in per_algo.items():
            base = per_engine.get("python", {})
            base_t = (
                base.get("project_s", 0) + base.get("algorithm_s", 0)
                if "error" not in base
                else None
            )
            for engine, r in per_engine.items():
                if "error" in r:
                    lines.append(f"| {graph} | {algorithm} | {engine} | {r['error']} |||||||")
                    continue
                total = r["project_s"] + r["algorithm_s"]
                ratio = f" ({total / base_t:.2f}x)" if base_t else ""
                project = f"{r['project_s']:.2f}"
                if "gds_project_s" in r:
                    project += f" ({r['gds_project_s']:.2f})"
                result = (
                    f"Q {r['modularity']:.4f}" if "modularity" in r else f"sum {r['checksum']:.1f}"
                )
                lines.append(
                    f"| {graph} ({r['nodes']:,} / {r['edges']:,}) | {algorithm} | {engine} | "
                    f"{r['load_s']:.2f} | {project} | {r['algorithm_s']:.2f} | "
                    f"{total:.2f}{ratio} | "
                    f"{r['peak_mb']:,.0f} | {r.get('gds_estimate_mb', 0):,.0f} | {result} |"
                )
    comp = res.get("compute")
    if comp:
        stages = list(comp["python"]["timings"])
        lines += [
            "",
            f"compute on a {comp['customers']:,}-customer Neo4j store (ingest "
            f"{comp['ingest_s']:.0f} s):",
            "",
            "| engine | total s | " + " | ".join(stages) + " | modularity |",
            "|---|---|" + "---|" * len(stages) + "---|",
        ]
        for engine in ENGINES:
            r = comp[engine]
            cells = " | ".join(f"{r['timings'].get(s, 0):.1f}" for s in stages)
            ratio = r["total_s"] / comp["python"]["total_s"]
            total = f"{r['total_s']:.1f} ({ratio:.2f}x)"
            lines.append(f"| {engine} | {total} | {cells} | {r['modularity']:.4f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", nargs=3, metavar=("GRAPH", "ALGORITHM", "ENGINE"))
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--graphs", default=",".join(GRAPHS))
    parser.add_argument("--timeout", type=int, default=1200)
    parser.add_argument("--skip-compute", action="store_true")
    parser.add_argument("--wipe", action="store_true")
    args = parser.parse_args()
    if args.one:
        graph, algorithm, engine = args.one
        print(json.dumps(run_one(graph, algorithm, engine, args.nodes)))
        return
    if not args.skip_compute and not args.wipe:
        sys.exit("the compute part wipes the Neo4j database: pass --wipe (or --skip-compute)")
    _connection()
    res: dict[str, Any] = {"algorithms": {}}
    for graph in args.graphs.split(","):
        for algorithm in ALGORITHMS:
            for engine in ENGINES:
                r = measure(graph, algorithm, engine, args.nodes, args.timeout, __file__)
                res["algorithms"].setdefault(graph, {}).setdefault(algorithm, {})[engine] = r
                print(graph, algorithm, engine, r, file=sys.stderr, flush=True)
    if not args.skip_compute:
        res["compute"] = compute_runs(args.customers)
    out = ROOT / "benchmarks" / "results" / "gds.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2))
    print(tables(res))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
