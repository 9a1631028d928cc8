"""``graph-engine demo`` on the live Neo4j: the whole main job (generate, ingest, compute,
summary) with the store taken from the environment ``scripts/neo4j env`` exports, and the
refusal to replace a database that is not a demo one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.store.neo4j import Neo4jStore
from tests import neo4j_live
from tests.contract.conftest import _neo4j_store
from tests.e2e.test_cli import cli

pytestmark = pytest.mark.neo4j


def test_demo_runs_end_to_end_on_neo4j_from_the_environment(
    tmp_path: Path, settings: Settings
) -> None:
    server = neo4j_live.require()
    store = _neo4j_store(settings)  # empty (and marked as a test database)
    salt = store.identity_salt()
    store.close()
    env = {**os.environ, **server.env(), "GRAPH_ENGINE_IDENTITY_SALT": salt}
    done = cli("demo", "--customers", "800", "--seed", "2", "--json", env=env, cwd=tmp_path)
    result = json.loads(done.stdout)
    assert result["db"] == server.uri
    expected = result["generated"]["expected"]
    assert {k: result["stats"][k] for k in expected} == expected
    assert result["run"]["status"] == "complete"
    assert result["top_kols"], "the demo plants KOLs"
    assert len(result["seed_selection"]["seeds"]) == 10
    # the scores are in Neo4j, written back onto the customer nodes
    neo = Neo4jStore(server.uri, server.settings(settings))
    try:
        assert neo.current_run() is not None
        assert neo.current_run().run_id == result["run"]["run_id"]  # type: ignore[union-attr]
        kols = neo._query("examples/customers_with_label", label="KOL")
        assert {r["id"] for r in kols} >= {s["customer_id"] for s in result["top_kols"]}
    finally:
        neo.close()
    # a second run replaces the demo database (it carries the demo mark now)
    again = json.loads(cli("demo", "--customers", "800", "--json", env=env, cwd=tmp_path).stdout)
    assert again["stats"]["customers"] == again["generated"]["expected"]["customers"]


def test_demo_refuses_a_neo4j_database_that_is_not_a_demo_one(
    tmp_path: Path, settings: Settings
) -> None:
    server = neo4j_live.require()
    store = _neo4j_store(settings)
    try:
        from graph_engine.ingest import Ingestor

        Ingestor(store, settings).ingest_rows(
            [{"type": "customer", "customer": "keep-me", "at": "2026-01-01T00:00:00Z",
              "event_id": "e1"}]
        )  # fmt: skip
        env = {**os.environ, **server.env(), "GRAPH_ENGINE_IDENTITY_SALT": store.identity_salt()}
        done = cli("demo", "--customers", "10", env=env, cwd=tmp_path, check=False)
        assert done.returncode == 2
        assert "is not a demo database" in done.stderr and server.uri in done.stderr
        assert store.stats().customers == 1  # nothing was deleted
    finally:
        store.close()
