"""Seed selection's certificate, recomputed independently from the numbers it reports.

OPIM-C (Tang, Tang, Xiao & Yuan 2018, Algorithm 2 with the bounds of its Lemmas 4.2 and
4.3) samples two pools of RR sets, picks seeds greedily on the first and certifies them
on the second. :class:`SeedSet.certificate` reports the counts; these tests redo the
schedule and the bounds from the paper's formulas, so a wrong constant or operator in
``select_seeds`` fails here (``scripts/mutate`` found the certificate otherwise checked
only by inequalities).

References
----------
Tang, J., Tang, X., Xiao, X., & Yuan, J. (2018). Online processing algorithms for
influence maximization. SIGMOD '18, 991-1005. doi:10.1145/3183713.3183749
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import pytest

from graph_engine import GraphSnapshot
from graph_engine.algorithms.maximization import seeds as seeds_module
from graph_engine.algorithms.maximization import select_seeds
from graph_engine.errors import BusyError, ParameterError

E = 1 - 1 / math.e


def graph(n: int = 40, m: int = 120, seed: int = 3) -> GraphSnapshot:
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = (src + 1 + rng.integers(0, n - 1, m)) % n
    return GraphSnapshot.from_edges(
        [f"v{i}" for i in src], [f"v{i}" for i in dst], node_ids=[f"v{i}" for i in range(n)]
    )


def log_comb(n: int, k: int) -> float:
    return math.log(math.comb(n, k))


def check(
    result: Any,
    *,
    n: int,
    k: int,
    epsilon: float,
    eligible: int | None = None,
    delta: float | None = None,
    floor: int = 64,
    min_coverage: int = 0,
    max_rr_sets: int | None = None,
    by_ratio: bool = False,
) -> None:
    """Recompute the schedule and the bounds of ``result`` (a graph of ``n`` nodes, no
    targets) from the paper's formulas and the counts it reports."""
    eligible = n if eligible is None else eligible
    delta = 1 / n if delta is None else delta
    c = result.certificate
    scale = n
    assert c["scale"] == scale
    opt_lower = max(1, min(k, eligible))
    log_term = math.log(6 / delta)
    theta_max = (
        2
        * scale
        * (E * math.sqrt(log_term) + math.sqrt(E * (log_comb(eligible, k) + log_term))) ** 2
    ) / (epsilon**2 * opt_lower)
    assert c["theta_max"] == pytest.approx(theta_max, rel=1e-12)
    assert result.config["theta_max"] == math.ceil(c["theta_max"])
    theta_0 = max(1.0, theta_max * epsilon**2 * opt_lower / scale)
    assert c["theta_0"] == pytest.approx(theta_0, rel=1e-12)
    i_max = max(1, math.ceil(math.log2(theta_max / theta_0)))
    assert c["i_max"] == i_max
    a = math.log(3 * (4 * i_max + 1) / delta)  # union bound over the size grid
    assert c["a"] == pytest.approx(a, rel=1e-12)
    cap = math.ceil(theta_max) if max_rr_sets is None else int(min(theta_max, max_rr_sets))
    assert c["cap"] == max(cap, 1)
    # the schedule: grid points start * 2 ** (j / 4), never past the cap
    start = min(c["cap"], max(math.ceil(theta_0), floor))
    grid = [min(c["cap"], math.ceil(start * 2 ** (j / 4))) for j in range(4 * i_max + 64)]
    assert c["rr_sets_per_pool"] in grid
    if result.rounds == 1:
        assert c["rr_sets_per_pool"] == start
    else:  # at least one grid step per round
        assert c["rr_sets_per_pool"] >= grid[min(result.rounds - 1, len(grid) - 1)]
    if min_coverage == 0:  # the certificate alone: OPIM-C's doubling
        assert c["rr_sets_per_pool"] == min(c["cap"], start * 2 ** (result.rounds - 1))
    assert result.rr_sets == 2 * c["rr_sets_per_pool"]
    theta = c["rr_sets_per_pool"]
    # Lemma 4.2 (lower bound on the seeds' spread, second pool) and 4.3 (upper bound on
    # the optimum, first pool)
    lower = max(
        0.0,
        ((math.sqrt(c["covered_check"] + 2 * a / 9) - math.sqrt(a / 2)) ** 2 - a / 18)
        * scale
        / theta,
    )
    upper = (math.sqrt(c["coverage_upper"] + a / 2) + math.sqrt(a / 2)) ** 2 * scale / theta
    assert result.spread_lower == pytest.approx(lower, rel=1e-12)
    assert result.optimum_upper == pytest.approx(upper, rel=1e-12)
    assert result.certified_ratio == pytest.approx(min(1.0, lower / upper), rel=1e-12)
    assert result.target_ratio == pytest.approx(E - epsilon, rel=1e-15)
    assert result.a_priori_ratio == pytest.approx(E / 2 if by_ratio else E, rel=1e-15)
    if not by_ratio:  # greedy's coverage is within 1 - 1/e of the best
        assert c["coverage_upper"] <= c["covered"] / E + 1e-9
    # it stopped because the certificate and the coverage floor held, or at the cap
    certified = lower / upper >= E - epsilon and c["covered"] >= min_coverage
    assert certified or theta >= c["cap"]
    # the spread is the second pool's coverage, split exactly among the seeds
    assert result.spread.mean == pytest.approx(c["covered_check"] * scale / theta, rel=1e-12)
    assert sum(result.marginal_gains) == pytest.approx(result.spread.mean, rel=1e-9)
    assert result.rr_sets == result.to_dict()["rr_sets"]


@pytest.mark.parametrize(
    ("k", "epsilon", "min_coverage", "max_rr_sets"),
    [(3, 0.2, 0, None), (2, 0.3, 500, None), (4, 0.1, 0, 3_000), (1, 0.5, 0, None)],
)
def test_the_certificate_follows_the_paper(
    k: int, epsilon: float, min_coverage: int, max_rr_sets: int | None
) -> None:
    g = graph()
    result = select_seeds(
        g,
        0.3,
        k=k,
        epsilon=epsilon,
        seed=7,
        min_rr_sets=64,
        min_coverage=min_coverage,
        max_rr_sets=max_rr_sets,
    )
    check(result, n=g.n, k=k, epsilon=epsilon, min_coverage=min_coverage, max_rr_sets=max_rr_sets)
    assert len(result.seeds) == k


def test_the_coverage_floor_stops_between_doublings() -> None:
    """Certified early, the pools grow to the grid size the floor predicts, no further."""
    g = graph()
    result = select_seeds(g, 0.3, k=2, seed=3, min_rr_sets=64, min_coverage=3_000)
    check(result, n=g.n, k=2, epsilon=0.1, min_coverage=3_000)
    c = result.certificate
    assert c["covered"] >= 3_000 and c["rr_sets_per_pool"] < c["cap"]
    doublings = {64 * 2**i for i in range(40)}
    assert c["rr_sets_per_pool"] not in doublings
    # the next grid point down would not have covered enough (5% margin aside)
    assert c["rr_sets_per_pool"] / 2**0.25 * c["covered"] / c["rr_sets_per_pool"] < 3_000 * 1.05


def test_the_certificate_with_candidates_and_delta() -> None:
    g = graph()
    allowed = [f"v{i}" for i in range(0, 40, 2)]
    result = select_seeds(
        g,
        0.3,
        k=2,
        candidates=allowed,
        exclude=["v0"],
        delta=0.01,
        seed=1,
        min_rr_sets=32,
        min_coverage=0,
    )
    check(result, n=g.n, eligible=19, k=2, epsilon=0.1, delta=0.01, floor=32)
    assert set(result.seeds) <= set(allowed) - {"v0"}
    assert result.config["eligible"] == 19
    assert (result.config["candidates"], result.config["exclude"]) == (20, 1)


def test_the_certificate_under_a_budget() -> None:
    g = graph()
    costs = {f"v{i}": 1.0 + (i % 3) for i in range(40)}
    result = select_seeds(
        g, 0.3, budget=5.0, costs=costs, seed=2, min_rr_sets=64, min_coverage=0, epsilon=0.2
    )
    # five people of cost 1 fit a budget of 5
    check(result, n=g.n, k=5, epsilon=0.2, by_ratio=True)
    assert result.total_cost <= 5.0
    assert result.config["algorithm"] == "OPIM-C (cost-effective greedy)"


def test_defaults_are_weighted_cascade_seed_zero_and_ten_thousand_rr_sets() -> None:
    g = graph()
    default = select_seeds(g, k=2)
    explicit = select_seeds(
        g, "weighted_cascade", k=2, seed=0, min_rr_sets=10_000, min_coverage=10_000
    )
    assert default.seeds == explicit.seeds and default.rr_sets == explicit.rr_sets
    assert default.spread.mean == explicit.spread.mean
    assert (default.config["min_rr_sets"], default.config["min_coverage"]) == (10_000, 10_000)
    assert default.certificate["rr_sets_per_pool"] >= 10_000
    other = select_seeds(g, k=2, seed=1)
    assert other.spread.mean != default.spread.mean  # another seed, other samples


def test_to_dict_carries_everything() -> None:
    result = select_seeds(graph(), 0.3, k=2, seed=4, min_rr_sets=64, min_coverage=0)
    d = result.to_dict()
    assert d["seeds"] == [
        {"id": s, "marginal_gain": g, "cost": 1.0}
        for s, g in zip(result.seeds, result.marginal_gains, strict=True)
    ]
    assert d["expected_spread"] == result.spread.mean
    assert d["std_error"] == result.spread.std_error
    assert d["ci95"] == [result.spread.ci_low, result.spread.ci_high]
    for key in (
        "spread_lower",
        "optimum_upper",
        "certified_ratio",
        "target_ratio",
        "a_priori_ratio",
        "rr_sets",
        "rounds",
        "total_cost",
        "seconds",
    ):
        assert d[key] == getattr(result, key), key
    assert d["config"] == dict(result.config) and d["config"]["k"] == 2
    assert d["certificate"] == dict(result.certificate)
    with pytest.raises(TypeError):
        result.config["k"] = 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "select_seeds needs k (number of seeds) or budget"),
        ({"k": 2, "epsilon": 0.0}, "epsilon must lie in (0.0, 0.632"),
        ({"k": 2, "epsilon": E}, "epsilon must lie in (0.0, 0.632"),
        ({"k": 2, "delta": 0.0}, "delta must lie in (0.0, 1.0), got 0.0"),
        ({"k": 2, "delta": 1.0}, "delta must lie in (0.0, 1.0), got 1.0"),
        ({"budget": 0.0, "costs": [1.0] * 40}, "budget must lie in (0.0, inf), got 0.0"),
        ({"budget": float("inf"), "costs": [1.0] * 40}, "budget must lie in (0.0, inf), got inf"),
        ({"budget": 3.0}, "budget needs costs (a cost per person)"),
        ({"k": 0}, "k must be an integer >= 1, got 0"),
        ({"k": 41}, "k = 41 exceeds the 40 eligible candidates"),
        (
            {"k": 2, "candidates": []},
            "no eligible seeds (candidates / exclude / costs leave nobody)",
        ),
        (
            {"k": 2, "candidates": ["v1"], "exclude": ["v1"]},
            "no eligible seeds (candidates / exclude / costs leave nobody)",
        ),
        (
            {"budget": 0.5, "costs": [1.0] * 40},
            "budget 0.5 affords nobody (cheapest eligible cost 1)",
        ),
        ({"k": 2, "targets": []}, "targets must not be empty"),
        ({"k": 2, "min_rr_sets": 0}, "min_rr_sets must be an integer >= 1, got 0"),
        ({"k": 2, "min_coverage": -1}, "min_coverage must be an integer >= 0, got -1"),
        ({"k": 2, "costs": {"v1": True}}, "costs: cost of 'v1' is True, not a number"),
        ({"k": 2, "costs": {"v1": "5"}}, "costs: cost of 'v1' is '5', not a number"),
        ({"k": 2, "costs": {"ghost": 1.0}}, "costs: unknown node ids 'ghost'"),
        ({"k": 2, "costs": [1.0] * 39}, "costs: array of shape (39,), expected (40,)"),
        (
            {"k": 2, "costs": {"v1": 0.0}},
            "costs: cost of 'v1' is 0.0; costs must be positive and finite",
        ),
        (
            {"k": 2, "costs": [1.0] * 39 + [float("inf")]},
            "costs: cost of 'v39' is inf; costs must be positive and finite",
        ),
        ({"k": 2, "candidates": ["ghost"]}, "candidates: unknown node ids 'ghost'"),
    ],
)
def test_errors_name_the_parameter(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError) as bad:
        select_seeds(graph(), 0.3, seed=0, **{"min_rr_sets": 16, **kwargs})
    assert bad.value.message.startswith(message), bad.value.message


def test_boundary_values_are_accepted() -> None:
    g = graph()
    # k may be every eligible person (picks stop once more seeds would reach nobody new)
    assert 0 < len(select_seeds(g, 0.3, k=40, min_rr_sets=16, min_coverage=0).seeds) <= 40
    # a budget of exactly the cheapest cost affords one
    one = select_seeds(g, 0.3, budget=1.0, costs=[1.0] * 40, min_rr_sets=16, min_coverage=0)
    assert len(one.seeds) == 1 and one.total_cost == 1.0
    with pytest.raises(ParameterError) as bad:
        select_seeds(GraphSnapshot.from_edges([], []), 0.3, k=1)
    assert bad.value.message == "select_seeds: the graph has no nodes"
    # the smallest floor and cap: one RR set per pool
    tiny = select_seeds(g, 0.3, k=1, min_rr_sets=1, max_rr_sets=1, min_coverage=0)
    assert tiny.rr_sets == 2 and tiny.certificate["cap"] == 1
    lone = GraphSnapshot.from_edges([], [], node_ids=["only"])
    assert select_seeds(lone, 0.3, k=1, min_rr_sets=4).seeds == ("only",)


def test_a_cost_array_prices_each_person() -> None:
    g = graph()
    costs = [5.0] * 40
    costs[7] = 1.0
    result = select_seeds(g, 0.3, budget=1.0, costs=np.array(costs), min_rr_sets=16)
    assert result.seeds == ("v7",) and result.costs == (1.0,)
    priced = select_seeds(g, 0.3, k=1, costs={"v3": 2}, candidates=["v3"], min_rr_sets=16)
    assert priced.costs == (2.0,) and priced.total_cost == 2.0


class Clock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


def test_the_deadline_stops_between_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    g = graph()
    clock = Clock(step=1.0)
    monkeypatch.setattr(
        seeds_module,
        "time",
        types.SimpleNamespace(monotonic=clock.monotonic, perf_counter=clock.monotonic),
    )
    with pytest.raises(BusyError) as busy:
        select_seeds(g, 0.3, k=2, deadline=0.5, min_rr_sets=16, min_coverage=10**9)
    assert busy.value.message == (
        "seed selection passed its time budget after 0 sampling rounds (0 RR sets); "
        "raise the budget, epsilon, or narrow candidates / targets"
    )
    # a deadline reached exactly is not yet passed
    clock.now = 0.0
    done = select_seeds(
        g, 0.3, k=2, deadline=2.0, min_rr_sets=10**6, max_rr_sets=64, min_coverage=0
    )
    assert done.rounds == 1


def test_progress_reports_sampling_then_done() -> None:
    seen: list[tuple[str, float]] = []
    select_seeds(
        graph(),
        0.3,
        k=2,
        min_rr_sets=16,
        min_coverage=0,
        max_rr_sets=256,
        progress=lambda stage, f: seen.append((stage, f)),
    )
    assert seen[-1] == ("done", 1.0)
    sampling = [f for stage, f in seen[:-1] if stage == "sampling"]
    assert len(sampling) == len(seen) - 1 >= 1
    assert sampling == sorted(sampling) and 0 < sampling[-1] <= 1.0


def test_the_certificate_with_targets_outside_the_candidates() -> None:
    # the one target is no candidate: the optimum's lower estimate is one person, not k
    g = graph()
    result = select_seeds(
        g,
        0.3,
        k=3,
        targets=["v5", "v6"],
        candidates=["v1", "v2", "v3", "v6"],
        seed=3,
        min_rr_sets=64,
        min_coverage=0,
    )
    c = result.certificate
    assert c["scale"] == 2
    log_term = math.log(6 * g.n)
    opt_lower = 1  # only v6 is both a candidate and a target
    theta_max = (
        2 * 2 * (E * math.sqrt(log_term) + math.sqrt(E * (log_comb(4, 3) + log_term))) ** 2
    ) / (0.1**2 * opt_lower)
    assert c["theta_max"] == pytest.approx(theta_max, rel=1e-12)


def test_a_budget_that_affords_one_person_certifies_one_pick() -> None:
    g = graph()
    costs = [3.0] * 40
    costs[4] = 2.0
    result = select_seeds(
        g, 0.3, budget=4.0, costs=costs, seed=5, min_rr_sets=64, min_coverage=0, epsilon=0.2
    )
    assert len(result.seeds) == 1 and result.total_cost <= 4.0
    check(result, n=g.n, k=1, epsilon=0.2, by_ratio=True)


def test_a_seed_that_reaches_almost_nobody_has_a_lower_bound_of_zero() -> None:
    g = GraphSnapshot.from_edges(
        [f"v{i}" for i in range(39)],
        [f"v{i + 1}" for i in range(39)],
        node_ids=[f"v{i}" for i in range(40)] + ["iso"],
    )
    result = select_seeds(
        g, 0.0, k=1, candidates=["iso"], seed=0, min_rr_sets=64, max_rr_sets=64, min_coverage=0
    )
    assert result.seeds == ("iso",)
    assert 0 < result.certificate["covered_check"] < 5
    assert result.spread_lower == 0.0  # the bound's expression is negative here: clipped
    check(result, n=g.n, eligible=1, k=1, epsilon=0.1, max_rr_sets=64)


def test_config_and_spread_name_the_request() -> None:
    g = graph()
    result = select_seeds(
        g,
        0.3,
        budget=3.0,
        costs=[1.0] * 40,
        candidates=[f"v{i}" for i in range(10)],
        exclude=["v0"],
        epsilon=0.25,
        delta=0.05,
        max_rr_sets=5000,
        seed=9,
        min_rr_sets=64,
        min_coverage=0,
    )
    config = result.config
    assert {
        k: config[k]
        for k in (
            "k",
            "budget",
            "costs",
            "candidates",
            "exclude",
            "eligible",
            "epsilon",
            "delta",
            "max_rr_sets",
            "min_rr_sets",
            "min_coverage",
        )
    } == {
        "k": None,
        "budget": 3.0,
        "costs": True,
        "candidates": 10,
        "exclude": 1,
        "eligible": 9,
        "epsilon": 0.25,
        "delta": 0.05,
        "max_rr_sets": 5000,
        "min_rr_sets": 64,
        "min_coverage": 0,
    }
    plain = select_seeds(g, 0.3, k=1, min_rr_sets=16).config
    assert (plain["budget"], plain["costs"], plain["candidates"], plain["exclude"]) == (
        None,
        False,
        None,
        None,
    )
    assert result.spread.seeds == result.seeds
    with pytest.raises(TypeError):
        result.certificate["a"] = 0.0  # type: ignore[index]


def test_seconds_are_the_time_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter([100.0, 103.5])
    monkeypatch.setattr(
        seeds_module,
        "time",
        types.SimpleNamespace(perf_counter=lambda: next(ticks), monotonic=lambda: 0.0),
    )
    result = select_seeds(graph(), 0.3, k=1, min_rr_sets=16, min_coverage=0)
    assert result.seconds == 3.5


def test_the_deadline_names_the_rounds_and_rr_sets_sampled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = graph()
    first = math.ceil(select_seeds(g, 0.3, k=2, min_rr_sets=16).certificate["theta_0"])
    clock = Clock(step=1.0)
    monkeypatch.setattr(
        seeds_module,
        "time",
        types.SimpleNamespace(monotonic=clock.monotonic, perf_counter=lambda: 0.0),
    )
    with pytest.raises(BusyError) as busy:
        # round 1 checks at 1.0 (in time), round 2 at 2.0 (past 1.5)
        select_seeds(g, 0.3, k=2, deadline=1.5, min_rr_sets=16, min_coverage=10**9)
    assert busy.value.message.startswith(
        f"seed selection passed its time budget after 1 sampling rounds ({2 * first} RR sets)"
    )


def test_progress_follows_the_pool_size_on_a_log_scale() -> None:
    seen: list[tuple[str, float]] = []
    result = select_seeds(
        graph(),
        0.3,
        k=2,
        min_rr_sets=16,
        min_coverage=10**9,
        max_rr_sets=1024,
        progress=lambda s, f: seen.append((s, f)),
    )
    cap = result.certificate["cap"]
    start = max(math.ceil(result.certificate["theta_0"]), 16)
    sizes = [min(cap, start * 2**i) for i in range(result.rounds)]
    assert [f for s, f in seen if s == "sampling"] == pytest.approx(
        [min(1.0, math.log2(max(size, 2)) / math.log2(max(cap, 2))) for size in sizes]
    )
    assert seen[-2][1] == 1.0  # the last round reaches the cap


def test_a_coverage_floor_met_exactly_is_met() -> None:
    g = graph()
    free = select_seeds(g, 0.3, k=2, seed=6, min_rr_sets=64, min_coverage=0, epsilon=0.3)
    covered = int(free.certificate["covered"])
    exact = select_seeds(g, 0.3, k=2, seed=6, min_rr_sets=64, min_coverage=covered, epsilon=0.3)
    assert exact.rr_sets == free.rr_sets and exact.seeds == free.seeds
    more = select_seeds(g, 0.3, k=2, seed=6, min_rr_sets=64, min_coverage=covered + 1, epsilon=0.3)
    assert more.rr_sets > free.rr_sets


def test_progress_with_the_smallest_pools() -> None:
    seen: list[tuple[str, float]] = []
    select_seeds(
        graph(),
        0.3,
        k=1,
        min_rr_sets=1,
        max_rr_sets=2,
        min_coverage=0,
        progress=lambda s, f: seen.append((s, f)),
    )
    assert seen == [("sampling", 1.0), ("done", 1.0)]
