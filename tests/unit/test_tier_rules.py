"""The tier rules to the letter: every reason a customer can be given, the boundaries of
each condition, and the rules file's checks (found by ``scripts/mutate``: mutants of these
survived the broader scoring tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_engine.errors import ConfigError, ParameterError
from graph_engine.scoring.tiers import DEFAULT_LEVELS, TierRules, assign_tiers, human
from graph_engine.scoring.value import percentile, social_value


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (950, "950"),
        (999, "999"),
        (12.5, "12.5"),
        (999.4, "999"),
        (999.5, "1k"),
        (1_000, "1k"),
        (1_001, "1k"),
        (12_345, "12.3k"),
        (132_000, "132k"),
        (999_499, "999k"),
        (999_999, "1M"),
        (1_000_000, "1M"),
        (1_200_000, "1.2M"),
        (25_300_000, "25.3M"),
    ],
)
def test_human_numbers(n: float, shown: str) -> None:
    assert human(n) == shown


def one(followers: dict[str, int], *, staff: bool = False, rules: TierRules | None = None) -> Any:
    t = assign_tiers([staff], [followers], [0.0], [0], rules)
    return t.tier[0], t.level[0], t.reason[0]


@pytest.mark.parametrize(
    ("followers", "expected"),
    [
        ({}, ("consumer", None, "no audience or reach yet → consumer")),
        (
            {"weibo": 999},
            ("consumer", None, "external audience 999 below the KOL threshold → consumer"),
        ),
        ({"douyin": 1_000}, ("kol", "nano", "external audience 1k on douyin → nano KOL")),
        ({"douyin": 9_999}, ("kol", "nano", "external audience 10k on douyin → nano KOL")),
        ({"douyin": 10_000}, ("kol", "micro", "external audience 10k on douyin → micro KOL")),
        ({"douyin": 1_000_000}, ("kol", "mega", "external audience 1M on douyin → mega KOL")),
        # same level on two platforms: the larger audience names it, whatever the order
        ({"a": 5_000, "b": 2_000}, ("kol", "nano", "external audience 5k on a → nano KOL")),
        ({"a": 2_000, "b": 5_000}, ("kol", "nano", "external audience 5k on b → nano KOL")),
        # a tie on level and audience: the first platform by name
        ({"b": 3_000, "a": 3_000}, ("kol", "nano", "external audience 3k on a → nano KOL")),
        # the total only names the level when it is higher than every platform's
        (
            {"a": 6_000, "b": 6_000},
            ("kol", "micro", "external audience 12k across 2 platforms → micro KOL"),
        ),
        (
            {"a": 600, "b": 600},
            ("kol", "nano", "external audience 1.2k across 2 platforms → nano KOL"),
        ),
        ({"a": 1, "b": 999}, ("kol", "nano", "external audience 1k across 2 platforms → nano KOL")),
        # platforms with no followers are not platforms the person is on
        (
            {"a": 600, "b": 600, "c": 0},
            ("kol", "nano", "external audience 1.2k across 2 platforms → nano KOL"),
        ),
        ({"a": 0}, ("consumer", None, "no audience or reach yet → consumer")),
    ],
)
def test_kol_levels_and_reasons(followers: dict[str, int], expected: tuple[Any, ...]) -> None:
    assert one(followers) == expected


def test_per_platform_thresholds_decide_the_level_before_the_audience() -> None:
    rules = TierRules(platform_levels={"b": (20_000, 50_000, 100_000, 500_000, 1_000_000)})
    # 30k on b is only nano there; 15k on a is micro by the defaults: a wins
    assert one({"a": 15_000, "b": 30_000}, rules=rules) == (
        "kol",
        "micro",
        "external audience 15k on a → micro KOL",
    )
    assert one({"B": 20_000}, rules=rules)[1] == "nano"  # platform names are case-blind
    assert one({"b": 19_999}, rules=rules)[0] == "consumer"
    assert rules.level(20_000, "b") == 0 and rules.level(19_999, "b") == -1
    assert rules.level(1_000, None) == 0 and rules.level(999, None) == -1


@pytest.mark.parametrize(
    ("followers", "reason"),
    [
        ({}, "marked as staff → employee"),
        (
            {"weibo": 300_000},
            "marked as staff → employee; external audience 300k, not classed as KOL",
        ),
    ],
)
def test_staff_are_employees_whatever_their_audience(
    followers: dict[str, int], reason: str
) -> None:
    assert one(followers, staff=True) == ("employee", None, reason)


def test_koc_needs_top_reach_positive_reach_and_conversions() -> None:
    # 40 customers; reach 40, 39, ..., 1: customer i is in the top (i + 1) / 40
    n = 40
    reach = [float(n - i) for i in range(n)]
    conversions = [1, 0, 3, 2] + [5] * (n - 4)
    t = assign_tiers([False] * n, [{}] * n, reach, conversions, TierRules(koc_top_fraction=0.05))
    assert t.tier[:4] == ("koc", "consumer", "consumer", "consumer")
    assert (
        t.reason[0] == "top 3% expected word-of-mouth reach (40 people), 1 proven conversions → KOC"
    )
    assert t.reason[1] == "top 5% reach but 0 proven conversions → consumer"
    # 3 / 40 = 7.5%: outside the top 5% whatever the conversions
    assert t.reason[2] == "expected reach in the top 8%, not the top 5% → consumer"
    assert t.counts() == {"koc": 1, "consumer": 39}


def test_koc_boundaries() -> None:
    # exactly at the fraction is inside; conversions at the minimum are enough
    rules = TierRules(koc_top_fraction=0.5, koc_min_conversions=2)
    t = assign_tiers([False] * 4, [{}] * 4, [4.0, 3.0, 2.0, 1.0], [2, 2, 2, 2], rules)
    assert t.tier == ("koc", "koc", "consumer", "consumer")
    t = assign_tiers([False] * 4, [{}] * 4, [4.0, 3.0, 2.0, 1.0], [1, 2, 2, 2], rules)
    assert t.tier == ("consumer", "koc", "consumer", "consumer")
    assert t.reason[0] == "top 25% reach but 1 proven conversions → consumer"
    # a minimum of 0 still needs one proven conversion
    rules = TierRules(koc_top_fraction=1.0, koc_min_conversions=0)
    t = assign_tiers([False] * 2, [{}] * 2, [0.5, 0.25], [0, 1], rules)
    assert t.tier == ("consumer", "koc")
    assert t.reason == (
        "top 50% reach but 0 proven conversions → consumer",
        "top 100% expected word-of-mouth reach (0.25 people), 1 proven conversions → KOC",
    )


def test_no_reach_is_never_koc() -> None:
    rules = TierRules(koc_top_fraction=1.0)
    t = assign_tiers([False], [{}], [0.0], [3], rules)
    assert t.tier == ("consumer",)
    assert t.reason == ("no audience or reach yet → consumer",)


def test_one_customer_is_the_whole_population() -> None:
    t = assign_tiers([False], [{"weibo": 10}], [2.0], [1])
    assert t.reason == (
        "external audience 10 below the KOL threshold; "
        "expected reach in the top 100%, not the top 5% → consumer",
    )


def test_ties_in_reach_share_a_place_whatever_the_order() -> None:
    # 21 customers with the same reach are all in the top 100%, none in the top 5%
    n = 21
    t = assign_tiers([False] * n, [{}] * n, [3.0] * n, [1] * n)
    assert set(t.tier) == {"consumer"}
    reach = [3.0] * 20 + [9.0]
    t = assign_tiers([False] * n, [{}] * n, reach, [1] * n)
    assert t.tier.count("koc") == 1 and t.tier[-1] == "koc"


def test_inputs_of_any_numeric_type() -> None:
    t = assign_tiers([0, 1], [{}, {}], [5, 1], [2.0, 0])
    assert t.tier == ("consumer", "employee")
    assert t.reason[0] == "expected reach in the top 50%, not the top 5% → consumer"


def test_inputs_must_have_one_length() -> None:
    with pytest.raises(ConfigError) as bad:
        assign_tiers([False, False], [{}], [1.0, 2.0], [0, 0])
    assert bad.value.message == "assign_tiers: inputs have different lengths"


# --- the rules file --------------------------------------------------------------------


def test_rules_to_dict_records_every_threshold() -> None:
    rules = TierRules.from_mapping(
        {
            "kol": {"levels": {"nano": 500}, "platforms": {"Weibo": {"nano": 2_000}}},
            "koc": {"top_fraction": 0.1, "min_conversions": 2},
        },
        source="rules.toml",
    )
    assert rules.to_dict() == {
        "levels": {
            "nano": 500,
            "micro": 10_000,
            "mid": 50_000,
            "macro": 500_000,
            "mega": 1_000_000,
        },
        "platforms": {
            "weibo": {
                "nano": 2_000,
                "micro": 10_000,
                "mid": 50_000,
                "macro": 500_000,
                "mega": 1_000_000,
            }
        },
        "koc_top_fraction": 0.1,
        "koc_min_conversions": 2,
        "source": "rules.toml",
    }
    with pytest.raises(TypeError):
        rules.platform_levels["x"] = DEFAULT_LEVELS  # type: ignore[index]


def test_each_koc_setting_has_its_own_default() -> None:
    only_top = TierRules.from_mapping({"koc": {"top_fraction": 0.2}})
    assert (only_top.koc_top_fraction, only_top.koc_min_conversions) == (0.2, 1)
    only_min = TierRules.from_mapping({"koc": {"min_conversions": 3}})
    assert (only_min.koc_top_fraction, only_min.koc_min_conversions) == (0.05, 3)
    nothing = TierRules.from_mapping({})
    assert nothing.to_dict()["source"] == "mapping"
    assert nothing.levels == DEFAULT_LEVELS


def test_lowest_allowed_values() -> None:
    rules = TierRules.from_mapping(
        {"kol": {"levels": {"nano": 1}}, "koc": {"top_fraction": 1, "min_conversions": 0}}
    )
    assert (rules.levels[0], rules.koc_top_fraction, rules.koc_min_conversions) == (1, 1.0, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tiers": {}}, "r.toml: unknown section(s) ['tiers'] (known: kol, koc, value)"),
        ({"kol": {"levels": 5}}, "r.toml: kol.levels: expected a table of level thresholds, got 5"),
        (
            {"kol": {"levels": {"giga": 5}}},
            "r.toml: kol.levels: unknown level(s) ['giga'] "
            "(known: ('nano', 'micro', 'mid', 'macro', 'mega'))",
        ),
        (
            {"kol": {"levels": {"nano": 0}}},
            "r.toml: kol.levels.nano = 0: must be a positive integer",
        ),
        (
            {"kol": {"levels": {"micro": True}}},
            "r.toml: kol.levels.micro = True: must be a positive integer",
        ),
        (
            {"kol": {"levels": {"mid": 2.5}}},
            "r.toml: kol.levels.mid = 2.5: must be a positive integer",
        ),
        (
            {"kol": {"levels": {"micro": 1_000}}},
            "r.toml: kol.levels: thresholds must increase nano < micro < ... < mega",
        ),
        (
            {"kol": {"platforms": {"Weibo": {"mega": 0}}}},
            "r.toml: kol.platforms.Weibo.mega = 0: must be a positive integer",
        ),
        ({"koc": {"top_fraction": "5%"}}, "r.toml: koc.top_fraction = '5%' is not a number"),
        ({"koc": {"top_fraction": True}}, "r.toml: koc.top_fraction = True is not a number"),
        ({"koc": {"top_fraction": 0}}, "r.toml: koc.top_fraction = 0.0: must be in (0, 1]"),
        ({"koc": {"top_fraction": 1.5}}, "r.toml: koc.top_fraction = 1.5: must be in (0, 1]"),
        ({"koc": {"min_conversions": 1.5}}, "r.toml: koc.min_conversions = 1.5 is not an integer"),
        (
            {"koc": {"min_conversions": False}},
            "r.toml: koc.min_conversions = False is not an integer",
        ),
        ({"koc": {"min_conversions": -1}}, "r.toml: koc.min_conversions = -1: must be >= 0"),
    ],
)
def test_bad_rules_are_named_by_file_and_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as bad:
        TierRules.from_mapping(data, source="r.toml")
    assert bad.value.message == message


def test_rules_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    with pytest.raises(ConfigError) as bad:
        TierRules.from_toml(missing)
    assert bad.value.message == f"tier rules file {str(missing)!r} does not exist"
    broken = tmp_path / "broken.toml"
    broken.write_text("[kol\n")
    with pytest.raises(ConfigError) as bad:
        TierRules.from_toml(broken)
    assert bad.value.message.startswith(f"tier rules file {str(broken)!r}: ")
    utf8 = tmp_path / "rules.toml"
    utf8.write_bytes('# 微博 thresholds\n[kol.platforms."微博"]\nnano = 2000\n'.encode())
    rules = TierRules.from_toml(utf8)
    assert rules.platform_levels["微博"][0] == 2_000
    assert rules.source == str(utf8)


def test_rules_need_one_threshold_per_level() -> None:
    with pytest.raises(ConfigError) as bad:
        TierRules(levels=(1, 2, 3))
    assert bad.value.message == (
        "kol.levels: 3 thresholds, want one per level ('nano', 'micro', 'mid', 'macro', 'mega')"
    )
    with pytest.raises(ConfigError) as bad:
        TierRules(platform_levels={"weibo": (1, 2, 3, 4, 5, 6)})
    assert bad.value.message.startswith("kol.platforms.weibo: 6 thresholds, want one per level")


def test_percentages_round_up_and_start_at_one() -> None:
    # 200 customers: the first is in the top 0.5%, shown as the top 1%
    n = 200
    reach = [float(n - i) for i in range(n)]
    conversions = [2.0, 0.0] + [0.0] * (n - 2)
    t = assign_tiers([False] * n, [{}] * n, reach, conversions)
    assert (
        t.reason[0]
        == "top 1% expected word-of-mouth reach (200 people), 2 proven conversions → KOC"
    )
    assert t.reason[1] == "top 1% reach but 0 proven conversions → consumer"
    assert t.reason[2] == "top 2% reach but 0 proven conversions → consumer"
    assert t.reason[11] == "expected reach in the top 6%, not the top 5% → consumer"


def test_millions_keep_three_digits() -> None:
    assert human(2_005_001) == "2.01M"
    assert human(999_999_999) == "1000M"


# --- the percentile blend (social_value_rank) ------------------------------------------


def test_percentiles_of_small_positive_values_and_ties() -> None:
    # zero stays zero; positive values rank by the midpoint rule, ties share a rank
    assert percentile([0.5, 0.0, 2.0, 2.0]).tolist() == [1 / 6, 0.0, 2 / 3, 2 / 3]
    assert percentile([0.25]).tolist() == [0.5]
    assert percentile([3, 1, 2]).tolist() == [5 / 6, 1 / 6, 0.5]


def test_blend_weights_are_normalised_and_kept() -> None:
    v = social_value(
        [0.0, 10.0], [0.0, 0.0], {"audience": [5.0, 0.0]}, {"revenue": 3, "influence": 1}
    )
    assert dict(v.weights) == {"revenue": 0.75, "participation": 0.0, "influence": 0.25}
    assert v.value.tolist() == [0.25 * 0.5, 0.75 * 0.5]
    assert v.breakdown(0) == {
        "value_components": {"revenue": 0.0, "participation": 0.0, "influence": 0.5},
        "value_weights": {"revenue": 0.75, "participation": 0.0, "influence": 0.25},
        "influence_signals": {"audience": 0.5},
    }
    equal = social_value([1.0], [1.0], {"a": [1.0]})
    assert dict(equal.weights) == dict.fromkeys(("revenue", "participation", "influence"), 1 / 3)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {"loyalty": 1.0},
            "value weights: unknown components ['loyalty'] "
            "(known: revenue, participation, influence)",
        ),
        ({"revenue": -1.0}, "value weights: revenue = -1.0 must be a number >= 0"),
        ({"revenue": float("inf")}, "value weights: revenue = inf must be a number >= 0"),
        ({"revenue": "1"}, "value weights: revenue = '1' must be a number >= 0"),
        ({"revenue": 0.0}, "value weights: at least one weight must be > 0"),
    ],
)
def test_blend_weight_errors(weights: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError) as bad:
        social_value([1.0], [1.0], {"a": [1.0]}, weights)
    assert bad.value.message == message


def test_blend_input_errors() -> None:
    with pytest.raises(ParameterError) as bad:
        social_value([1.0, 2.0], [1.0], {"a": [1.0, 2.0]})
    assert bad.value.message == "participation has 1 values for 2 customers"
    with pytest.raises(ParameterError) as bad:
        social_value([1.0], [1.0], {})
    assert bad.value.message == "influence_signals must name at least one signal"
    with pytest.raises(ParameterError) as bad:
        social_value([1.0], [1.0], {"reach": [1.0, 2.0]})
    assert bad.value.message == "influence signal 'reach' has 2 values for 1"
