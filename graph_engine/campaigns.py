"""The campaign loop: plan a campaign on the current run, then report what happened.

A **plan** (:func:`plan_campaign`) picks seeds under a budget or a count on the learned
influence graph (:func:`~graph_engine.planning.plan_seeds`), forecasts their
word-of-mouth reach with its 95% interval, and predicts conversions and revenue from the
run's measured conversion rate and average order value (``summary.value``, the rates
the money value uses). It is saved in the store with the run it was planned on.

Predicted conversions count the people reached beyond the seeds (the seeds are paid to
spread the word) at that rate; predicted revenue adds the average order.

The campaign then runs: its events carry its id (``campaign_id`` on shares, referrals
and orders).

A **report** (:func:`campaign_report`) compares the plan with those events:

- *reached*: the seeds, everyone who saw a share of the campaign, everyone invited to it;
- *conversions*: people who converted (a ``convert`` share action, a converted
  referral, or an order tagged with the campaign), each counted once;
- *revenue*: the campaign's orders, in the base currency;
- *K-factor*: of the campaign's referral trees
  (:func:`~graph_engine.algorithms.reach.referral_stats`);
- *cost per acquisition* (cost / conversions) and *ROI* ((revenue - cost) / cost);
- *per seed*: each reached person belongs to the seed their first touch leads back to
  (the sharer of the first share they saw or the referrer of their first invitation,
  then that person's first touch, up to a seed); people whose chain reaches no seed are
  *organic*.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from graph_engine import planning
from graph_engine.algorithms.reach import referral_stats
from graph_engine.config import Settings, get_settings
from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.scoring.money import in_currency
from graph_engine.store.base import GraphStore

__all__ = [
    "CampaignReport",
    "campaign_report",
    "plan_campaign",
    "report_rows",
    "simulate_campaign",
]

ORGANIC = "(organic)"


def plan_campaign(
    store: GraphStore,
    campaign_id: str,
    *,
    k: int | None = None,
    budget: float | None = None,
    cost_field: str | None = None,
    cost_rate: float = 1.0,
    costs: Mapping[str, float] | None = None,
    candidate_tiers: Sequence[str] | None = None,
    target_communities: Sequence[int] | None = None,
    epsilon: float = 0.1,
    seed: int = 0,
    n_simulations: int = 10_000,
    replace: bool = False,
    settings: Settings | None = None,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Plan a campaign on the current run and save the plan.

    Returns
    -------
    dict
        The saved plan: ``campaign_id``, ``run_id``, ``seeds`` (id, name, tier, cost,
        marginal gain), ``budget``, ``total_cost``, ``reach`` (``mean``, ``ci95`` the
        interval of the mean, ``range95`` where 95% of single runs land, ``by_hop``),
        ``conversion_rate``, ``average_order_value``, ``predicted_conversions``,
        ``predicted_revenue`` (with their 95% intervals) and ``config``.

    Raises
    ------
    NotFoundError
        No run priced social value in money yet (its rates are needed).
    ConflictError
        The campaign has a plan and ``replace`` is false.
    """
    settings = settings or get_settings()
    if not campaign_id or len(campaign_id) > 200:
        raise ParameterError(f"campaign_id: {campaign_id!r} must be 1-200 characters")
    run = store.current_run()
    rates = run.summary.get("value") if run is not None else None
    if run is None or not isinstance(rates, Mapping):
        raise NotFoundError(
            "no run with measured conversion rates yet: run `graph-engine compute` first"
        )
    chosen = planning.plan_seeds(
        store,
        k=k,
        budget=budget,
        cost_field=cost_field,
        cost_rate=cost_rate,
        costs=costs,
        candidate_tiers=candidate_tiers,
        target_communities=target_communities,
        epsilon=epsilon,
        seed=seed,
        settings=settings,
        deadline=deadline,
    )
    seeds = planning.describe(chosen, store)
    ids = [str(s["id"]) for s in seeds]
    forecast = (
        planning.reach_of(store, ids, n_simulations=n_simulations, seed=seed, settings=settings)
        if ids
        else None
    )
    rate = float(rates["conversion_rate"])
    aov = float(rates["average_order_value"])
    mean = forecast.mean if forecast else 0.0
    spread = forecast.quantiles((0.025, 0.975)) if forecast else {}
    # the seeds are paid to spread the word: conversions come from the people they reach
    beyond = max(mean - len(ids), 0.0)
    beyond_low = max((forecast.ci_low if forecast else 0.0) - len(ids), 0.0)
    beyond_high = max((forecast.ci_high if forecast else 0.0) - len(ids), 0.0)
    low, high = (forecast.ci_low, forecast.ci_high) if forecast else (0.0, 0.0)
    plan = {
        "campaign_id": campaign_id,
        "run_id": run.run_id,
        "planned_at": datetime.now(UTC).isoformat(),
        "seeds": [{**s, "id": str(s["id"])} for s in seeds],
        "budget": budget,
        "total_cost": float(sum(float(s["cost"]) for s in seeds)),
        "reach": {
            "mean": mean,
            "ci95": [low, high],
            # where 95% of single runs of the campaign land (the CI is the mean's)
            "range95": [spread.get(0.025, 0.0), spread.get(0.975, 0.0)],
            "by_hop": list(forecast.by_hop) if forecast else [],
        },
        "conversion_rate": rate,
        "average_order_value": aov,
        "currency": rates.get("currency", settings.currency),
        "predicted_conversions": beyond * rate,
        "predicted_conversions_ci95": [beyond_low * rate, beyond_high * rate],
        "predicted_revenue": beyond * rate * aov,
        "predicted_revenue_ci95": [beyond_low * rate * aov, beyond_high * rate * aov],
        "config": {
            "k": k,
            "budget": budget,
            "cost_field": cost_field,
            "cost_rate": cost_rate,
            "candidate_tiers": list(candidate_tiers or []),
            "target_communities": list(target_communities or []),
            "epsilon": epsilon,
            "seed": seed,
            "n_simulations": n_simulations,
            "certified_ratio": chosen.certified_ratio,
        },
    }
    store.save_campaign_plan(campaign_id, plan, replace=replace)
    return store.campaign_plan(campaign_id)


@dataclass(frozen=True)
class CampaignReport:
    """Planned against actual for one campaign (see the module docstring).

    ``planned`` and ``actual`` share the keys ``reached``, ``conversions``, ``revenue``,
    ``cost``; ``actual`` adds ``k_factor``, ``cost_per_acquisition`` and ``roi``;
    ``per_seed`` has one row per seed (and one for organic reach).
    """

    campaign_id: str
    plan: Mapping[str, Any]
    planned: Mapping[str, Any]
    actual: Mapping[str, Any]
    per_seed: tuple[Mapping[str, Any], ...]
    config: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the API's and ``--json``)."""
        return {
            "campaign_id": self.campaign_id,
            "plan": dict(self.plan),
            "planned": dict(self.planned),
            "actual": dict(self.actual),
            "per_seed": [dict(r) for r in self.per_seed],
            "config": dict(self.config),
        }


def campaign_report(
    store: GraphStore, campaign_id: str, settings: Settings | None = None
) -> CampaignReport:
    """Compare a campaign's plan with its tagged events.

    Raises
    ------
    NotFoundError
        The campaign has no plan.
    ConfigError
        An order in a currency without a rate (as in ``compute``).
    """
    settings = settings or get_settings()
    plan = store.campaign_plan(campaign_id)
    events = store.campaign_events(campaign_id)
    referrals = store.referral_rows(campaign_id)
    seeds = [str(s["id"]) for s in plan.get("seeds", [])]
    seed_set = set(seeds)

    # first touch of everyone reached: the earliest share seen or invitation received
    touches = sorted(
        [(at, sharer, viewer) for sharer, viewer, _action, at in events.shares]
        + [(at, referrer, referee) for referrer, referee, _c, at, _conv in referrals],
        key=lambda t: (t[0], t[1], t[2]),
    )
    parent: dict[str, str] = {}
    for _at, source, person in touches:
        if person not in parent and person not in seed_set and person != source:
            parent[person] = source
    reached = seed_set | set(parent)

    converters = {viewer for _s, viewer, action, _at in events.shares if action == "convert"}
    converters |= {referee for _r, referee, _c, _at, converted in referrals if converted}
    amounts = np.asarray([o[1] for o in events.orders], dtype=np.float64)
    currencies = np.asarray([o[2] for o in events.orders], dtype=object)
    amounts = in_currency(amounts, currencies, settings.currency, settings.currency_rates)
    converters |= {o[0] for o in events.orders}
    spent: dict[str, float] = {}
    for (customer, *_rest), amount in zip(events.orders, amounts.tolist(), strict=True):
        spent[customer] = spent.get(customer, 0.0) + amount
    revenue = float(amounts.sum())
    k_factor = referral_stats(referrals)[campaign_id].k_factor if referrals else 0.0

    def seed_of(person: str) -> str:
        seen = set()
        while person not in seed_set and person in parent and person not in seen:
            seen.add(person)
            person = parent[person]
        return person if person in seed_set else ORGANIC

    costs = {str(s["id"]): float(s["cost"]) for s in plan.get("seeds", [])}
    rows: dict[str, dict[str, Any]] = {
        sid: {
            "seed": sid,
            "cost": costs.get(sid, 0.0),
            "reached": 0,
            "conversions": 0,
            "revenue": 0.0,
        }
        for sid in [*seeds, ORGANIC]
    }
    for person in reached | converters:
        row = rows[seed_of(person)]
        row["reached"] += person in reached
        row["conversions"] += person in converters
        row["revenue"] += spent.get(person, 0.0)
    cost = float(plan.get("total_cost", 0.0))
    conversions = len(converters)
    actual = {
        "reached": len(reached),
        "conversions": conversions,
        "revenue": revenue,
        "cost": cost,
        "k_factor": k_factor,
        "cost_per_acquisition": cost / conversions if conversions else None,
        "roi": (revenue - cost) / cost if cost else None,
        "events": {
            "shares": len(events.shares),
            "referrals": len(referrals),
            "orders": len(events.orders),
        },
    }
    planned = {
        "reached": plan["reach"]["mean"],
        "reached_ci95": plan["reach"]["ci95"],
        "reached_range95": plan["reach"].get("range95"),
        "conversions": plan["predicted_conversions"],
        "conversions_ci95": plan["predicted_conversions_ci95"],
        "revenue": plan["predicted_revenue"],
        "revenue_ci95": plan["predicted_revenue_ci95"],
        "cost": cost,
    }
    return CampaignReport(
        campaign_id=campaign_id,
        plan=plan,
        planned=planned,
        actual=actual,
        per_seed=tuple(rows[s] for s in [*seeds, ORGANIC] if s != ORGANIC or rows[s]["reached"]),
        config={"currency": settings.currency, "attribution": "first touch to a seed"},
    )


def report_rows(report: CampaignReport) -> list[dict[str, Any]]:
    """The report as CSV rows: one per seed (and organic), then the totals."""
    rows = [dict(r) for r in report.per_seed]
    a = report.actual
    rows.append(
        {
            "seed": "TOTAL",
            "cost": a["cost"],
            "reached": a["reached"],
            "conversions": a["conversions"],
            "revenue": a["revenue"],
        }
    )
    return rows


def simulate_campaign(
    store: GraphStore,
    campaign_id: str,
    out: str | Path,
    *,
    start: datetime | None = None,
    referral_share: float = 0.2,
    conversion_rate: float | None = None,
    order_value: float | None = None,
    seed: int = 0,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Run a planned campaign in simulation and write its events, with the truth.

    An independent cascade from the plan's seeds on the learned influence graph the
    forecast used (:func:`~graph_engine.planning.influence_model`; each activated person
    tries each out-neighbour once with the learned probability, seeded): every
    activation is a touch tagged with the campaign, a share ``view`` or, with probability
    ``referral_share``, a referral invitation; an activated person converts with
    probability ``conversion_rate`` (default: the plan's measured rate), then places an
    order of about ``order_value`` (default: the plan's average order, drawn
    log-normally) tagged with the campaign, and a share converts (``convert`` action) or
    the referral is marked converted.

    Writes ``out`` (JSONL events for ``graph-engine ingest``) and returns the planted
    truth: ``reached``, ``conversions``, ``revenue``, ``per_seed`` (the same definitions
    as :func:`campaign_report`, seeds included in ``reached``).
    """
    plan = store.campaign_plan(campaign_id)
    seeds = [str(s["id"]) for s in plan.get("seeds", [])]
    rng = np.random.default_rng(seed)
    rate = float(plan["conversion_rate"]) if conversion_rate is None else conversion_rate
    value = float(plan["average_order_value"]) if order_value is None else order_value
    start = start or datetime.now(UTC).replace(microsecond=0)
    # the model the plan's forecast used (same evidence window)
    learned = planning.influence_model(store, settings)
    ig = learned.graph
    index = {cid: i for i, cid in enumerate(ig.ids)}
    owner = {s: s for s in seeds}
    frontier = [s for s in seeds if s in index]
    active = set(seeds)
    events: list[dict[str, Any]] = []
    per_seed: dict[str, dict[str, Any]] = {
        s: {"seed": s, "reached": 1, "conversions": 0, "revenue": 0.0} for s in seeds
    }
    conversions, revenue, hop = 0, 0.0, 0
    while frontier:
        hop += 1
        fresh: list[str] = []
        for source in frontier:
            u = index[source]
            lo, hi = ig.indptr[u], ig.indptr[u + 1]
            for edge in range(lo, hi):
                person = str(ig.ids[ig.indices[edge]])
                if person in active or rng.random() >= learned.p[edge]:
                    continue
                active.add(person)
                fresh.append(person)
                owner[person] = owner[source]
                at = start + timedelta(hours=hop, seconds=len(events))
                converts = bool(rng.random() < rate)
                stamp = at.isoformat().replace("+00:00", "Z")
                if rng.random() < referral_share:
                    events.append(
                        {
                            "type": "referral",
                            "referrer": source,
                            "referee": person,
                            "campaign_id": campaign_id,
                            "converted": converts,
                            "at": stamp,
                        }
                    )
                else:
                    events.append(
                        {
                            "type": "share",
                            "sharer": source,
                            "viewer": person,
                            "content_id": f"{campaign_id}-post",
                            "action": "view",
                            "campaign_id": campaign_id,
                            "at": stamp,
                        }
                    )
                    if converts:
                        later = (at + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
                        events.append(
                            {
                                "type": "share",
                                "sharer": source,
                                "viewer": person,
                                "content_id": f"{campaign_id}-post",
                                "action": "convert",
                                "campaign_id": campaign_id,
                                "at": later,
                            }
                        )
                row = per_seed[owner[person]]
                row["reached"] += 1
                if converts:
                    amount = round(float(value * rng.lognormal(-0.125, 0.5)), 2)
                    paid = (at + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
                    events.append(
                        {
                            "type": "order",
                            "customer": person,
                            "order_id": f"{campaign_id}-{len(events)}",
                            "amount": amount,
                            "campaign_id": campaign_id,
                            "at": paid,
                        }
                    )
                    conversions += 1
                    revenue += amount
                    row["conversions"] += 1
                    row["revenue"] += amount
        frontier = fresh
    for n, event in enumerate(events):
        event["event_id"] = f"sim-{campaign_id}-{n}"
    path = Path(out)
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return {
        "campaign_id": campaign_id,
        "events_file": str(path),
        "events": len(events),
        "reached": len(active),
        "conversions": conversions,
        "revenue": round(revenue, 2),
        "per_seed": list(per_seed.values()),
        "config": {
            "seed": seed,
            "referral_share": referral_share,
            "conversion_rate": rate,
            "order_value": value,
            "start": start.isoformat(),
        },
    }
