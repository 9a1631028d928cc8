"""Communities: profiles, members, key influencers, segment lift."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from graph_engine import explore, planning
from graph_engine.errors import ParameterError

from ..deps import Key, SettingsDep, StoreDep, decode_cursor, page
from ..schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    MAX_PAGE,
    CommunityPage,
    LiftIn,
    LiftOut,
    ScoreField,
    ScorePage,
)

router = APIRouter(tags=["communities"], responses=ERROR_RESPONSES)

CommunityId = Annotated[int, Path(ge=0, le=MAX_ID, description="Community id of the current run.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _check(limit: int, maximum: int) -> None:
    if limit > maximum:
        raise ParameterError(f"limit: {limit} exceeds the maximum page of {maximum}")


@router.get("/communities", response_model=CommunityPage, operation_id="listCommunities")
def list_communities(
    store: StoreDep,
    settings: SettingsDep,
    key: Key,
    sort: Annotated[
        str,
        Query(pattern="^(size|density|conductance|revenue_total|revenue_mean|engagement_mean)$"),
    ] = "size",
    limit: Limit = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Community profiles (size, density, conductance, tier mix, revenue, engagement,
    key influencers, bridges, linked communities, tags), sorted."""
    _check(limit, settings.api_max_page)
    offset = decode_cursor(cursor)
    profiles = sorted(store.community_profiles(), key=lambda p: (-p[sort], p["community_id"]))
    return page(profiles[offset : offset + limit + 1], offset, limit)


@router.get(
    "/communities/{community_id}", response_model=CommunityPage, operation_id="getCommunity"
)
def get_community(community_id: CommunityId, store: StoreDep, key: Key) -> dict[str, Any]:
    """One community's profile."""
    data = store.community_profiles(community_id)
    return {"data": data, "count": len(data), "next": None}


@router.get(
    "/communities/{community_id}/members",
    response_model=ScorePage,
    operation_id="listCommunityMembers",
)
def members(
    community_id: CommunityId,
    store: StoreDep,
    settings: SettingsDep,
    key: Key,
    sort: ScoreField = "social_value",
    limit: Limit = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Members of a community with their scores, paged."""
    _check(limit, settings.api_max_page)
    store.community_profiles(community_id)  # 404 for an unknown community
    offset = decode_cursor(cursor)
    rows = store.top_scores(by=sort, community_id=community_id, limit=limit + 1, offset=offset)
    return page(explore.named_scores(store, rows), offset, limit)


@router.get(
    "/communities/{community_id}/influencers",
    response_model=ScorePage,
    operation_id="listCommunityInfluencers",
)
def influencers(
    community_id: CommunityId,
    store: StoreDep,
    settings: SettingsDep,
    key: Key,
    limit: Limit = 20,
) -> dict[str, Any]:
    """The community's KOLs and KOCs, then everyone else, by expected reach."""
    _check(limit, settings.api_max_page)
    store.community_profiles(community_id)
    rows = [
        *store.top_scores(by="expected_reach", community_id=community_id, tier="kol", limit=limit),
        *store.top_scores(by="expected_reach", community_id=community_id, tier="koc", limit=limit),
    ]
    rows.sort(key=lambda s: -s.expected_reach)
    data = explore.named_scores(store, rows[:limit])
    return {"data": data, "count": len(data), "next": None}


@router.post("/communities:lift", response_model=LiftOut, operation_id="communityLift")
def community_lift(
    body: LiftIn, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """Which communities over-index on a segment (a tag, a campaign's converters, or ids),
    with a hypergeometric p-value and Benjamini-Hochberg q-value per community;
    significant ones first."""
    if body.ids is not None and len(body.ids) > settings.api_max_batch_ids:
        raise ParameterError(f"ids: at most {settings.api_max_batch_ids} ids")
    result = planning.segment_lift(
        store,
        tag=body.tag,
        campaign=body.campaign,
        ids=body.ids,
        min_size=body.min_size,
        alpha=body.alpha,
    )
    rows = result.pop("communities")
    return {**result, "data": rows, "count": len(rows)}
