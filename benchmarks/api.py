"""API latency under load: GET /customers/{id} and GET /influencers?tier=kol&limit=50.

Starts ``graph-engine serve`` (uvicorn) on a copy of a computed database in one process,
then drives it from a second process with an async httpx client at a fixed request rate
from 32 paced connections, latency counted from each request's due time), first idle,
then while a recompute job runs in the background. Reports achieved requests/s and
p50 / p99 / max latency per endpoint.

With ``wrk`` on the PATH (Debian package ``wrk``) it also measures closed-loop throughput
and latency at 2 and 8 connections; wrk's client costs little CPU, while the Python
client shares the 2 cores with the server and saturates first.

Target (issue #6, this 2-core machine): p99 under 20 ms at 500 req/s for the score lookup.

Run: ``.venv/bin/python benchmarks/api.py --db /path/to/computed.db [--rate 500]
[--seconds 20]`` (a database with a complete run, e.g. the one ``benchmarks/pipeline.py
--work DIR`` leaves at 100,000 customers). Writes ``benchmarks/results/api.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
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
WORKERS = 32


def wait_healthy(base: str, seconds: float = 30) -> None:
    """Return once ``GET /v1/health`` answers (or after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/v1/health", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(
    base: str, key: str, paths: list[str], rate: float, seconds: float
) -> dict[str, Any]:
    """Constant request rate from ``WORKERS`` paced connections.

    Request k is due at ``start + k / rate``; its latency is measured from that due time
    (corrected for coordinated omission: a server that falls behind is charged for the
    queueing it causes). The client's garbage collector is paused during the run so its
    own pauses are not reported as server latency.
    """
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    n = int(rate * seconds)
    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    gc.collect()
    gc.disable()
    try:
        async with httpx.AsyncClient(
            base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30
        ) as client:
            start = time.perf_counter() + 0.2

            async def worker(w: int) -> None:
                for k in range(w, n, WORKERS):
                    due = start + k / rate
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    try:
                        r = await client.get(paths[k % len(paths)])
                        code = r.status_code
                    except httpx.HTTPError:
                        code = -1
                    latencies.append(time.perf_counter() - due)
                    statuses[code] = statuses.get(code, 0) + 1

            await asyncio.gather(*(worker(w) for w in range(WORKERS)))
            elapsed = time.perf_counter() - start
    finally:
        gc.enable()
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


LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["X-API-Key"] = "%s"})
end
"""


def run_wrk(
    base: str, key: str, paths: list[str], seconds: float, connections: int, workdir: Path
) -> dict[str, Any]:
    """Closed-loop load with wrk (C, negligible client CPU): throughput and latency."""
    script = workdir / "paths.lua"
    script.write_text(LUA % (",".join(json.dumps(p) for p in paths), key))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(text: str) -> float:
        for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
            if text.endswith(unit):
                return float(text[: -len(unit)]) * factor
        return float(text)

    fields: dict[str, Any] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] in (["50%"], ["99%"]):
            fields[f"p{parts[0][:-1]}_ms"] = ms(parts[1])
        elif line.startswith("Requests/sec:"):
            fields["requests_per_s"] = float(parts[1])
        elif "Non-2xx" in line:
            fields["non_2xx"] = int(parts[-1])
    return {"tool": "wrk", "connections": connections, **fields}


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
            seq = int(conn.execute("SELECT seq FROM runs WHERE run_id = ?", (run,)).fetchone()[0])
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT customer_id FROM scores_{seq} ORDER BY random() LIMIT 5000",
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
            wait_healthy(base)
            lookups = [f"/v1/customers/{i}" for i in ids]
            influencers = ["/v1/influencers?tier=kol&limit=50"]
            results: dict[str, Any] = {"customers": len(ids), "db": str(args.db)}
            if shutil.which("wrk"):
                for conns in (2, 8):
                    for label, paths in (
                        ("customer_lookup", lookups),
                        ("influencers", influencers),
                    ):
                        res = run_wrk(base, key, paths, args.seconds, conns, Path(tmp))
                        results[f"wrk_{label}_c{conns}_idle"] = res
                        print("wrk", label, conns, res, flush=True)
            for label, paths in (("customer_lookup", lookups), ("influencers", influencers)):
                results[f"{label}_idle"] = asyncio.run(
                    drive(base, key, paths, args.rate, args.seconds)
                )
                print(label, "idle", results[f"{label}_idle"], flush=True)
            job = httpx.post(f"{base}/v1/jobs/recompute", headers={"X-API-Key": key}).json()
            results["recompute_job"] = job["job_id"]
            if shutil.which("wrk"):
                res = run_wrk(base, key, lookups, args.seconds, 8, Path(tmp))
                results["wrk_customer_lookup_c8_during_recompute"] = res
                print("wrk during recompute", res, flush=True)
                job = httpx.post(f"{base}/v1/jobs/recompute", headers={"X-API-Key": key}).json()
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
