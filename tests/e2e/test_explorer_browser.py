"""The web explorer in a real browser: Debian's Chromium, driven by playwright-core
(web/e2e/*.e2e.ts, run by vitest), against a real ``graph-engine serve`` on a computed
synthetic store, with one key per role.

The browser suite signs in, opens every page, follows a community to a customer, builds
a shortlist, runs a seed selection, exports CSV files, checks what a reader may not do,
and fails on any console error or any request that leaves the server. It writes a
screenshot of every page and the measured render times (``timings-*.json``) to the folder
printed below (``GRAPH_ENGINE_SCREENSHOTS``, default ``build/explorer-screenshots``).

Needs the built explorer (``scripts/install``), ``web/node_modules`` and
``/usr/bin/chromium``; without them the test skips with the reason, and fails under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_engine.campaigns import plan_campaign, simulate_campaign
from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path(os.environ.get("GRAPH_ENGINE_CHROMIUM", "/usr/bin/chromium"))
SALT = "browser-test-salt"


def _require(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; under CI the browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    _require(CHROMIUM.is_file(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    _require(
        (WEB / "node_modules" / "playwright-core").is_dir() and shutil.which("npx") is not None,
        "web/node_modules missing (scripts/install, with npm)",
    )
    _require(
        (ROOT / "api" / "web" / "index.html").is_file(), "explorer not built (scripts/install)"
    )
    root = tmp_path_factory.mktemp("explorer")
    generate(root / "data", SyntheticConfig(customers=3000, seed=5))
    db = root / "explorer.db"
    settings = Settings(identity_salt=SALT, quarantine_dir=root / "q")
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    try:
        Ingestor(store, settings).ingest([Source(root / "data" / "events.jsonl", "jsonl")])
        compute(store, settings)
        compute(store, settings)  # a second run: the customer page shows history
        # a campaign that ran: planned, simulated, its tagged events ingested
        plan_campaign(store, "spring", k=5, seed=1, n_simulations=2000, settings=settings)
        simulate_campaign(store, "spring", root / "spring.jsonl", seed=2)
        Ingestor(store, settings).ingest([Source(root / "spring.jsonl", "jsonl")])
        keys = {
            role: store.create_key(role, name=f"browser {role}")[1]
            for role in ("reader", "marketer", "admin")
        }
        keys["pii"] = store.create_key("marketer", name="browser pii", pii=True)[1]
    finally:
        store.close()
    port = free_port()
    env = {
        **os.environ,
        "GRAPH_ENGINE_STORE_URL": f"sqlite:///{db}",
        "GRAPH_ENGINE_IDENTITY_SALT": SALT,
        "GRAPH_ENGINE_ENVIRONMENT": "development",
    }
    log = (root / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_engine.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((root / "serve.log").read_text()) from None
                time.sleep(0.3)
        said = (root / "serve.log").read_text()
        assert f"explorer: {base}/" in said, said  # serve says where the explorer is
        yield {"base": base, **keys}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_explorer_in_chromium(served: dict[str, str]) -> None:
    shots = Path(
        os.environ.get("GRAPH_ENGINE_SCREENSHOTS", ROOT / "build" / "explorer-screenshots")
    )
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    env = {
        **os.environ,
        "EXPLORER_URL": served["base"],
        "KEY_READER": served["reader"],
        "KEY_MARKETER": served["marketer"],
        "KEY_ADMIN": served["admin"],
        "KEY_PII": served["pii"],
        "SCREENSHOTS": str(shots),
        "CHROMIUM": str(CHROMIUM),
    }
    proc = subprocess.run(
        ["npx", "--no-install", "vitest", "run", "--config", "vitest.e2e.config.ts"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(f"screenshots and timings: {shots}")
    assert proc.returncode == 0, proc.stdout[-12000:] + proc.stderr[-4000:]
    pages = {p.stem for p in shots.glob("*.png")}
    assert {
        "signin",
        "overview",
        "community-map",
        "community",
        "customer",
        "planner",
        "referrals",
        "campaign",
        "reader-overview",
    } <= pages, pages
    assert (shots / "timings-explorer.json").is_file() and (shots / "timings-render.json").is_file()
