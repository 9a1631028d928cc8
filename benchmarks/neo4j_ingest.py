"""Neo4j beside the embedded SQLite store, on the same data in one run.

Needs the project's live server (``scripts/neo4j start && eval "$(scripts/neo4j env)"``)
or any Neo4j 5.26+ given by ``GRAPH_ENGINE_STORE_URL`` / ``NEO4J_URI`` and its password.
Its database is **wiped**: pass ``--wipe`` to confirm it is disposable.

For one synthetic data set (seed 0) it measures on each store:

1. ingest (events/s; target: Neo4j >= 1/3 of SQLite's);
2. the snapshot read of the influence graph (FOLLOWS + SHARED_TO + REFERRED; target:
   1M edges in < 10 s on Neo4j);
3. ``compute``, stage by stage;
4. the HTTP API: ``GET /v1/customers/{id}`` and ``GET /v1/influencers?tier=kol&limit=50``
   at a fixed request rate, p50 / p99 (target: Neo4j p99 < 3x SQLite's);
5. the score write-back: Neo4j's ``write_back`` of the run (100k customers) at several
   batch sizes, then a store of ``--big`` customers (1M by default: profile events only)
   with a run of as many scores, written (``write_scores``), published and written back
   (target: 1M scores written back in < 60 s).

Run: ``.venv/bin/python benchmarks/neo4j_ingest.py --customers 100000 --wipe``
(writes ``benchmarks/results/neo4j_ingest.json`` and prints a Markdown table).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api import drive, free_port, wait_healthy  # noqa: E402
from graph_engine.config import Settings  # noqa: E402
from graph_engine.ingest import Ingestor, Source  # noqa: E402
from graph_engine.ingest.synthetic import SyntheticConfig, generate  # noqa: E402
from graph_engine.pipeline import compute  # noqa: E402
from graph_engine.store import GraphStore, SQLiteStore  # noqa: E402
from graph_engine.store.base import ScoreRecord  # noqa: E402
from graph_engine.store.neo4j import Neo4jStore  # noqa: E402

RELS = ("FOLLOWS", "SHARED_TO", "REFERRED")


def _connection() -> tuple[str, str, str]:
    env = os.environ
    uri = env.get("NEO4J_URI") or env.get("GRAPH_ENGINE_STORE_URL", "")
    if not uri.startswith(("neo4j", "bolt")):
        sys.exit('no Neo4j: run `scripts/neo4j start && eval "$(scripts/neo4j env)"`')
    password = env.get("NEO4J_PASSWORD") or env.get("GRAPH_ENGINE_NEO4J_PASSWORD")
    file = env.get("NEO4J_PASSWORD_FILE") or env.get("GRAPH_ENGINE_NEO4J_PASSWORD_FILE")
    if password is None and file:
        password = Path(file).read_text().splitlines()[0]
    user = env.get("NEO4J_USER") or env.get("GRAPH_ENGINE_NEO4J_USER") or "neo4j"
    return uri, user, password or ""


def _timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - started


def _ingest(store: GraphStore, settings: Settings, events: Path) -> dict[str, Any]:
    report, seconds = _timed(Ingestor(store, settings).ingest, [Source(events, "jsonl")])
    n = report.accepted + report.rejected + report.duplicates
    return {"seconds": seconds, "events": n, "events_per_s": n / seconds}


def _snapshot(store: GraphStore) -> dict[str, Any]:
    g, seconds = _timed(store.snapshot, RELS, influence=True)
    return {"seconds": seconds, "nodes": g.n, "edges": g.m, "edges_per_s": g.m / seconds}


def _api(url: str, env: dict[str, str], ids: list[str], rate: float, seconds: float) -> Any:
    """Serve ``url`` with ``graph-engine serve`` and drive the two reads at ``rate``."""
    cli = [sys.executable, "-m", "graph_engine.cli"]
    env = {**env, "GRAPH_ENGINE_API_RATE_LIMIT_PER_MINUTE": "10000000"}
    made = subprocess.run(
        [*cli, "keys", "create", "--role", "admin", "--db", url, "--json"],
        capture_output=True, text=True, env=env, check=True, cwd=ROOT,
    )  # fmt: skip
    key = json.loads(made.stdout)["key"]
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--db", url, "--port", str(port)],
        env={**env, "GRAPH_ENGINE_ENVIRONMENT": "production"},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        wait_healthy(base)
        for label, paths in (
            ("customer", [f"/v1/customers/{i}" for i in ids]),
            ("influencers", ["/v1/influencers?tier=kol&limit=50"]),
        ):
            asyncio.run(drive(base, key, paths, rate, 2))  # warm-up (caches, plans)
            out[label] = asyncio.run(drive(base, key, paths, rate, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def _customer_events(path: Path, n: int) -> Path:
    """``n`` profile events, one customer each (the 1M-customer write-back store)."""
    if not path.exists():  # written whole, then renamed: a killed run leaves no half file
        part = path.with_suffix(".part")
        with part.open("w") as f:
            for i in range(n):
                f.write(
                    json.dumps(
                        {
                            "type": "customer",
                            "event_id": f"big-{i}",
                            "customer": f"big-{i:07d}",
                            "at": "2026-06-01T00:00:00Z",
                            "name": f"Customer {i}",
                        }
                    )
                    + "\n"
                )
        part.rename(path)
    return path


def _scores(run_id: str, n: int) -> Iterator[ScoreRecord]:
    tiers = ("consumer",) * 17 + ("kol", "koc", "employee")
    for i in range(n):
        tier = tiers[i % len(tiers)]
        yield ScoreRecord(
            customer_id=f"big-{i:07d}",
            run_id=run_id,
            tier=tier,
            tier_level="nano" if tier == "kol" else None,
            tier_reason=f"synthetic {tier}",
            community_id=i % 997,
            social_value=(i % 1000) / 1000,
            influence=1.0 / (1 + i),
            expected_reach=1.0 + i % 50,
            audience=i % 5000,
            participation=float(i % 7),
            revenue=float(i % 300),
            bridge=(i % 10) / 10,
            conversions=i % 3,
            details={"synthetic": True},
        )


def _big(store: GraphStore, settings: Settings, events: Path, n: int) -> dict[str, Any]:
    out: dict[str, Any] = {"ingest": _ingest(store, settings, events)}
    assert out["ingest"]["events"] == n, f"{events} holds {out['ingest']['events']} events, not {n}"
    run = store.begin_run({"benchmark": "write-back"}, {"customers": n})
    written, out["write_scores_s"] = _timed(store.write_scores, run.run_id, _scores(run.run_id, n))
    out["scores"] = written
    _, out["publish_s"] = _timed(store.publish_run, run.run_id, {}, {}, 10)
    out["scores_per_s"] = n / (out["write_scores_s"] + out["publish_s"])
    if isinstance(store, Neo4jStore):
        done, out["write_back_s"] = _timed(store.write_back, run.run_id)
        out["write_back_customers"] = done["written"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--big", type=int, default=1_000_000, help="customers of the write-back store (0: skip)"
    )
    parser.add_argument("--batch-sizes", default="2000,10000,50000")
    parser.add_argument("--api-rate", type=float, default=200)
    parser.add_argument("--api-seconds", type=float, default=15)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--wipe", action="store_true", help="confirm the database is disposable")
    args = parser.parse_args()  # fmt: skip
    uri, user, password = _connection()
    if not args.wipe:
        sys.exit(f"this benchmark deletes everything in {uri}; pass --wipe to confirm")
    work = args.work or Path(tempfile.mkdtemp(prefix="neo4j-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"syn{args.customers}"
    if not (data / "events.jsonl").exists():
        generate(data, SyntheticConfig(customers=args.customers, seed=0))
    events = data / "events.jsonl"
    base = Settings(identity_salt="bench", quarantine_dir=work / "quarantine")
    neo_settings = base.model_copy(
        update={
            "neo4j_user": user,
            "neo4j_password": SecretStr(password),
            "store_url": uri,
            "identity_salt": None,
        }
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GRAPH_ENGINE_")},
        "GRAPH_ENGINE_NEO4J_USER": user,
        "GRAPH_ENGINE_NEO4J_PASSWORD": password,
    }
    res: dict[str, Any] = {"customers": args.customers, "events": None, "uri": uri}

    lite_path = work / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{lite_path}{suffix}").unlink(missing_ok=True)
    lite_url = f"sqlite:///{lite_path}"
    stores: dict[str, GraphStore] = {
        "sqlite": SQLiteStore(lite_url, identity_salt="bench"),
        "neo4j": Neo4jStore(uri, neo_settings),  # keeps the database's own salt
    }
    neo = stores["neo4j"]
    assert isinstance(neo, Neo4jStore)
    neo.delete_everything(confirm=uri)
    for name, store in stores.items():
        settings = neo_settings if name == "neo4j" else base
        print(f"[{name}] ingest ...", flush=True)
        res[f"{name}_ingest"] = _ingest(store, settings, events)
        res["events"] = res[f"{name}_ingest"]["events"]
        print(f"[{name}] snapshot ...", flush=True)
        res[f"{name}_snapshot"] = _snapshot(store)
        print(f"[{name}] compute ...", flush=True)
        run, seconds = _timed(compute, store, settings)
        res[f"{name}_compute"] = {"seconds": seconds, "timings": run.timings, "run_id": run.run_id}
        mine = {k: v for k, v in res.items() if k.startswith(name)}
        print(f"[{name}] {json.dumps(mine, default=str)}", flush=True)
    ids = [s.customer_id for s in stores["sqlite"].top_scores(limit=2000, by="social_value")]
    for name, url in (("sqlite", lite_url), ("neo4j", uri)):
        print(f"[{name}] API ...", flush=True)
        salt = {"GRAPH_ENGINE_IDENTITY_SALT": stores[name].identity_salt()}
        res[f"{name}_api"] = _api(url, {**env, **salt}, ids, args.api_rate, args.api_seconds)
        print(f"[{name}] api {res[f'{name}_api']}", flush=True)

    res["neo4j_write_back_run"] = []
    run_id = res["neo4j_compute"]["run_id"]
    for size in (int(s) for s in args.batch_sizes.split(",")):
        store = Neo4jStore(uri, neo_settings.model_copy(update={"neo4j_write_batch_size": size}))
        done, seconds = _timed(store.write_back, run_id)
        res["neo4j_write_back_run"].append(
            {"batch_size": size, "seconds": seconds, "customers": done["written"],
             "customers_per_s": done["written"] / seconds}
        )  # fmt: skip
        print(f"[neo4j] write-back {res['neo4j_write_back_run'][-1]}", flush=True)
        store.close()

    if args.big:
        big_events = _customer_events(work / f"customers{args.big}.jsonl", args.big)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work / 'big.db'}{suffix}").unlink(missing_ok=True)
        neo.delete_everything(confirm=uri)
        for name, store in (
            ("sqlite", SQLiteStore(f"sqlite:///{work / 'big.db'}", identity_salt="bench")),
            ("neo4j", neo),
        ):
            print(f"[{name}] {args.big} scores ...", flush=True)
            settings = neo_settings if name == "neo4j" else base
            res[f"{name}_big"] = _big(store, settings, big_events, args.big)
            print(f"[{name}] big {res[f'{name}_big']}", flush=True)
            store.close()
    stores["sqlite"].close()

    out = ROOT / "benchmarks" / "results" / "neo4j_ingest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str))
    print(table(res))


def table(res: dict[str, Any]) -> str:
    """The README table: each measure on both stores and Neo4j / SQLite."""
    rows = [("measure", "SQLite", "Neo4j", "Neo4j / SQLite", "target")]

    def add(label: str, a: float, b: float, unit: str, target: str, fmt: str = "{:,.1f}") -> None:
        rows.append((label, fmt.format(a) + unit, fmt.format(b) + unit, f"{b / a:.2f}", target))

    def pair(measure: str, field: str) -> tuple[float, float]:
        return res[f"sqlite_{measure}"][field], res[f"neo4j_{measure}"][field]

    events, edges = res["events"], res["neo4j_snapshot"]["edges"]
    add(
        f"ingest {events:,} events (events/s)",
        *pair("ingest", "events_per_s"),
        "",
        ">= 0.33",
        "{:,.0f}",
    )
    add(
        f"snapshot read, {edges:,} edges (s)",
        *pair("snapshot", "seconds"),
        " s",
        "Neo4j 1M edges < 10 s",
    )
    comp = res["sqlite_compute"], res["neo4j_compute"]
    add("compute, total (s)", *pair("compute", "seconds"), " s", "")
    for stage in comp[1]["timings"]:
        a, b = comp[0]["timings"].get(stage, 0.0), comp[1]["timings"][stage]
        if a:
            add(f"  compute: {stage} (s)", a, b, " s", "")
    for label in ("customer", "influencers"):
        for q in ("p50_ms", "p99_ms"):
            a, b = res["sqlite_api"][label][q], res["neo4j_api"][label][q]
            add(
                f"API {label} {q[:3]} (ms)",
                a,
                b,
                " ms",
                "p99 < 3x" if q == "p99_ms" else "",
                "{:,.1f}",
            )
    for wb in res.get("neo4j_write_back_run", []):
        rows.append(
            (
                f"write-back {wb['customers']:,} (batch {wb['batch_size']:,})",
                "-",
                f"{wb['seconds']:.1f} s",
                "",
                "",
            )
        )
    if "neo4j_big" in res:
        big = res["sqlite_big"], res["neo4j_big"]
        add(
            f"write {big[1]['scores']:,} score rows + publish (s)",
            big[0]["write_scores_s"] + big[0]["publish_s"],
            big[1]["write_scores_s"] + big[1]["publish_s"],
            " s",
            "",
        )
        rows.append(
            (
                f"write-back {big[1]['write_back_customers']:,} scores onto customers",
                "-",
                f"{big[1]['write_back_s']:.1f} s",
                "",
                "< 60 s",
            )
        )
        add(
            f"ingest {big[1]['ingest']['events']:,} profile events (events/s)",
            big[0]["ingest"]["events_per_s"],
            big[1]["ingest"]["events_per_s"],
            "",
            "",
            "{:,.0f}",
        )
    width = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in width) + "|")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
