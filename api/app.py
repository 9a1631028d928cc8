"""The FastAPI application: ``create_app(settings)``; ``graph-engine serve`` runs it."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_engine import __version__
from graph_engine.config import Settings, get_settings

from . import errors
from .deps import KeyCache, RateLimiter, Stores, authorize
from .jobs import Jobs
from .metrics import Metrics
from .permissions import PUBLIC
from .routes import (
    campaigns,
    communities,
    customers,
    events,
    explore,
    influencers,
    planning,
    system,
)
from .webapp import explorer_app

PREFIX = "/v1"

DESCRIPTION = """
Social-CRM influence API: scores, KOL / KOC / employee / consumer tiers, influencer
ranking, communities and lift, word-of-mouth reach, certified seed selection,
referral analytics, event ingest and recompute jobs.

Authenticate with `X-API-Key: <key>` (or `Authorization: Bearer <key>`); keys come from
`graph-engine keys create --role reader|marketer|ingest|admin`. Lists are
`{data, count, next}` with cursor paging; errors are `{error: {code, message, details}}`.
"""


async def _record_route(request: Request) -> None:
    """Remember the matched route template (bounded label values for metrics)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    request.state.route_path = path if path is None or path.startswith(PREFIX) else PREFIX + path


class LimitsAndMetrics:
    """Pure ASGI middleware: refuse oversized bodies (413, before reading them) and time
    every request into the metrics by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            response = JSONResponse(
                errors.body(
                    "payload_too_large",
                    f"request body of {int(length):,} bytes exceeds the limit of {self.max_body:,}",
                ),
                status_code=413,
            )
            await response(scope, receive, send_status)
        else:
            await self.app(scope, receive, send_status)
        state = scope.get("state") or {}
        path = state.get("route_path") or _static_route(scope["path"])
        self.metrics.observe(scope["method"], path, status[0], time.perf_counter() - started)


def _static_route(path: str) -> str:
    if path in ("/openapi.json", "/docs", "/redoc"):
        return path
    return "unmatched" if path.startswith(PREFIX) else "explorer"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app over ``settings.store_url`` (the embedded store by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.close()
        app.state.stores.close()

    app = FastAPI(
        title="graph_engine",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # every route: metrics label, then the permission its operation declares
        dependencies=[Depends(_record_route), Depends(authorize)],
        openapi_tags=[
            {"name": "scores", "description": "Scores for other systems."},
            {"name": "influencers", "description": "Influencer ranking and tiers."},
            {"name": "communities", "description": "Communities, members, lift."},
            {"name": "planning", "description": "Reach, seed selection, shortlists, referrals."},
            {"name": "data", "description": "Events in, recompute jobs."},
            {
                "name": "explorer",
                "description": "Session, overview, runs, networks, campaigns (the web explorer).",
            },
            {"name": "system", "description": "Health and metrics."},
        ],
    )
    app.state.settings = settings
    app.state.stores = Stores(settings)
    app.state.jobs = Jobs(settings)
    app.state.metrics = Metrics()
    app.state.limiter = RateLimiter(settings.api_rate_limit_per_minute)
    app.state.key_cache = KeyCache(ttl=settings.api_key_cache_seconds)
    app.state.ingest_lock = threading.Lock()
    errors.install(app)

    app.add_middleware(
        LimitsAndMetrics, metrics=app.state.metrics, max_body=settings.api_max_body_bytes
    )

    for module in (
        customers,
        influencers,
        communities,
        planning,
        campaigns,
        events,
        explore,
        system,
    ):
        app.include_router(module.router, prefix=PREFIX)
    # last: everything the routes above (and /docs, /openapi.json) do not answer
    app.mount("/", explorer_app(), name="explorer")

    generated = app.openapi

    def openapi() -> dict[str, Any]:
        """The schema, public operations without the key requirement the app-wide
        dependency would give them."""
        if app.openapi_schema is None:
            schema = generated()
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and operation.get("operationId") in PUBLIC:
                        operation.pop("security", None)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    return app
