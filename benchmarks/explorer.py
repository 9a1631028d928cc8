"""How fast the web explorer answers and draws on the 100k-customer demo store.

1. Builds the store with ``graph-engine demo --customers N --no-serve`` (kept in
   ``benchmarks/results/explorer-<N>.db`` and reused; ``--fresh`` rebuilds it).
2. Starts ``graph-engine serve`` on it and times the API calls behind each page (median
   of ``--repeat`` calls, after one warm-up): overview, community map, the largest
   community's graph with 2,000 members, the top KOL's 2-hop network.
3. Runs the browser's render measurement (``web/e2e/render.e2e.ts`` in Debian's
   Chromium): first paint (request to first frame on screen) of the community map and of
   the largest community's graph with up to 2,000 members, and frames per second while
   dragging each.

Run: ``.venv/bin/python benchmarks/explorer.py`` (writes ``benchmarks/results/explorer.json``
and prints a Markdown table). Needs ``scripts/install`` (the built explorer, web/node_modules)
and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_engine.store import SQLiteStore  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CLI = [sys.executable, "-m", "graph_engine.cli"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(customers: int, fresh: bool) -> tuple[Path, float | None]:
    db = RESULTS / f"explorer-{customers}.db"
    if db.exists() and not fresh:
        return db, None
    started = time.perf_counter()
    subprocess.run(
        [*CLI, "demo", "--customers", str(customers), "--db", str(db), "--no-serve", "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=RESULTS,
    )
    return db, time.perf_counter() - started


def get(url: str, key: str) -> tuple[float, int, Any]:
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - started, len(body), json.loads(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo store")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db, build_seconds = build(args.customers, args.fresh)
    store = SQLiteStore(f"sqlite:///{db}")
    try:
        _, key = store.create_key("admin", name="benchmarks/explorer.py")
    finally:
        store.close()
    port = _free_port()
    env = {**os.environ, "GRAPH_ENGINE_STORE_URL": f"sqlite:///{db}"}
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    report: dict[str, Any] = {"customers": args.customers, "build_seconds": build_seconds}
    try:
        for _ in range(100):
            try:
                get(f"{base}/v1/health", key)
                break
            except OSError:
                time.sleep(0.3)
        _, _, overview = get(f"{base}/v1/overview", key)
        largest = overview["communities"][0]["community_id"]
        kol = overview["top"]["kol"][0]["customer_id"]
        calls = {
            "overview": f"{base}/v1/overview",
            "community map (300)": f"{base}/v1/communities:map?limit=300",
            f"community {largest} graph (2,000)": (
                f"{base}/v1/communities/{largest}/graph?limit=2000"
            ),
            "2-hop network of the top KOL (200)": f"{base}/v1/customers/{kol}/network",
        }
        api: dict[str, Any] = {}
        for name, url in calls.items():
            get(url, key)
            times, size = [], 0
            for _ in range(args.repeat):
                seconds, size, _ = get(url, key)
                times.append(seconds)
            api[name] = {"median_ms": 1000 * statistics.median(times), "bytes": size}
        report["api"] = api
        with tempfile.TemporaryDirectory() as shots:
            browser_env = {
                **os.environ,
                "EXPLORER_URL": base,
                "KEY_READER": key,
                "KEY_MARKETER": key,
                "KEY_ADMIN": key,
                "KEY_PII": key,
                "SCREENSHOTS": shots,
            }
            subprocess.run(
                [
                    "npx",
                    "--no-install",
                    "vitest",
                    "run",
                    "--config",
                    "vitest.e2e.config.ts",
                    "e2e/render.e2e.ts",
                ],
                cwd=ROOT / "web",
                env=browser_env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            report["render"] = json.loads((Path(shots) / "timings-render.json").read_text())
    finally:
        server.terminate()
        server.wait(timeout=30)
    (RESULTS / "explorer.json").write_text(json.dumps(report, indent=2))
    print(f"## explorer on {args.customers:,} customers\n")
    if build_seconds is not None:
        print(f"demo store built in {build_seconds:.0f} s\n")
    print("| API call | median | response |\n|---|---|---|")
    for name, row in report["api"].items():
        print(f"| {name} | {row['median_ms']:.0f} ms | {row['bytes'] / 1024:.0f} KiB |")
    print(
        "\n| drawing | nodes | edges | first paint | of which data | layout | render | drag |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    paints = [r for r in report["render"] if "ms" in r]
    drags = {r["name"].removesuffix(" drag"): r["fps"] for r in report["render"] if "fps" in r}
    for r in paints:
        fps = drags.get(r["name"])
        print(
            f"| {r['name']} | {r['nodes']:,} | {r['edges']:,} | {r['ms'] / 1000:.2f} s | "
            f"{r['dataMs'] / 1000:.2f} s | {r['layoutMs'] / 1000:.2f} s | "
            f"{r['renderMs'] / 1000:.2f} s | " + (f"{fps:.0f} fps |" if fps is not None else "– |")
        )


if __name__ == "__main__":
    main()
