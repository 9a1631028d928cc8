"""Campaign planning: reach of seeds, seed selection, shortlists, referral analytics."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path

from graph_engine import planning
from graph_engine.config import Settings
from graph_engine.errors import NotFoundError, ParameterError, PayloadTooLargeError

from ..deps import Key, SettingsDep, StoreDep
from ..schemas import (
    ERROR_RESPONSES,
    ErrorBody,
    ReachIn,
    ReachOut,
    ReferralsOut,
    SeedsIn,
    SeedsOut,
    ShortlistIn,
    ShortlistOut,
)

router = APIRouter(tags=["planning"], responses=ERROR_RESPONSES)


@router.post("/reach:estimate", response_model=ReachOut, operation_id="estimateReach")
def estimate_reach(
    body: ReachIn, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """Expected word-of-mouth reach of a seed list: mean, 95% CI, reach by hop."""
    if len(body.seeds) > settings.api_max_seeds:
        raise PayloadTooLargeError(f"seeds: at most {settings.api_max_seeds} per request")
    est = planning.reach_of(
        store,
        body.seeds,
        model=body.model,
        n_simulations=body.n_simulations,
        seed=body.seed,
        target_communities=body.target_communities,
        settings=settings,
    )
    out = est.to_dict()
    out["seeds"] = [str(s) for s in out["seeds"]]
    return out


def check_seed_request(
    k: int | None, budget: float | None, epsilon: float, settings: Settings
) -> None:
    """The limits every seed selection request meets (seeds:select, campaign plans)."""
    if k is None and budget is None:
        raise ParameterError("give k or budget")
    if k is not None and k > settings.api_max_k:
        raise ParameterError(f"k: {k} exceeds the maximum of {settings.api_max_k}")
    if epsilon < settings.api_min_epsilon:
        raise ParameterError(f"epsilon: {epsilon} is below the floor {settings.api_min_epsilon}")


@router.post("/seeds:select", response_model=SeedsOut, operation_id="selectSeeds")
def select_seeds(body: SeedsIn, store: StoreDep, settings: SettingsDep, key: Key) -> dict[str, Any]:
    """Seeds for the most expected reach: k, or a budget with costs; candidate tiers,
    target communities or segment, exclusions. Returns the certified ratio. Past the
    time budget the answer is 503, not a hung request."""
    check_seed_request(body.k, body.budget, body.epsilon, settings)
    for name in ("candidates", "segment", "exclude"):
        items = getattr(body, name)
        if items is not None and len(items) > settings.api_max_batch_ids:
            raise PayloadTooLargeError(f"{name}: at most {settings.api_max_batch_ids} ids")
    deadline = time.monotonic() + settings.api_seed_time_budget_s
    result = planning.plan_seeds(
        store,
        k=body.k,
        budget=body.budget,
        cost_field=body.cost_field,
        cost_rate=body.cost_rate,
        costs=body.costs,
        candidate_tiers=body.candidate_tiers,
        candidates=body.candidates,
        target_communities=body.target_communities,
        segment=body.segment,
        exclude=body.exclude,
        epsilon=body.epsilon,
        model=body.model,
        seed=body.seed,
        settings=settings,
        deadline=deadline,
    )
    out = result.to_dict()
    out["seeds"] = planning.describe(result, store)
    return out


@router.post("/shortlist:evaluate", response_model=ShortlistOut, operation_id="evaluateShortlist")
def evaluate_shortlist(
    body: ShortlistIn, store: StoreDep, settings: SettingsDep, key: Key
) -> dict[str, Any]:
    """Unique reach of each candidate, of the whole list, each one's marginal
    contribution, and pairwise audience overlap."""
    if len(body.candidates) > min(settings.api_max_seeds, 1000):
        raise PayloadTooLargeError("candidates: at most 1,000 per shortlist")
    report = planning.shortlist(
        store, body.candidates, n_rr_sets=body.n_rr_sets, seed=body.seed, settings=settings
    )
    return report.to_dict()


@router.get(
    "/campaigns/{campaign_id}/referrals",
    response_model=ReferralsOut,
    operation_id="campaignReferrals",
    responses={404: {"model": ErrorBody}},
)
def campaign_referrals(
    campaign_id: Annotated[str, Path(max_length=200)], store: StoreDep, key: Key
) -> dict[str, Any]:
    """Referral tree statistics of a campaign: K-factor by generation and tier, cycle
    time, projected users."""
    stats = planning.campaign_referrals(store, campaign_id)
    if campaign_id not in stats:
        raise NotFoundError(f"no referrals in campaign {campaign_id!r}")
    return stats[campaign_id].to_dict()
