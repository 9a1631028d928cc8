"""API latency under load: GET /customers/{id} and GET /influencers?tier=kol&limit=50.

Starts ``graph-engine serve`` (uvicorn) on a copy of a computed database in one process,
then drives it from a second process with an async httpx client at a fixed request rate
(open loop: requests are sent on schedule whether or not earlier ones returned), first
idle, then while a recompute job runs in the background. Reports achieved requests/s and
p50 / p99 / max latency per endpoint.

Target (issue #6, this 2-core machine): p99 under 20 ms at 500 req/s for the score lookup.

Run: ``.venv/bin/python benchmarks/api.py --db /path/to/computed.db [--rate 500]
[--seconds 20]`` (a database with a complete run, e.g. the one ``benchmarks/pipeline.py
--work DIR`` leaves at 100,000 customers). Writes ``benchmarks/results/api.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(
    base: str, key: str, paths: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    """Open-loop load: one request every 1/rate s, each timed on its own."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30
    ) as client:

        async def one(path: str) -> None:
            started = time.perf_counter()
            try:
                r = await client.get(path)
                code = r.status_code
            except httpx.HTTPError:
                code = -1  # timed out in the client's pool: the server fell behind
            latencies.append(time.perf_counter() - started)
            statuses[code] = statuses.get(code, 0) + 1

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(random.choice(paths))))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    lat = np.array(latencies) * 1000
    return {
        "target_rate": rate,
        "achieved_rate": len(latencies) / elapsed,
        "requests": len(latencies),
        "statuses": statuses,
        "p50_ms": float(np.percentile(lat, 50)),
        "p99_ms": float(np.percentile(lat, 99)),
        "max_ms": float(lat.max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "api.db"
        shutil.copy(args.db, db)
        with sqlite3.connect(db) as conn:
            run = conn.execute("SELECT value FROM meta WHERE key = 'current_run'").fetchone()[0]
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT customer_id FROM scores WHERE run_id = ? ORDER BY random() LIMIT 5000",
                    (run,),
                )
            ]
        env = {
            **os.environ,
            "GRAPH_ENGINE_IDENTITY_SALT": os.environ.get("GRAPH_ENGINE_IDENTITY_SALT", "bench"),
            "GRAPH_ENGINE_API_RATE_LIMIT_PER_MINUTE": "10000000",
        }
        key = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "graph_engine.cli",
                    "keys",
                    "create",
                    "--role",
                    "admin",
                    "--db",
                    str(db),
                    "--json",
                ],
                capture_output=True,
                text=True,
                env=env,
                check=True,
                cwd=ROOT,
            ).stdout
        )["key"]
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph_engine.cli",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            env={**env, "GRAPH_ENGINE_ENVIRONMENT": "production"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/v1/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            lookups = [f"/v1/customers/{i}" for i in ids]
            influencers = ["/v1/influencers?tier=kol&limit=50"]
            results: dict[str, Any] = {"customers": len(ids), "db": str(args.db)}
            for label, paths in (("customer_lookup", lookups), ("influencers", influencers)):
                results[f"{label}_idle"] = asyncio.run(
                    drive(base, key, paths, args.rate, args.seconds)
                )
                print(label, "idle", results[f"{label}_idle"], flush=True)
            job = httpx.post(f"{base}/v1/jobs/recompute", headers={"X-API-Key": key}).json()
            results["recompute_job"] = job["job_id"]
            results["customer_lookup_during_recompute"] = asyncio.run(
                drive(base, key, lookups, args.rate, args.seconds)
            )
            print("during recompute", results["customer_lookup_during_recompute"], flush=True)
            state = httpx.get(f"{base}/v1/jobs/{job['job_id']}", headers={"X-API-Key": key}).json()
            results["recompute_state_after_load"] = {
                k: state[k] for k in ("state", "stage", "progress")
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "api.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
