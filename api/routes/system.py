"""Health and Prometheus metrics (no key needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from graph_engine.errors import StoreError

from ..schemas import Health

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, operation_id="health")
def health(request: Request) -> dict[str, Any]:
    """Store reachable, last run id and its age."""
    try:
        store = request.app.state.stores.get()
        run = store.current_run()
        store_status = "ok"
    except StoreError as exc:
        return {"status": "degraded", "store": exc.message}
    age = None
    if run is not None and run.finished_at:
        age = (datetime.now(UTC) - datetime.fromisoformat(run.finished_at)).total_seconds()
    return {
        "status": "ok",
        "store": store_status,
        "run_id": run.run_id if run else None,
        "run_age_seconds": age,
    }


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    operation_id="metrics",
    responses={200: {"content": {"text/plain": {}}}},
)
async def metrics(request: Request) -> str:
    """Prometheus text: requests and latency histograms per route and status."""
    return request.app.state.metrics.render()  # type: ignore[no-any-return]
