"""Scores for other systems: one customer, a batch, the whole run as a stream, history."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from graph_engine import explore
from graph_engine.errors import NotFoundError, PayloadTooLargeError
from graph_engine.scoring.money import explain_details
from graph_engine.store.base import SCORE_FIELDS, ApiKey, ScoreRecord

from ..deps import Key, SettingsDep, StoreDep
from ..schemas import (
    ERROR_RESPONSES,
    Customer,
    ErrorBody,
    ScorePage,
    ScoresBatchIn,
    ScoresBatchOut,
)

router = APIRouter(tags=["scores"], responses=ERROR_RESPONSES)

Ref = Annotated[
    str,
    Path(
        description="Customer id, a merged id, or any identity key (`kind:value`).",
        examples=["crm-0000001"],
    ),
]
HASHED_KINDS = ("phone", "email")


def customer_view(
    record: Any, key: ApiKey, scores: ScoreRecord | None, explained: list[str] | None = None
) -> dict[str, Any]:
    """The customer as this key may see it: identity values only with the pii flag, and
    hashed phone / e-mail never."""
    data = asdict(record)
    keys = data.pop("identities")
    data["identity_kinds"] = sorted({k.partition(":")[0] for k in keys})
    data["identities"] = (
        [k for k in keys if k.partition(":")[0] not in HASHED_KINDS] if key.pii else None
    )
    data["tags"] = list(data["tags"])
    data["merged_ids"] = list(data["merged_ids"])
    data["scores"] = scores.to_dict() if scores is not None else None
    data["value_explained"] = explained
    return data


@router.get(
    "/customers/{customer_id}",
    response_model=Customer,
    operation_id="getCustomer",
    responses={404: {"model": ErrorBody}},
)
def get_customer(customer_id: Ref, store: StoreDep, key: Key) -> dict[str, Any]:
    """A customer's profile, tier with reason, every score with its breakdown, community
    and run id. Any identity key works as the id."""
    record = store.customer(customer_id)
    try:
        scores = store.scores(record.id)
    except NotFoundError:  # no complete run yet, or a customer new since the last one
        return customer_view(record, key, None)
    run = store.current_run()
    explained = explain_details(
        scores.details,
        run.config if run is not None else None,
        run.summary if run is not None else None,
    )
    return customer_view(record, key, scores, explained)


@router.get(
    "/customers/{customer_id}/history",
    response_model=ScorePage,
    operation_id="getCustomerHistory",
    responses={404: {"model": ErrorBody}},
)
def get_history(customer_id: Ref, store: StoreDep, key: Key) -> dict[str, Any]:
    """The customer's scores in every kept run, oldest first (how their tier changed)."""
    rows = [s.to_dict() for s in store.score_history(customer_id)]
    return {"data": rows, "count": len(rows), "next": None}


@router.post(
    "/scores:batch",
    response_model=ScoresBatchOut,
    operation_id="batchScores",
    responses={404: {"model": ErrorBody}, 413: {"model": ErrorBody}},
)
def batch_scores(
    body: ScoresBatchIn, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """Scores of up to `api_max_batch_ids` customers; unknown ids are listed, not fatal."""
    if len(body.ids) > settings.api_max_batch_ids:
        raise PayloadTooLargeError(
            f"ids: {len(body.ids):,} ids, at most {settings.api_max_batch_ids:,} per batch"
        )
    if store.current_run() is None:
        raise NotFoundError("no complete run yet: POST /v1/jobs/recompute first")
    found, unknown = [], []
    for ref in dict.fromkeys(body.ids):
        try:
            found.append(store.scores(ref))
        except NotFoundError:
            unknown.append(ref)
    data = explore.named_scores(store, found)
    return {"data": data, "count": len(data), "unknown": unknown}


COLUMNS = (
    "customer_id",
    "tier",
    "tier_level",
    "community_id",
    *SCORE_FIELDS,
    "social_value_rank",  # runs that priced social value in money (else empty)
    "tier_reason",
)


@router.get(
    "/scores:export",
    operation_id="exportScores",
    responses={
        200: {
            "content": {"application/x-ndjson": {}, "text/csv": {}},
            "description": "Every score of the run, streamed.",
        },
        404: {"model": ErrorBody},
    },
)
def export_scores(
    request: Request,
    key: Key,
    store: StoreDep,
    format: Annotated[Literal["ndjson", "csv"], Query()] = "ndjson",
) -> StreamingResponse:
    """The whole current run, streamed in pages (constant memory): NDJSON or CSV."""
    run = store.current_run()
    if run is None:
        raise NotFoundError("no complete run yet: POST /v1/jobs/recompute first")
    stores = request.app.state.stores

    def lines() -> Iterator[str]:
        with stores.dedicated() as own:
            if format == "csv":
                buf = io.StringIO()
                writer = csv.writer(buf)
                writer.writerow(COLUMNS)
                for s in own.run_scores(run.run_id):
                    d = s.to_dict()
                    writer.writerow([d.get(c) for c in COLUMNS])
                    if buf.tell() > 65536:
                        yield buf.getvalue()
                        buf.seek(0)
                        buf.truncate()
                yield buf.getvalue()
            else:
                for s in own.run_scores(run.run_id):
                    yield json.dumps(s.to_dict(), default=float) + "\n"

    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(lines(), media_type=media, headers={"X-Run-Id": run.run_id})
