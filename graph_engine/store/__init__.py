"""Stores: the :class:`GraphStore` protocol and the one place that picks an implementation."""

from __future__ import annotations

from graph_engine.config import Settings, get_settings
from graph_engine.errors import StoreUnavailableError
from graph_engine.store._common import NEO4J_SCHEMES
from graph_engine.store.base import (
    RELATIONSHIP_TYPES,
    AppliedBatch,
    CustomerRecord,
    EdgeColumns,
    FollowRow,
    GraphStore,
    MergeRecord,
    ProfileRow,
    ResolvedBatch,
    StoreStats,
)
from graph_engine.store.sqlite import SQLiteStore

__all__ = [
    "NEO4J_SCHEMES",
    "RELATIONSHIP_TYPES",
    "AppliedBatch",
    "CustomerRecord",
    "EdgeColumns",
    "FollowRow",
    "GraphStore",
    "MergeRecord",
    "ProfileRow",
    "ResolvedBatch",
    "SQLiteStore",
    "StoreStats",
    "open_store",
]


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """Open the store a URL names (default: ``Settings.store_url``).

    Parameters
    ----------
    url : str, optional
        ``sqlite:///path.db`` for the embedded store; ``neo4j://host:7687`` (or
        ``neo4j+s://``, ``bolt://``...) for Neo4j (user, password, database and TLS
        from ``settings``).
    settings : Settings, optional

    Raises
    ------
    StoreUnavailableError
        Unknown scheme, or the store cannot be opened.

    Examples
    --------
    >>> open_store("sqlite:///:memory:").stats().customers
    0
    """
    settings = settings or get_settings()
    url = url or settings.store_url
    salt = None if settings.identity_salt is None else settings.identity_salt.get_secret_value()
    if url.startswith("sqlite:///"):
        return SQLiteStore(url, identity_salt=salt)
    scheme = url.partition("://")[0]
    if scheme in NEO4J_SCHEMES and "://" in url:
        from graph_engine.store.neo4j import Neo4jStore

        return Neo4jStore(url, settings, identity_salt=salt)
    raise StoreUnavailableError(
        f"store URL {url!r} has an unknown scheme {scheme!r} (expected sqlite:///path.db "
        "or neo4j://host:7687)"
    )
