"""Request plumbing: one store connection per worker thread, API-key auth, roles, paging."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from graph_engine.config import Settings
from graph_engine.errors import (
    AuthenticationError,
    ParameterError,
    PermissionDeniedError,
    RateLimitedError,
)
from graph_engine.store import GraphStore, open_store
from graph_engine.store.base import ApiKey

from .permissions import PERMISSIONS

#: What each role may do. ``session``: who the key is; ``read``: scores, influencers,
#: communities, runs, networks; ``plan``: reach, seeds, shortlist, lift, referrals,
#: campaigns; ``ingest``: events; ``admin``: recompute, keys.
GRANTS: dict[str, frozenset[str]] = {
    "reader": frozenset({"session", "read"}),
    "marketer": frozenset({"session", "read", "plan"}),
    "ingest": frozenset({"session", "ingest"}),
    "admin": frozenset({"session", "read", "plan", "ingest", "admin"}),
}

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `graph-engine keys create --role R` (or `Authorization: "
    "Bearer <key>`).",
)


class Stores:
    """One store connection per worker thread (SQLite WAL: concurrent readers)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._all: list[GraphStore] = []
        self._lock = threading.Lock()

    def get(self) -> GraphStore:
        store: GraphStore | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.settings.store_url, self.settings)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    @contextmanager
    def dedicated(self) -> Iterator[GraphStore]:
        """A connection of its own (for streams iterated across threads)."""
        store = open_store(self.settings.store_url, self.settings)
        try:
            yield store
        finally:
            store.close()

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


class RateLimiter:
    """Sliding one-minute window of requests per key."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key_id]
            while hits and now - hits[0] > 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                raise RateLimitedError(
                    f"more than {self.per_minute} requests in a minute for key {key_id}; slow down",
                    details={"retry_after_seconds": int(60 - (now - hits[0])) + 1},
                )
            hits.append(now)


def state(request: Request) -> Any:
    return request.app.state


class ThreadStore:
    """The store of whichever thread uses it: every endpoint that reads the store is a
    sync function, run in the thread pool (a store call blocks: a Neo4j read is several
    network round trips, and on the event loop it would hold every other request), and
    each thread keeps its own store connection."""

    def __init__(self, stores: Stores) -> None:
        self._stores = stores

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stores.get(), name)


async def store_dep(request: Request) -> GraphStore:
    return ThreadStore(request.app.state.stores)  # type: ignore[return-value,unused-ignore]


StoreDep = Annotated[GraphStore, Depends(store_dep)]


async def settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(settings_dep)]


def _presented(request: Request, header: str | None) -> str | None:
    if header:
        return header
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def authorize(
    request: Request,
    store: StoreDep,
    header: Annotated[str | None, Depends(api_key_header)] = None,
) -> ApiKey | None:
    """Enforce the calling operation's permission (:data:`PERMISSIONS`); the key, or None
    for a public operation.

    An app-wide dependency, so every route runs it. Sync (run in the thread pool):
    verifying a key not in the cache reads the store.
    """
    route = request.scope.get("route")
    operation = getattr(route, "operation_id", None)
    if not isinstance(operation, str) or operation not in PERMISSIONS:
        raise PermissionDeniedError(
            f"operation {operation!r} declares no permission; refused to everyone"
        )
    needed = PERMISSIONS[operation]
    if needed is None:
        return None
    presented = _presented(request, header)
    if not presented:
        raise AuthenticationError("missing API key (header X-API-Key or Authorization: Bearer)")
    key: ApiKey = request.app.state.key_cache.verify(store, presented)
    request.app.state.limiter.check(key.key_id)
    if needed not in GRANTS.get(key.role, frozenset()):
        raise PermissionDeniedError(
            f"role {key.role!r} may not {needed} (key {key.key_id})",
            details={"role": key.role, "needs": needed},
        )
    return key


def current_key(key: Annotated[ApiKey | None, Depends(authorize)]) -> ApiKey:
    """The caller's key, for routes that use it (PII rules, audit)."""
    if key is None:  # a public operation asking for a key: a mistake in PERMISSIONS
        raise PermissionDeniedError("this operation is public and has no caller key")
    return key


#: The authorised caller's key (the permission itself is checked by :func:`authorize`).
Key = Annotated[ApiKey, Depends(current_key)]


#: Most keys a :class:`KeyCache` holds; when full it starts again empty.
KEY_CACHE_ENTRIES = 10_000


class KeyCache:
    """Verified keys remembered for ``ttl`` seconds (a revocation takes effect within it),
    so a request does not pay a store round trip to authenticate. Holds at most
    :data:`KEY_CACHE_ENTRIES` keys (by the SHA-256 of the secret, never the secret itself)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.max_entries = KEY_CACHE_ENTRIES
        self._keys: dict[str, tuple[float, ApiKey]] = {}
        self._lock = threading.Lock()

    def verify(self, store: GraphStore, presented: str) -> ApiKey:
        digest = hashlib.sha256(presented.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._keys.get(digest)
            if hit is not None and now - hit[0] < self.ttl:
                return hit[1]
        key = store.verify_key(presented)
        with self._lock:
            if len(self._keys) >= self.max_entries:
                self._keys.clear()
            self._keys[digest] = (now, key)
        return key


def encode_cursor(offset: int) -> str:
    """Opaque cursor of a list position."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """Position of a cursor from :func:`encode_cursor` (0 when None)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise ParameterError(f"cursor: {cursor!r} is not a cursor this API issued") from None
    return offset


def page(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    """``{data, count, next}`` from a fetch of ``limit + 1`` items at ``offset``."""
    more = len(items) > limit
    data = items[:limit]
    return {
        "data": data,
        "count": len(data),
        "next": encode_cursor(offset + limit) if more else None,
    }
