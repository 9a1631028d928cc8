"""What the web explorer reads: the caller's session, an overview, runs, the community
map, community and ego networks, campaigns and their referral trees.

Each handler calls :mod:`graph_engine.explore` or :mod:`graph_engine.planning`; the caps
are parameters with bounds here and stated in every answer (``limit``, ``truncated``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from graph_engine import explore, planning

from ..deps import GRANTS, Key, StoreDep
from ..schemas import (
    ERROR_RESPONSES,
    MAX_ID,
    CampaignPage,
    CommunityMapOut,
    NetworkOut,
    Overview,
    ReferralTreesOut,
    RunPage,
    ScoreField,
    Session,
)

router = APIRouter(tags=["explorer"], responses=ERROR_RESPONSES)

#: The most people one network answer draws (a browser renders this many interactively).
MAX_NETWORK = 5000
Ref = Annotated[str, Path(min_length=1, max_length=300, description="Any customer reference.")]
CampaignId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/session", response_model=Session, operation_id="getSession")
def session(key: Key) -> dict[str, Any]:
    """The presented key: its id, name, role, PII flag and what the role may do."""
    return {
        "key_id": key.key_id,
        "name": key.name,
        "role": key.role,
        "pii": key.pii,
        "permissions": sorted(GRANTS.get(key.role, frozenset())),
    }


@router.get("/overview", response_model=Overview, operation_id="getOverview")
def overview(
    store: StoreDep, key: Key, top: Annotated[int, Query(ge=1, le=100)] = 5
) -> dict[str, Any]:
    """The current run (when, engine, counts), store counts, tier counts, the top KOLs,
    KOCs and employees with their reasons, the largest communities, recent ingests with
    their quarantine counts."""
    return explore.overview(store, top=top)


@router.get("/runs", response_model=RunPage, operation_id="listRuns")
def runs(
    store: StoreDep, key: Key, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> dict[str, Any]:
    """Recent runs, newest first, with status, config (engine), counts and timings."""
    rows = [r.to_dict() for r in store.runs(limit)]
    current = store.current_run()
    return {
        "data": rows,
        "count": len(rows),
        "current_run_id": current.run_id if current else None,
    }


@router.get("/communities:map", response_model=CommunityMapOut, operation_id="getCommunityMap")
def community_map(
    store: StoreDep, key: Key, limit: Annotated[int, Query(ge=1, le=MAX_NETWORK)] = 300
) -> dict[str, Any]:
    """The largest communities as a graph: size, tier mix, revenue; links are the
    relationships crossing between them."""
    return explore.community_map(store, limit=limit).to_dict()


@router.get(
    "/communities/{community_id}/graph", response_model=NetworkOut, operation_id="getCommunityGraph"
)
def community_graph(
    community_id: Annotated[int, Path(ge=0, le=MAX_ID)],
    store: StoreDep,
    key: Key,
    limit: Annotated[int, Query(ge=1, le=MAX_NETWORK)] = 500,
    by: ScoreField = "influence",
) -> dict[str, Any]:
    """A community's top `limit` members by `by` and the relationships among them."""
    return explore.community_graph(store, community_id, limit=limit, by=by).to_dict()


@router.get(
    "/customers/{customer_id}/network", response_model=NetworkOut, operation_id="getCustomerNetwork"
)
def customer_network(
    customer_id: Ref,
    store: StoreDep,
    key: Key,
    hops: Annotated[int, Query(ge=1, le=3)] = 2,
    limit: Annotated[int, Query(ge=2, le=MAX_NETWORK)] = 200,
) -> dict[str, Any]:
    """A customer's ego network to `hops` steps, at most `limit` people, strongest ties
    first."""
    return explore.ego_network(store, customer_id, hops=hops, limit=limit).to_dict()


@router.get("/campaigns", response_model=CampaignPage, operation_id="listCampaigns")
def campaigns(store: StoreDep, key: Key) -> dict[str, Any]:
    """Campaigns with referrals, most invitations first, with their K-factor."""
    stats = planning.campaign_referrals(store)
    rows = sorted(
        (s.to_dict() for s in stats.values()), key=lambda s: (-s["invites"], s["campaign_id"])
    )
    return {"data": rows, "count": len(rows)}


@router.get(
    "/campaigns/{campaign_id}/referrals/trees",
    response_model=ReferralTreesOut,
    operation_id="getReferralTrees",
)
def referral_trees(
    campaign_id: CampaignId,
    store: StoreDep,
    key: Key,
    trees: Annotated[int, Query(ge=1, le=500)] = 20,
    limit: Annotated[int, Query(ge=1, le=MAX_NETWORK)] = 1000,
) -> dict[str, Any]:
    """A campaign's largest referral trees (who referred whom, by generation)."""
    return explore.referral_trees(store, campaign_id, trees=trees, limit=limit).to_dict()
