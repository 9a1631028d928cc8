"""Stores: the :class:`GraphStore` protocol and the one place that picks an implementation."""

from __future__ import annotations

from graph_engine.config import Settings, get_settings
from graph_engine.errors import StoreUnavailableError
from graph_engine.store.base import (
    RELATIONSHIP_TYPES,
    AppliedBatch,
    CustomerRecord,
    FollowRow,
    GraphStore,
    MergeRecord,
    ProfileRow,
    ResolvedBatch,
    StoreStats,
)
from graph_engine.store.sqlite import SQLiteStore

__all__ = [
    "RELATIONSHIP_TYPES",
    "AppliedBatch",
    "CustomerRecord",
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
        ``sqlite:///path.db`` for the embedded store.
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
    if scheme in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        raise StoreUnavailableError(
            f"store URL {url!r}: the Neo4j store is not part of this build yet; "
            "use sqlite:///path.db"
        )
    raise StoreUnavailableError(
        f"store URL {url!r} has an unknown scheme {scheme!r} (expected sqlite:///path.db)"
    )
