"""A real uvicorn server on 127.0.0.1 spoken to over HTTP, and `graph-engine serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from graph_engine_api import create_app

from tests.api.conftest import SALT, settings_for
from tests.conftest import free_port


@pytest.fixture
def server(api_db: Path) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings_for(api_db)), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_http_round_trips(server: str, keys: dict[str, str]) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        assert http.get("/v1/health").json()["status"] == "ok"
        h = {"X-API-Key": keys["marketer"]}
        kols = http.get("/v1/influencers", params={"tier": "kol", "limit": 3}, headers=h)
        assert kols.status_code == 200 and kols.json()["count"] == 3
        kol = kols.json()["data"][0]["customer_id"]
        customer = http.get(f"/v1/customers/{kol}", headers=h)
        assert customer.json()["scores"]["customer_id"] == kol
        reach = http.post(
            "/v1/reach:estimate", json={"seeds": [kol], "n_simulations": 500}, headers=h
        )
        assert reach.status_code == 200 and reach.json()["mean"] >= 1
        with http.stream("GET", "/v1/scores:export", headers=h) as stream:
            lines = sum(1 for line in stream.iter_lines() if line)
        assert lines > 1000
        assert http.get("/v1/tiers").status_code == 401
        # concurrent readers on their own connections
        errors: list[int] = []

        def hit() -> None:
            with httpx.Client(base_url=server, timeout=30) as c:
                for _ in range(10):
                    r = c.get(f"/v1/customers/{kol}", headers=h)
                    if r.status_code != 200:
                        errors.append(r.status_code)

        workers = [threading.Thread(target=hit) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert errors == []


def test_serve_command_prints_a_development_key(api_db: Path) -> None:
    port = free_port()
    env = {**os.environ, "GRAPH_ENGINE_IDENTITY_SALT": SALT}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph_engine.cli",
            "serve",
            "--db",
            str(api_db),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        key = None
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        while time.monotonic() < deadline and key is None:
            line = proc.stderr.readline()
            if "development admin key" in line:
                key = line.rsplit(" ", 1)[-1].strip()
        assert key and key.startswith("ge_")
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/v1/tiers", headers={"X-API-Key": key})
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
