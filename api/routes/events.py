"""Data in: event batches and recompute jobs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from fastapi import Path as PathParam

from graph_engine.errors import PayloadTooLargeError
from graph_engine.ingest import Ingestor

from ..deps import Key, SettingsDep, StoreDep
from ..schemas import ERROR_RESPONSES, ErrorBody, EventsIn, EventsOut, Job

router = APIRouter(tags=["data"], responses=ERROR_RESPONSES)


@router.post(
    "/events",
    response_model=EventsOut,
    operation_id="ingestEvents",
    responses={413: {"model": ErrorBody}},
)
def ingest_events(
    body: EventsIn, request: Request, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """A batch of ingest events: same validation, identity resolution, idempotency and
    quarantine as file ingest; each rejected item comes back with its reason."""
    if len(body.events) > settings.api_max_events:
        raise PayloadTooLargeError(
            f"events: {len(body.events):,} events, at most {settings.api_max_events:,} per batch"
        )
    with request.app.state.ingest_lock, tempfile.TemporaryDirectory() as tmp:
        quarantine = Path(tmp) / "rejected.jsonl"
        report = Ingestor(store, settings, quarantine).ingest_rows(body.events, source="api")
        rejections = []
        if quarantine.exists():
            with quarantine.open(encoding="utf-8") as fh:  # not splitlines(): U+0085 etc.
                items = [json.loads(line) for line in fh if line.strip()]
            for item in items:
                rejections.append(
                    {
                        "index": int(item.get("line", 0)) - 1,
                        "field": item.get("field"),
                        "value": item.get("value"),
                        "reason": item.get("reason", ""),
                    }
                )
    store.audit(
        key.key_id, "events.ingest", {"accepted": report.accepted, "rejected": report.rejected}
    )
    return {
        "accepted": report.accepted,
        "rejected": report.rejected,
        "duplicates": report.duplicates,
        "merges": report.merges,
        "rejections": rejections,
    }


@router.post(
    "/jobs/recompute",
    response_model=Job,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="startRecompute",
    responses={409: {"model": ErrorBody}},
)
def start_recompute(request: Request, store: StoreDep, key: Key) -> dict[str, Any]:
    """Start a recompute in the background; poll `GET /v1/jobs/{job_id}`."""
    job = request.app.state.jobs.submit_recompute()
    store.audit(key.key_id, "jobs.recompute", {"job_id": job["job_id"]})
    return job  # type: ignore[no-any-return]


@router.get(
    "/jobs/{job_id}",
    response_model=Job,
    operation_id="getJob",
    responses={404: {"model": ErrorBody}},
)
async def get_job(
    job_id: Annotated[str, PathParam(max_length=64)], request: Request, key: Key
) -> dict[str, Any]:
    """A job's state, stage, progress in percent and error."""
    return request.app.state.jobs.get(job_id)  # type: ignore[no-any-return]
