"""Influencer ranking and search; tier summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from graph_engine import explore
from graph_engine.errors import ParameterError

from ..deps import Key, SettingsDep, StoreDep, decode_cursor, page
from ..schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    MAX_PAGE,
    Level,
    ScoreField,
    ScorePage,
    Tier,
    TierSummary,
)

router = APIRouter(tags=["influencers"], responses=ERROR_RESPONSES)


@router.get("/influencers", response_model=ScorePage, operation_id="listInfluencers")
def list_influencers(
    store: StoreDep,
    settings: SettingsDep,
    key: Key,
    tier: Tier | None = None,
    tier_level: Level | None = None,
    community: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    tag: str | None = None,
    platform: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_\-]{1,40}$")] = None,
    min_audience: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    min_expected_reach: Annotated[float | None, Query(ge=0, le=1e15)] = None,
    sort: ScoreField = "social_value",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Customers of the current run ranked by any score, filtered by tier, level,
    community, tag, platform, minimum audience or expected reach."""
    if limit > settings.api_max_page:
        raise ParameterError(f"limit: {limit} exceeds the maximum page of {settings.api_max_page}")
    offset = decode_cursor(cursor)
    rows = store.top_scores(
        by=sort,
        tier=tier,
        tier_level=tier_level,
        community_id=community,
        tag=tag,
        platform=platform,
        min_audience=min_audience,
        min_expected_reach=min_expected_reach,
        limit=limit + 1,
        offset=offset,
    )
    return page(explore.named_scores(store, rows), offset, limit)


@router.get("/tiers", response_model=TierSummary, operation_id="tierSummary")
def tiers(store: StoreDep, key: Key) -> dict[str, Any]:
    """Customers, mean social value, revenue and audience per tier and KOL level."""
    rows = store.tier_summary()
    run = store.current_run()
    return {"data": rows, "count": len(rows), "run_id": run.run_id if run else ""}
