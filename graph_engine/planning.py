"""Campaign planning over the store: reach of a seed list, seed selection, shortlists.

The business logic the CLI and the API share: it resolves customer references (any
identity key), tiers and communities of the current run, and costs, then calls the
pure algorithms of :mod:`~graph_engine.algorithms.reach` and
:mod:`~graph_engine.algorithms.maximization` on the learned influence graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graph_engine.algorithms.maximization import (
    SeedSet,
    ShortlistReport,
    evaluate_shortlist,
    select_seeds,
)
from graph_engine.algorithms.reach import (
    CampaignReferrals,
    InfluenceProbabilities,
    SpreadEstimate,
    estimate_spread,
    learn_probabilities,
    referral_stats,
)
from graph_engine.config import Settings, get_settings
from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.scoring.communities import lift
from graph_engine.store.base import SCORE_FIELDS, GraphStore

__all__ = [
    "campaign_referrals",
    "influence_model",
    "plan_seeds",
    "reach_of",
    "resolve",
    "segment_lift",
    "shortlist",
]


def influence_model(store: GraphStore, settings: Settings | None = None) -> InfluenceProbabilities:
    """The learned influence graph of the store (same window rules as ``compute``)."""
    settings = settings or get_settings()
    since = None
    if settings.influence_window_days:
        current = store.current_run()
        as_of = (
            datetime.fromisoformat(current.summary["as_of"])
            if current is not None and "as_of" in current.summary
            else datetime.now(UTC)
        )
        since = as_of - timedelta(days=settings.influence_window_days)
    g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True, since=since)
    return learn_probabilities(g, seed=settings.compute_seed)


def resolve(store: GraphStore, references: Iterable[str], name: str = "ids") -> list[str]:
    """Canonical customer ids of references (ids, merged ids, identity keys).

    Raises
    ------
    ParameterError
        Naming every reference nobody is known by.
    """
    out: list[str] = []
    unknown: list[str] = []
    for ref in references:
        try:
            out.append(store.customer(ref).id)
        except NotFoundError:
            unknown.append(ref)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ParameterError(f"{name}: unknown customers {shown}{more}")
    return list(dict.fromkeys(out))


def reach_of(
    store: GraphStore,
    seeds: Sequence[str],
    *,
    model: str = "ic",
    n_simulations: int = 10_000,
    seed: int = 0,
    target_communities: Sequence[int] | None = None,
    learned: InfluenceProbabilities | None = None,
    settings: Settings | None = None,
) -> SpreadEstimate:
    """Expected word-of-mouth reach (mean, 95% CI, by hop) of a seed list."""
    learned = learned or influence_model(store, settings)
    ids = resolve(store, seeds, "seeds")
    targets = _community_members(store, target_communities)
    return estimate_spread(learned.graph, ids, learned, model, n_simulations, seed, targets=targets)


def _community_members(store: GraphStore, communities: Sequence[int] | None) -> list[str] | None:
    if not communities:
        return None
    wanted = set(communities)
    members = [c for c, community in store.run_communities().items() if community in wanted]
    if not members:
        raise ParameterError(f"target communities {sorted(wanted)} have no members")
    return members


def plan_seeds(
    store: GraphStore,
    *,
    k: int | None = None,
    budget: float | None = None,
    cost_field: str | None = None,
    cost_rate: float = 1.0,
    costs: Mapping[str, float] | None = None,
    candidate_tiers: Sequence[str] | None = None,
    candidates: Sequence[str] | None = None,
    target_communities: Sequence[int] | None = None,
    segment: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    epsilon: float = 0.1,
    model: str = "ic",
    seed: int = 0,
    learned: InfluenceProbabilities | None = None,
    settings: Settings | None = None,
    deadline: float | None = None,
) -> SeedSet:
    """Select seeds on the learned influence graph with the current run's tiers.

    Parameters
    ----------
    k, budget, epsilon, model, seed
        As in :func:`~graph_engine.algorithms.maximization.select_seeds`.
    cost_field : str, optional
        A score (e.g. ``audience``) whose value times ``cost_rate`` is each person's
        cost (a KOL fee modelled as a CPM); people with a zero value cost ``cost_rate``.
    costs : mapping reference -> cost, optional
        Explicit costs (only these people can then be picked).
    candidate_tiers : sequence of str, optional
        Only people of these tiers may be seeds (e.g. ``["kol", "employee"]``).
    candidates, exclude : sequences of references, optional
    target_communities : sequence of int, optional
        Only reach into these communities counts.
    segment : sequence of references, optional
        Only reach into these people counts (combined with communities: both).
    """
    learned = learned or influence_model(store, settings)
    g = learned.graph
    cost_map: dict[str, float] | None = None
    allowed: set[str] | None = None
    targets: list[str] | None = None
    if cost_field is not None and cost_field not in SCORE_FIELDS:
        raise ParameterError(
            f"cost_field: unknown score {cost_field!r} (known: {', '.join(SCORE_FIELDS)})"
        )
    if cost_field is not None and (cost_rate <= 0 or not np.isfinite(cost_rate)):
        raise ParameterError(f"cost_rate must be > 0, got {cost_rate!r}")
    if candidate_tiers or cost_field or target_communities:
        # one pass over the current run for tiers, cost values and community members
        tiers = set(candidate_tiers or ())
        wanted = set(target_communities or ())
        values: dict[str, float] = {}
        chosen: set[str] = set()
        members: list[str] = []
        for s in store.run_scores():
            if s.tier in tiers:
                chosen.add(s.customer_id)
            if cost_field is not None:
                values[s.customer_id] = float(getattr(s, cost_field))
            if s.community_id in wanted:
                members.append(s.customer_id)
        if candidate_tiers:
            allowed = chosen
        if cost_field is not None:
            cost_map = {cid: max(v, 1.0) * cost_rate for cid, v in values.items()}
        if target_communities:
            if not members:
                raise ParameterError(f"target communities {sorted(wanted)} have no members")
            targets = members
    if costs is not None:
        cost_map = dict(zip(resolve(store, costs.keys(), "costs"), costs.values(), strict=True))
    if candidates is not None:
        listed = set(resolve(store, candidates, "candidates"))
        allowed = listed if allowed is None else allowed & listed
    if segment is not None:
        seg = set(resolve(store, segment, "segment"))
        targets = sorted(seg if targets is None else seg & set(targets))
        if not targets:
            raise ParameterError("segment and target communities share nobody")
    if cost_map is not None:
        present = set(g.ids)
        cost_map = {cid: c for cid, c in cost_map.items() if cid in present}
    return select_seeds(
        g,
        learned,
        k=k,
        budget=budget,
        costs=cost_map,
        targets=targets,
        exclude=None if exclude is None else resolve(store, exclude, "exclude"),
        candidates=None if allowed is None else sorted(allowed),
        epsilon=epsilon,
        model=model,
        seed=seed,
        deadline=deadline,
    )


def segment_lift(
    store: GraphStore,
    *,
    tag: str | None = None,
    campaign: str | None = None,
    ids: Sequence[str] | None = None,
    ids_name: str = "ids",
    min_size: int = 1,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Lift of a segment (a tag, a campaign's converters, or ids) in each community of
    the current run, with its significance
    (:func:`~graph_engine.scoring.communities.lift`)."""
    if sum(x is not None for x in (tag, campaign, ids)) != 1:
        raise ParameterError("give exactly one segment: a tag, a campaign or ids")
    segment = (
        resolve(store, ids, ids_name)
        if ids is not None
        else store.segment(tag=tag, campaign=campaign)
    )
    membership = store.run_communities()
    return lift(membership, segment, min_size, alpha)


def campaign_referrals(
    store: GraphStore, campaign_id: str | None = None
) -> dict[str, CampaignReferrals]:
    """Referral statistics per campaign, K broken down by tier when a run exists."""
    rows = store.referral_rows(campaign_id)
    groups = None
    if store.current_run() is not None:
        groups = {s.customer_id: s.tier for s in store.run_scores()}
    return referral_stats(rows, groups=groups)


def shortlist(
    store: GraphStore,
    references: Sequence[str],
    *,
    model: str = "ic",
    n_rr_sets: int = 200_000,
    seed: int = 0,
    learned: InfluenceProbabilities | None = None,
    settings: Settings | None = None,
) -> ShortlistReport:
    """Unique and marginal reach of a candidate list, with pairwise overlap."""
    learned = learned or influence_model(store, settings)
    ids = resolve(store, references, "candidates")
    return evaluate_shortlist(learned.graph, ids, learned, model, n_rr_sets, seed)


def describe(seeds: SeedSet, store: GraphStore) -> list[dict[str, Any]]:
    """Seeds with their display name, tier and reason in the current run (for display)."""
    out = []
    names = store.customer_names([str(s) for s in seeds.seeds])
    for sid, gain, cost in zip(seeds.seeds, seeds.marginal_gains, seeds.costs, strict=True):
        try:
            s = store.scores(str(sid))
            tier, reason = s.tier, s.tier_reason
        except NotFoundError:
            tier, reason = None, None
        out.append(
            {
                "id": sid,
                "name": names.get(str(sid)),
                "marginal_gain": gain,
                "cost": cost,
                "tier": tier,
                "tier_reason": reason,
            }
        )
    return out
