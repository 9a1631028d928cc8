"""An API over a computed synthetic store, with a key per role."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graph_engine_api import create_app

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore

SALT = "api-test-salt"


@pytest.fixture(scope="session")
def computed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api")
    generate(root / "data", SyntheticConfig(customers=1500, seed=11))
    db = root / "base.db"
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    try:
        settings = Settings(identity_salt=SALT, quarantine_dir=root / "q")
        Ingestor(store, settings).ingest([Source(root / "data" / "events.jsonl", "jsonl")])
        compute(store, settings)
    finally:
        store.close()
    return db


def settings_for(db: Path, **overrides: Any) -> Settings:
    return Settings(
        store_url=f"sqlite:///{db}",
        identity_salt=SALT,
        quarantine_dir=db.parent / "q",
        **overrides,
    )


@pytest.fixture
def api_db(computed_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "api.db"
    shutil.copy(computed_db, db)
    return db


@pytest.fixture
def keys(api_db: Path) -> dict[str, str]:
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        out = {
            role: store.create_key(role, name=f"test {role}")[1]
            for role in ("reader", "marketer", "ingest", "admin")
        }
        out["pii"] = store.create_key("reader", name="pii reader", pii=True)[1]
        revoked, secret = store.create_key("admin", name="revoked")
        store.revoke_key(revoked.key_id)
        out["revoked"] = secret
    finally:
        store.close()
    return out


@pytest.fixture
def client(api_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(api_db))) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def wait_for_job(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a job until it succeeds or fails (two minutes at most); its last state."""
    deadline = time.monotonic() + 120
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if state["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    return state
