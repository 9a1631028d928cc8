"""The demo's store: replaced on every run, and only ever a demo store.

``graph-engine demo`` writes into a SQLite file (default ``demo.db``) or a Neo4j database
(a store URL). Either is replaced on every run, so neither may hold anything else: a
store is replaced only when it is marked as a demo store (the ``demo_database`` meta key)
or holds no customers; otherwise the demo refuses with a message naming it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graph_engine.config import Settings
from graph_engine.errors import StoreError
from graph_engine.store._common import NEO4J_SCHEMES
from graph_engine.store.base import GraphStore

__all__ = ["DEMO_MARK", "is_neo4j_url", "open_demo_store"]

#: Meta key marking a database created by the demo.
DEMO_MARK = "demo_database"


def is_neo4j_url(url: str) -> bool:
    """Whether ``url`` names a Neo4j store (``neo4j://``, ``bolt+s://``...)."""
    scheme, sep, _ = url.partition("://")
    return bool(sep) and scheme in NEO4J_SCHEMES


def open_demo_store(target: str, settings: Settings) -> GraphStore:
    """Empty the demo store ``target`` (a SQLite path or a Neo4j URL), open and mark it.

    Raises
    ------
    StoreError
        ``target`` holds data and is not a demo store.
    """
    from graph_engine.store import open_store

    if is_neo4j_url(target):
        from graph_engine.store.neo4j import Neo4jStore

        store = open_store(target, settings)
        assert isinstance(store, Neo4jStore)
        try:
            if store.get_meta(DEMO_MARK) is None and store.stats().customers:
                raise StoreError(
                    f"{target} holds customers and is not a demo database; the demo replaces "
                    "only a demo database or an empty one (choose another --db)"
                )
            store.delete_everything(confirm=target)
            store.set_meta(DEMO_MARK, "1")
        except BaseException:
            store.close()
            raise
        return store
    path = Path(target.removeprefix("sqlite:///"))
    if path.exists():
        try:
            with sqlite3.connect(path) as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (DEMO_MARK,)).fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None:
            raise StoreError(f"{path} exists and is not a demo database; choose another --db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    store = open_store(url, settings)
    from graph_engine.store.sqlite import SQLiteStore

    assert isinstance(store, SQLiteStore)
    store.set_meta(DEMO_MARK, "1")
    return store
