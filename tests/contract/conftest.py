"""The GraphStore contract suite runs against every store: ``store`` is parametrised.

- ``sqlite``: always (a fresh database file per test).
- ``neo4j``: the live layer, marked ``neo4j``; runs only when ``NEO4J_URI`` points to
  a server (``pytest -m neo4j``; user ``NEO4J_USER`` default ``neo4j``, password
  ``NEO4J_PASSWORD``, database ``NEO4J_DATABASE``). The database is wiped before every
  test, so the suite refuses a database that holds customers but was not created by
  this suite (it marks the ones it creates).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.store import GraphStore, SQLiteStore

_MARK = "graph_engine_contract_suite"


def _neo4j_store(settings: Settings) -> GraphStore:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI is not set: the live Neo4j layer did not run")
    from graph_engine.store.neo4j import Neo4jStore

    live = settings.model_copy(
        update={
            "neo4j_user": os.environ.get("NEO4J_USER", "neo4j"),
            "neo4j_password": os.environ.get("NEO4J_PASSWORD"),
            "neo4j_database": os.environ.get("NEO4J_DATABASE"),
            "neo4j_write_batch_size": 1000,
        }
    )
    store = Neo4jStore(uri, live)
    marked = store._query("meta/get", key=_MARK)
    if not marked and store.stats().customers:
        store.close()
        pytest.fail(f"{uri} holds customers and is not a contract-suite database; not wiping it")
    store.delete_everything(confirm=uri)
    store.set_meta(_MARK, "1")
    return store


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, settings: Settings
) -> Iterator[GraphStore]:
    if request.param == "sqlite":
        s: GraphStore = SQLiteStore(f"sqlite:///{tmp_path / 'graph.db'}", identity_salt="test-salt")
    else:
        s = _neo4j_store(settings)
    yield s
    s.close()
