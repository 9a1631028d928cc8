"""Recompute: store -> snapshot -> algorithms -> scores -> one atomically published run.

Stages (each timed, each reported to ``progress(stage, fraction)``):

1. ``read``: the influence graph (FOLLOWS reversed, SHARED_TO, REFERRED; share and
   referral evidence of the configured window) and per-customer inputs;
2. ``probabilities``: learned p(u, v) (:func:`~graph_engine.algorithms.reach.learn_probabilities`);
3. ``influence``: PageRank on the influence graph weighted by p, reversed so that
   score accrues to the people who move others;
4. ``reach``: everyone's single-seed expected spread from one pool of RR sets;
5. ``communities``: Leiden on the undirected interaction graph (seeded), ids matched
   to the previous run by member overlap; bridge = participation coefficient;
6. ``value``: participation (recency-weighted engagements, shared content, referrals),
   revenue (orders converted to the base currency), audience, social value in money
   (:mod:`~graph_engine.scoring.money`: own + referral + influence + participation, each
   part kept) and its percentile-blend rank (``social_value_rank``);
7. ``tiers``: employee / KOL (level) / KOC / consumer with reasons;
8. ``profiles``: community profiles;
9. ``write`` then ``publish``: scores written under a run that readers cannot see, then
   published in one transaction. Any failure (or Ctrl-C) marks the run failed and the
   previous run keeps serving; a killed process leaves a ``running`` run that the next
   compute marks abandoned.

Influence and Leiden run on the configured engine (:mod:`graph_engine.engines`: in this
process, or in Neo4j Graph Data Science on the store's server, memory estimated before
anything is projected); the run's config records which engine and version ran them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms.reach import learn_probabilities, single_seed_reach
from graph_engine.config import Settings, get_settings
from graph_engine.engines import EngineName, select_engine
from graph_engine.errors import StoreError
from graph_engine.scoring.communities import (
    community_profiles,
    match_communities,
    participation_coefficient,
)
from graph_engine.scoring.money import ValueModel, in_currency, money_value, weighted_sum
from graph_engine.scoring.tiers import TierRules, assign_tiers
from graph_engine.scoring.value import social_value
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store.base import GraphStore, RelationshipType, RunRecord, ScoreColumns

__all__ = ["STAGES", "compute", "recency_weight"]

STAGES = (
    "read",
    "probabilities",
    "influence",
    "reach",
    "communities",
    "value",
    "tiers",
    "profiles",
    "write",
    "publish",
)
RELATIONSHIPS: tuple[RelationshipType, ...] = ("FOLLOWS", "SHARED_TO", "REFERRED")
Progress = Callable[[str, float], None]


def recency_weight(
    times: npt.NDArray[np.float64], as_of: float, half_life_days: float
) -> npt.NDArray[np.float64]:
    """``0.5 ** (age / half_life)``; events after ``as_of`` count fully.

    Examples
    --------
    >>> recency_weight(np.array([0.0, 86400.0 * 10]), 86400.0 * 10, 10).tolist()
    [0.5, 1.0]
    """
    age_days = np.maximum(as_of - times, 0.0) / 86400.0
    return np.asarray(0.5 ** (age_days / half_life_days), dtype=np.float64)


def tier_summary(
    tiers: Any, social: npt.ArrayLike, revenue: npt.ArrayLike, audience: npt.ArrayLike
) -> list[dict[str, Any]]:
    """Customers, mean social value, revenue and audience per tier and level, most
    customers first: what ``store.tier_summary()`` answers, kept with the run so a page
    can show it without scanning the scores."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for i, key in enumerate(zip(tiers.tier, tiers.level, strict=True)):
        groups.setdefault(key, []).append(i)
    value = np.asarray(social, dtype=np.float64)
    rev = np.asarray(revenue, dtype=np.float64)
    aud = np.asarray(audience, dtype=np.int64)
    ordered = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0][0], g[0][1] or ""))
    return [
        {
            "tier": tier,
            "tier_level": level,
            "customers": len(members),
            "social_value_mean": float(value[members].mean()),
            "revenue_total": float(rev[members].sum()),
            "audience_total": int(aud[members].sum()),
        }
        for (tier, level), members in ordered
    ]


def detail_columns(value: Any, money: Any) -> dict[str, Any]:
    """The value details of every score row, as columns: the money parts
    (``value_components``) and the numbers behind them (``value_inputs``), the
    percentile-blend rank (``social_value_rank`` with its ``rank_components``) and the
    influence signals. Run-wide numbers (weights, rates, average order) live in the run,
    not in each row."""
    as_float = np.float64
    return {
        **money.stored_columns(),
        "social_value_rank": np.asarray(value.value, dtype=as_float),
        "rank_components": {k: np.asarray(v, dtype=as_float) for k, v in value.components.items()},
        "influence_signals": {k: np.asarray(v, dtype=as_float) for k, v in value.signals.items()},
    }


def compute(
    store: GraphStore,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    as_of: datetime | None = None,
    engine: EngineName | None = None,
) -> RunRecord:
    """Recompute every score and publish a new run.

    Parameters
    ----------
    store : GraphStore
    settings : Settings, optional
    progress : callable, optional
        ``progress(stage, fraction_of_stage)``; stages are :data:`STAGES`.
    as_of : datetime, optional
        Reference time of recency weights and the evidence window (default: the
        latest activity in the store, so a historical dataset is scored as of its end).
    engine : {"auto", "gds", "python"}, optional
        Where influence and communities run (default: ``settings.compute_engine``).

    Returns
    -------
    RunRecord
        The published run (status ``complete``).

    Raises
    ------
    ConfigError
        ``engine="gds"`` on a store without Graph Data Science.
    InsufficientMemoryError
        The GDS server's free heap cannot hold a projection and its algorithm.
    GraphEngineError
        Any stage's error; the run is then marked failed and the previous one serves.
    """
    settings = settings or get_settings()
    rules = (
        TierRules.from_toml(settings.tier_rules_file) if settings.tier_rules_file else TierRules()
    )
    value_model = (
        ValueModel.from_toml(settings.tier_rules_file, settings.currency)
        if settings.tier_rules_file
        else ValueModel(currency=settings.currency)
    )
    report = progress or (lambda stage, fraction: None)
    timings: dict[str, float] = {}

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        report(name, 0.0)
        started = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - started, 4)
        report(name, 1.0)

    seed = settings.compute_seed
    runner = select_engine(
        store, engine or settings.compute_engine, concurrency=settings.gds_concurrency
    )
    config: dict[str, Any] = {
        "engine": runner.name,
        "engine_version": runner.version,
        "value_weights": settings.value_weights,
        "participation_weights": settings.participation_weights,
        "recency_half_life_days": settings.recency_half_life_days,
        "revenue_recency": settings.revenue_recency,
        "influence_window_days": settings.influence_window_days,
        "tier_rules": rules.to_dict(),
        "value_model": value_model.to_dict(),
        "currency_rates": settings.currency_rates,
        "seed": seed,
        "leiden_resolution": settings.leiden_resolution,
        "reach_rr_sets": settings.reach_rr_sets,
    }
    previous = store.current_run()
    run = store.begin_run(config, store.stats().to_dict())
    try:
        released = runner.start(run.run_id)
        with stage("read"):
            feats = store.customer_features()
            times = [feats.engagements[1], feats.shares[1], feats.referrals[1], feats.orders[1]]
            latest = max((float(t.max()) for t in times if t.size), default=None)
            ref = (
                as_of.timestamp()
                if as_of is not None
                else latest
                if latest is not None
                else datetime.now(UTC).timestamp()
            )
            since = (
                datetime.fromtimestamp(ref, UTC) - timedelta(days=settings.influence_window_days)
                if settings.influence_window_days
                else None
            )
            g = store.snapshot(RELATIONSHIPS, influence=True, since=since)
            referral_log = store.referral_rows()
            if tuple(g.ids) != feats.ids:
                raise StoreError("snapshot and customer features disagree on customers")
            n = g.n
        with stage("probabilities"):
            learned = learn_probabilities(g, seed=seed)
            ig = learned.graph
        with stage("influence"):
            memory = runner.check_memory(n, ig.m, g.m)
            weighted = GraphSnapshot(ig.indptr, ig.indices, learned.p, ig.ids)
            influence = runner.influence(weighted)
        with stage("reach"):
            reach = single_seed_reach(
                ig,
                learned,
                n_rr_sets=settings.reach_rr_sets,
                seed=seed,
                progress=lambda done, total: report("reach", done / max(total, 1)),
            )
            expected_reach = reach.scores
        with stage("communities"):
            und = g.undirected()
            prev_map: dict[Any, int] = {}
            if previous is not None:
                prev_map = dict(store.run_communities(previous.run_id))
            partition = runner.communities(g, gamma=settings.leiden_resolution, random_seed=seed)
            membership, stability = match_communities(g.ids, partition.membership, prev_map)
            bridge = participation_coefficient(und, membership)
        with stage("value"):
            hl = settings.recency_half_life_days
            pw = settings.participation_weights
            participation = np.zeros(n)
            for kind, (idx, at) in (
                ("engagement", feats.engagements),
                ("share", feats.shares),
                ("referral", feats.referrals),
            ):
                participation += pw.get(kind, 0.0) * weighted_sum(
                    n, idx, recency_weight(at, ref, hl)
                )
            o_idx, o_at, o_amount = feats.orders
            o_amount = in_currency(
                o_amount, feats.order_currencies, settings.currency, settings.currency_rates
            )
            revenue = weighted_sum(
                n,
                o_idx,
                o_amount * recency_weight(o_at, ref, hl) if settings.revenue_recency else o_amount,
            )
            external = np.array([sum(e.values()) for e in feats.external_followers], dtype=np.int64)
            audience = feats.followers + external
            value = social_value(
                revenue,
                participation,
                {"influence": influence, "expected_reach": expected_reach, "audience": audience},
                settings.value_weights,
            )
            kinds = feats.engagement_kinds
            money = money_value(
                revenue,
                ids=feats.ids,
                orders=int(o_idx.size),
                referrals=referral_log,
                share_touches=feats.share_touches
                if feats.share_touches is not None
                else (np.zeros(0, np.int64),) * 3,
                order_events=(o_idx, o_at, o_amount),
                expected_reach=expected_reach,
                external_followers=feats.external_followers,
                engagements=(
                    feats.engagements[0],
                    kinds if kinds is not None else ["other"] * feats.engagements[0].size,
                ),
                shares_made=np.bincount(feats.shares[0], minlength=n),
                invitations=np.bincount(feats.referrals[0], minlength=n),
                model=value_model,
            )
        with stage("tiers"):
            tiers = assign_tiers(
                feats.is_employee,
                feats.external_followers,
                expected_reach,
                feats.conversions,
                rules,
            )
        with stage("profiles"):
            profiles = community_profiles(
                und,
                membership,
                tiers=tiers.tier,
                revenue=revenue,
                participation=participation,
                rank_by=value.components["influence"],
                bridge=bridge,
                tags=feats.tags,
            )
        with stage("write"):
            scores = ScoreColumns(
                customer_id=feats.ids,
                tier=tiers.tier,
                tier_level=tiers.level,
                tier_reason=tiers.reason,
                community_id=np.asarray(membership, dtype=np.int64),
                social_value=np.asarray(money.value, dtype=np.float64),
                influence=np.asarray(influence, dtype=np.float64),
                expected_reach=np.asarray(expected_reach, dtype=np.float64),
                audience=np.asarray(audience, dtype=np.int64),
                participation=np.asarray(participation, dtype=np.float64),
                revenue=np.asarray(revenue, dtype=np.float64),
                bridge=np.asarray(bridge, dtype=np.float64),
                conversions=np.asarray(feats.conversions, dtype=np.int64),
                details={
                    "audience_in_graph": np.asarray(feats.followers, dtype=np.int64),
                    "audience_external": np.asarray(external, dtype=np.int64),
                    "audience_by_platform": feats.external_followers,
                    "is_employee": np.asarray(feats.is_employee, dtype=np.bool_),
                    **detail_columns(value, money),
                },
            )
            store.write_scores(
                run.run_id, scores, progress=lambda done: report("write", done / max(n, 1))
            )
            store.write_communities(run.run_id, profiles)
        summary = {
            "customers": n,
            "influence_edges": ig.m,
            "edges_with_evidence": learned.with_evidence,
            "tiers": tiers.counts(),
            "tier_summary": tier_summary(tiers, money.value, revenue, audience),
            "value": money.run_summary(),
            "kol_levels": {
                lv: sum(1 for x in tiers.level if x == lv)
                for lv in dict.fromkeys(tiers.level)
                if lv
            },
            "communities": len(profiles),
            "modularity": partition.modularity,
            "community_detection": {
                "algorithm": partition.algorithm,
                **{k: v for k, v in partition.config.items() if k != "seed_property"},
            },
            "engine_memory_estimate": memory,
            "engine_released": released,
            "community_stability": stability,
            "reach_rr_sets": reach.config["rr_sets"],
            "as_of": datetime.fromtimestamp(ref, UTC).isoformat(),
            "previous_run": previous.run_id if previous else None,
        }
        with stage("publish"):
            return store.publish_run(run.run_id, timings, summary, keep=settings.keep_runs)
    except BaseException as exc:
        store.fail_run(run.run_id, f"{type(exc).__name__}: {exc}")
        raise
