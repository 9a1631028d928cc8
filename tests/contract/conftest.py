"""The GraphStore contract suite runs against every store: ``store`` is parametrised.

- ``sqlite``: always (a fresh database file per test).
- ``neo4j``: the live layer, marked ``neo4j``, against the server of
  ``scripts/neo4j`` (see :mod:`tests.neo4j_live`; it skips without one, and fails under
  CI). The database is wiped before every test, so the suite refuses a database that
  holds customers but was not created by the test suite (it marks the ones it creates).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.store import GraphStore, SQLiteStore
from graph_engine.store.demo import DEMO_MARK
from graph_engine.store.neo4j import Neo4jStore
from tests import neo4j_live

_MARK = "graph_engine_contract_suite"


def _neo4j_store(settings: Settings) -> Neo4jStore:
    server = neo4j_live.require()
    store = Neo4jStore(server.uri, server.settings(settings, neo4j_write_batch_size=1000))
    # disposable: created by the test suite, or by the demo (which replaces it anyway)
    marked = store.get_meta(_MARK) or store.get_meta(DEMO_MARK)
    if not marked and store.stats().customers:
        store.close()
        pytest.fail(f"{server.uri} holds customers and is not a test database; not wiping it")
    store.delete_everything(confirm=server.uri)
    store.set_meta(_MARK, "1")
    if store.identity_salt() != "test-salt":
        # an empty database: give it the suite's salt, as every SQLite test store has, so
        # that both stores hash (and so order) identity keys alike
        store.set_meta("identity_salt", "test-salt")
        store.close()
        store = Neo4jStore(server.uri, server.settings(settings, neo4j_write_batch_size=1000))
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
