"""The campaign loop: plan a campaign on the current run, then report planned against
actual from its tagged events (:mod:`graph_engine.campaigns`)."""

from __future__ import annotations

import csv
import io
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from graph_engine import campaigns

from ..deps import Key, SettingsDep, StoreDep
from ..schemas import (
    ERROR_RESPONSES,
    CampaignPlanIn,
    CampaignPlanOut,
    CampaignPlanPage,
    CampaignReportOut,
)
from .planning import check_seed_request

router = APIRouter(tags=["planning"], responses=ERROR_RESPONSES)
CampaignId = Annotated[str, Path(min_length=1, max_length=200)]

REPORT_COLUMNS = ["seed", "cost", "reached", "conversions", "revenue"]


@router.get("/campaign-plans", response_model=CampaignPlanPage, operation_id="listCampaignPlans")
def list_plans(store: StoreDep, key: Key) -> dict[str, Any]:
    """Every saved campaign plan (id, when), newest first."""
    rows = store.campaign_plans()
    return {"data": rows, "count": len(rows)}


@router.post(
    "/campaigns/{campaign_id}/plan", response_model=CampaignPlanOut, operation_id="planCampaign"
)
def plan(
    campaign_id: CampaignId, body: CampaignPlanIn, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """Plan a campaign on the current run and save it: seeds by k or budget, the reach
    forecast, predicted conversions and revenue. 409 if it has a plan (unless
    `replace`)."""
    check_seed_request(body.k, body.budget, body.epsilon, settings)
    result = campaigns.plan_campaign(
        store,
        campaign_id,
        k=body.k,
        budget=body.budget,
        cost_field=body.cost_field,
        cost_rate=body.cost_rate,
        candidate_tiers=body.candidate_tiers,
        target_communities=body.target_communities,
        epsilon=body.epsilon,
        seed=body.seed,
        replace=body.replace,
        settings=settings,
        deadline=time.monotonic() + settings.api_seed_time_budget_s,
    )
    store.audit(key.key_id, "campaigns.plan", {"campaign_id": campaign_id})
    return result


@router.get(
    "/campaigns/{campaign_id}/plan", response_model=CampaignPlanOut, operation_id="getCampaignPlan"
)
def get_plan(campaign_id: CampaignId, store: StoreDep, key: Key) -> dict[str, Any]:
    """A campaign's saved plan."""
    return store.campaign_plan(campaign_id)


@router.get(
    "/campaigns/{campaign_id}/report",
    response_model=CampaignReportOut,
    operation_id="campaignReport",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def report(
    campaign_id: CampaignId,
    store: StoreDep,
    settings: SettingsDep,
    key: Key,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """Planned against actual: reach, conversions, revenue, K-factor, cost per
    acquisition, ROI, and per seed (first touch). `format=csv`: the per-seed rows and
    the totals."""
    result = campaigns.campaign_report(store, campaign_id, settings)
    if format == "json":
        return result.to_dict()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(campaigns.report_rows(result))
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{campaign_id}-report.csv"'},
    )
