"""Social value, tier rules, community matching, bridges, profiles and lift."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from graph_engine import GraphSnapshot
from graph_engine.errors import ConfigError, ParameterError
from graph_engine.scoring import (
    TierRules,
    assign_tiers,
    community_profiles,
    lift,
    match_communities,
    participation_coefficient,
    percentile,
    social_value,
)


def test_the_small_buyer_with_a_big_audience_outranks_the_big_buyer_with_a_small_one() -> None:
    rng = np.random.default_rng(0)
    n = 200
    revenue = rng.lognormal(6, 1.2, n)
    participation = rng.poisson(3, n).astype(float)
    audience = rng.lognormal(5, 2, n)
    reach = rng.gamma(1.5, 2.0, n)
    # customer 0: ¥1,000 buyer with 300k followers; customer 1: ¥10,000 buyer with 300
    revenue[:2] = [1_000, 10_000]
    participation[:2] = [3, 3]
    audience[:2] = [300_000, 300]
    reach[:2] = [np.median(reach), np.median(reach)]
    signals = {"audience": audience, "expected_reach": reach}
    equal = social_value(revenue, participation, signals)
    assert equal.value[0] > equal.value[1]
    assert equal.components["revenue"][1] > equal.components["revenue"][0]
    assert equal.components["influence"][0] > equal.components["influence"][1]
    # when the weights say revenue is all that matters, the big buyer wins
    revenue_only = social_value(revenue, participation, signals, {"revenue": 1.0})
    assert revenue_only.value[1] > revenue_only.value[0]
    assert revenue_only.weights == {"revenue": 1.0, "participation": 0.0, "influence": 0.0}
    breakdown = equal.breakdown(0)
    assert set(breakdown["value_components"]) == {"revenue", "participation", "influence"}


def test_percentiles_and_weight_errors() -> None:
    assert percentile([0, 0, 5]).tolist() == [0.0, 0.0, 0.5]
    with pytest.raises(ParameterError, match="unknown components"):
        social_value([1], [1], {"a": [1]}, {"loyalty": 1.0})
    with pytest.raises(ParameterError, match="at least one weight"):
        social_value([1], [1], {"a": [1]}, {"revenue": 0.0})
    with pytest.raises(ParameterError, match="influence signal 'a' has 2 values"):
        social_value([1], [1], {"a": [1, 2]})


def test_tier_rules_defaults() -> None:
    ext = [
        {"weibo": 132_000},  # mid KOL on default thresholds
        {"douyin": 1_200_000},  # mega
        {"xiaohongshu": 600, "weibo": 500},  # 1.1k across platforms -> nano
        {"weibo": 999_000},  # staff: never a KOL
        {},  # top reach, 2 conversions -> KOC
        {},  # top reach, no conversion -> consumer
        {},
        *([{}] * 33),
    ]
    n = len(ext)
    staff = [False] * n
    staff[3] = True
    reach = np.ones(n)
    reach[4], reach[5] = 50.0, 40.0
    conversions = np.zeros(n, dtype=int)
    conversions[4] = 2
    t = assign_tiers(staff, ext, reach, conversions)
    assert t.tier[:7] == ("kol", "kol", "kol", "employee", "koc", "consumer", "consumer")
    assert t.level[:3] == ("mid", "mega", "nano")
    assert t.reason[0] == "external audience 132k on weibo → mid KOL"
    assert t.reason[2] == "external audience 1.1k across 2 platforms → nano KOL"
    assert "staff" in t.reason[3] and "999k" in t.reason[3] and "not classed as KOL" in t.reason[3]
    assert (
        t.reason[4] == "top 3% expected word-of-mouth reach (50 people), 2 proven conversions → KOC"
    )
    assert "0 proven conversions" in t.reason[5]
    assert t.counts() == {"kol": 3, "employee": 1, "koc": 1, "consumer": n - 5}


def test_tier_rules_from_toml_with_platform_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "tiers.toml"
    path.write_text(
        "[kol.platforms.weibo]\nnano = 2000\nmicro = 20000\nmid = 50000\nmacro = 100000\n"
        "mega = 1000000\n\n[koc]\ntop_fraction = 0.10\nmin_conversions = 3\n"
    )
    rules = TierRules.from_toml(path)
    t = assign_tiers(
        [False] * 3,
        [{"weibo": 132_000}, {"weibo": 1_500}, {"douyin": 1_500}],
        [1.0, 1.0, 1.0],
        [0, 0, 0],
        rules,
    )
    assert t.reason[0] == "external audience 132k on weibo → macro KOL"
    assert t.tier[1:] == ("consumer", "kol")  # 1.5k is below Weibo's nano, above the default
    assert rules.koc_top_fraction == 0.10 and rules.to_dict()["source"] == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[kol.levels]\nnano = -5\n", r"kol.levels.nano = -5: must be a positive integer"),
        ("[kol.levels]\ngiga = 5\n", r"unknown level\(s\) \['giga'\]"),
        ("[kol.levels]\nmicro = 500\n", "thresholds must increase"),
        ("[loyalty]\nx = 1\n", r"unknown section\(s\) \['loyalty'\]"),
        ("[koc]\ntop_fraction = 2.0\n", r"koc.top_fraction = 2.0"),
        ("[koc\n", "tier rules file"),
    ],
)
def test_bad_tier_rules_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        TierRules.from_toml(path)
    assert str(path) in str(err.value)


def test_missing_tier_rules_file() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        TierRules.from_toml("/nonexistent/tiers.toml")


def test_communities_keep_their_ids_across_runs() -> None:
    ids = list("abcdefgh")
    previous = {"a": 10, "b": 10, "c": 10, "d": 11, "e": 11, "f": 11, "g": 12}
    # new run: same two big groups with other labels, g and h form a new group
    labels, report = match_communities(ids, [5, 5, 5, 3, 3, 4, 7, 7], previous)
    assert labels[:5].tolist() == [10, 10, 10, 11, 11]
    assert labels[5] != 11  # f left its community
    assert report["matched"] >= 2 and report["compared"] == 7
    assert report["moved"] == int(np.count_nonzero(labels[:7] != [10, 10, 10, 11, 11, 11, 12]))
    assert min(labels[5], labels[6]) > 12 or labels[6] == 12


def test_participation_coefficient_and_profiles() -> None:
    # two triangles joined through c-d; c and d are bridges
    src = ["a", "a", "b", "d", "d", "e", "c"]
    dst = ["b", "c", "c", "e", "f", "f", "d"]
    g = GraphSnapshot.from_edges(src, dst, node_ids=list("abcdef"), directed=False)
    membership = np.array([0, 0, 0, 1, 1, 1])
    pc = participation_coefficient(g, membership)
    assert pc[0] == 0 and pc[2] == pytest.approx(1 - (2 / 3) ** 2 - (1 / 3) ** 2)
    profiles = community_profiles(
        g,
        membership,
        tiers=["kol", "consumer", "consumer", "koc", "consumer", "consumer"],
        revenue=[10, 0, 5, 1, 1, 1],
        participation=[1, 1, 1, 1, 1, 1],
        rank_by=[0.9, 0.1, 0.5, 0.8, 0.2, 0.3],
        bridge=pc,
        tags=[["vip"], ["vip"], [], ["new"], [], []],
    )
    first = next(p for p in profiles if p["community_id"] == 0)
    assert first["size"] == 3 and first["internal_edges"] == 3
    assert first["density"] == pytest.approx(1.0)
    assert first["conductance"] == pytest.approx(1 / 7)
    assert first["tier_mix"] == {"kol": 1, "consumer": 2}
    assert first["top_influencers"][0]["id"] == "a"
    assert first["bridges"][0]["id"] == "c"
    assert first["linked_communities"] == [{"community_id": 1, "edges": 1}]
    assert first["top_tags"] == [{"tag": "vip", "count": 2}]
    assert first["revenue_total"] == 15


def test_lift() -> None:
    membership = {f"u{i}": (0 if i < 10 else 1) for i in range(40)}
    result = lift(membership, ["u1", "u2", "u3", "u4", "u30", "ghost"])
    top = result["communities"][0]
    assert top["community_id"] == 0
    assert top["lift"] == pytest.approx((4 / 10) / (5 / 40))
    assert result["unknown"] == 1 and result["segment_size"] == 5


def _tail(base: int, successes: int, drawn: int, hits: int) -> float:
    """P(X >= hits) for a hypergeometric draw, by counting subsets."""
    total = math.comb(base, drawn)
    return (
        sum(
            math.comb(successes, k) * math.comb(base - successes, drawn - k)
            for k in range(hits, min(successes, drawn) + 1)
        )
        / total
    )


def test_lift_significance_is_the_hypergeometric_tail_corrected_by_bh() -> None:
    # 60 people: community 0 (20, 9 in the segment), 1 (20, 2), 2 (19, 0), 3 (1, 1)
    membership = {f"u{i}": 0 if i < 20 else 1 if i < 40 else 2 if i < 59 else 3 for i in range(60)}
    segment = [f"u{i}" for i in [*range(9), 20, 21, 59]]
    result = lift(membership, segment, alpha=0.05)
    rows = {r["community_id"]: r for r in result["communities"]}
    p = {c: _tail(60, 12, rows[c]["size"], rows[c]["members"]) for c in rows}
    for c, row in rows.items():
        assert row["p_value"] == pytest.approx(p[c], rel=1e-9)
    # Benjamini-Hochberg by hand: sort p, scale by m / rank, make monotone from the top
    ranked = sorted(p, key=p.__getitem__)
    scaled = [p[c] * 4 / (i + 1) for i, c in enumerate(ranked)]
    adjusted = {c: min(1.0, min(scaled[i:])) for i, c in enumerate(ranked)}
    for c, row in rows.items():
        assert row["q_value"] == pytest.approx(adjusted[c], rel=1e-9)
    # the one-member community has the highest lift (60 / 12 = 5) but is not significant,
    # so the real over-indexing community tops the list
    assert rows[3]["lift"] == pytest.approx(5.0) and rows[3]["p_value"] == pytest.approx(0.2)
    assert [r["community_id"] for r in result["communities"]][:2] == [0, 3]
    assert rows[0]["significant"] and not rows[3]["significant"] and not rows[1]["significant"]
    # under-representation is never "significant" over-indexing
    assert not rows[2]["significant"] and rows[2]["p_value"] == pytest.approx(1.0)
    small = lift(membership, segment, min_size=2)
    assert {r["community_id"] for r in small["communities"]} == {0, 1, 2}
    with pytest.raises(ParameterError, match="min_size"):
        lift(membership, segment, min_size=0)
    with pytest.raises(ParameterError, match="alpha"):
        lift(membership, segment, alpha=1.5)


def test_koc_needs_both_top_reach_and_proven_conversions_with_many_candidates() -> None:
    """100 customers, reach 100 down to 1 (rank = position), top 5% = ranks 1-5.

    Candidates on every side of both conditions: in the top 5% with and without
    conversions, just outside it with conversions, and a KOL and an employee inside it
    (their tiers win). Only the top-5% converters who are neither become KOCs.
    """
    n = 100
    reach = np.arange(n, 0, -1, dtype=float)  # index i has rank i + 1
    conversions = np.zeros(n, dtype=int)
    conversions[[0, 2, 4, 5, 6, 50]] = [3, 1, 2, 5, 1, 9]  # ranks 1, 3, 5 in; 6, 7, 51 out
    staff = np.zeros(n, dtype=bool)
    followers: list[dict[str, int]] = [{} for _ in range(n)]
    followers[1] = {"weibo": 20_000}  # rank 2: a KOL, whatever else
    conversions[1] = 4
    staff[3] = True  # rank 4: staff, never KOC
    conversions[3] = 4
    t = assign_tiers(staff, followers, reach, conversions)
    kocs = [i for i, tier in enumerate(t.tier) if tier == "koc"]
    assert kocs == [0, 2, 4]
    assert t.tier[1] == "kol" and t.tier[3] == "employee"
    assert all(t.tier[i] == "consumer" for i in (5, 6, 50))
    # a stricter conversion rule and a wider top fraction move the line both ways
    strict = assign_tiers(staff, followers, reach, conversions, TierRules(koc_min_conversions=2))
    assert [i for i, tier in enumerate(strict.tier) if tier == "koc"] == [0, 4]
    wide = assign_tiers(staff, followers, reach, conversions, TierRules(koc_top_fraction=0.07))
    assert [i for i, tier in enumerate(wide.tier) if tier == "koc"] == [0, 2, 4, 5, 6]
    # no reach at all is never KOC, even in a tiny base where everyone is "top"
    tiny = assign_tiers([False, False], [{}, {}], [0.0, 0.0], [5, 5], TierRules(koc_top_fraction=1))
    assert tiny.tier == ("consumer", "consumer")
