"""Social value in money: each part by hand, weights, configuration, explanation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from graph_engine.errors import ConfigError
from graph_engine.scoring.money import (
    PARTS,
    ValueModel,
    explain,
    explain_details,
    in_currency,
    money_value,
)
from graph_engine.scoring.tiers import TierRules

T = datetime(2026, 3, 1)
IDS = ["a", "b", "c", "d"]


def value(**overrides: object) -> object:
    args: dict[str, object] = {
        "ids": IDS,
        "orders": 4,
        "referrals": [],
        "share_touches": ([], [], []),
        "order_events": ([], [], []),
        "expected_reach": [1.0, 1.0, 1.0, 1.0],
        "external_followers": [{}, {}, {}, {}],
        "engagements": ([], []),
        "shares_made": [0, 0, 0, 0],
        "invitations": [0, 0, 0, 0],
    }
    args.update(overrides)
    revenue = args.pop("revenue", [100.0, 200.0, 300.0, 400.0])
    return money_value(revenue, **args)  # type: ignore[arg-type]


def test_referral_value_is_first_touch_with_later_generations_discounted() -> None:
    rows = [
        ("a", "b", "x", T, True),  # a -> b -> c: a gets b's and half of c's
        ("b", "c", "x", T.replace(day=2), True),
        ("d", "c", "x", T.replace(day=3), True),  # a later touch: not d's
        ("d", "a", "x", T.replace(day=4), False),  # not converted: nothing
    ]
    v = value(referrals=rows)
    assert v.parts["referral"].tolist() == [200 + 0.5 * 300, 300.0, 0.0, 0.0]
    half = value(referrals=rows, model=ValueModel(referral_discount=0.0))
    assert half.parts["referral"].tolist() == [200.0, 300.0, 0.0, 0.0]


def test_orders_go_to_the_first_touch_within_the_attribution_window() -> None:
    day = 86_400.0
    touches = (  # (sharer, viewer, time): clicks and converts on shared content
        [0, 1, 0, 1],
        [2, 2, 3, 3],
        [10 * day, 12 * day, 20 * day, 0.0],
    )
    orders = (  # (customer, time, amount)
        [2, 2, 3, 3, 1],
        [13 * day, 18 * day, 20 * day, 30 * day, 5 * day],
        [100.0, 50.0, 70.0, 9.0, 1000.0],
    )
    v = value(share_touches=touches, order_events=orders)
    # c's order on day 13: touches on day 10 (a) and 12 (b) are in the window, a's first;
    # c's order on day 18: only b's touch (day 12) is within 7 days; d's order on day 20
    # was placed in the second of a's touch; d's order on day 30 and b's order (no touch
    # on b) are nobody's
    assert v.parts["shares"].tolist() == [100.0 + 70.0, 50.0, 0.0, 0.0]
    longer = value(
        share_touches=touches, order_events=orders, model=ValueModel(attribution_days=10)
    )
    # with 10 days, a's day-10 touch also covers c's day-18 order and d's day-30 one
    assert longer.parts["shares"].tolist() == [100.0 + 50.0 + 70.0 + 9.0, 0.0, 0.0, 0.0]
    nothing = value(
        share_touches=touches, order_events=orders, model=ValueModel(attribution_days=0)
    )
    assert nothing.parts["shares"].tolist() == [70.0, 0.0, 0.0, 0.0]


def test_reach_and_audience_use_the_measured_rates_over_the_activations() -> None:
    v = value(
        revenue=[0.0, 1000.0, 0.0, 3000.0],
        orders=8,
        expected_reach=[11.0, 1.0, 0.5, 1.0],
        external_followers=[{"weibo": 200_000}, {"Douyin": 1000}, {"bilibili": 500}, {}],
        model=ValueModel(activations=2),
    )
    aov, conversion = 4000 / 8, 2 / 4
    assert (v.average_order_value, v.conversion_rate) == (aov, conversion)
    assert v.parts["reach"].tolist() == [10 * conversion * aov * 2, 0.0, 0.0, 0.0]
    assert v.parts["audience"] == pytest.approx(
        [
            200_000 * 0.012 * 0.01 * aov * 2,
            1000 * 0.0425 * 0.01 * aov * 2,
            500 * 0.01 * 0.01 * aov * 2,
            0,
        ]
    )


def test_participation_prices_each_action_and_unknown_kinds_as_other() -> None:
    model = ValueModel(engagement_prices={"like": 0.5, "survey": 10.0, "other": 0.25})
    v = value(
        engagements=([0, 0, 1, 3], ["like", "survey", "mystery", "like"]),
        shares_made=[2, 0, 0, 0],
        invitations=[0, 3, 0, 0],
        model=model,
    )
    assert v.parts["participation"].tolist() == [0.5 + 10 + 2 * 2.0, 0.25 + 3 * 5.0, 0.0, 0.5]


def test_the_parts_add_up_and_weights_price_a_group_at_nothing() -> None:
    args = {
        "referrals": [("a", "b", "x", T, True)],
        "share_touches": ([0], [2], [0.0]),
        "order_events": ([2], [3600.0], [300.0]),
        "expected_reach": [5.0, 1.0, 1.0, 1.0],
        "external_followers": [{"weibo": 300_000}, {}, {}, {}],
    }
    v = value(**args)
    assert np.allclose(sum(v.parts[p] for p in PARTS), v.value)
    assert v.breakdown(0)["parts"] == {p: float(v.parts[p][0]) for p in PARTS}
    off = value(**args, model=ValueModel(weights={"influence": 0}))
    assert off.parts["shares"][0] == off.parts["reach"][0] == off.parts["audience"][0] == 0
    assert off.value[0] == v.parts["own"][0] + v.parts["referral"][0] + v.parts["participation"][0]


def test_the_founding_example() -> None:
    """A ¥1,000 buyer with 300k followers outranks a ¥10,000 buyer with 300, and the
    reverse holds once influence is priced at nothing."""
    args = {
        "revenue": [1000.0, 10_000.0],
        "ids": ["kol", "buyer"],
        "orders": 2,
        "expected_reach": [1.0, 1.0],
        "external_followers": [{"weibo": 300_000}, {"weibo": 300}],
        "shares_made": [0, 0],
        "invitations": [0, 0],
    }
    v = value(**args)
    assert v.value[0] > v.value[1]
    off = value(**args, model=ValueModel(weights={"influence": 0}))
    assert off.value[1] > off.value[0]


def test_configuration_from_the_tier_rules_toml(tmp_path: object) -> None:
    path = tmp_path / "tiers.toml"  # type: ignore[operator]
    path.write_text(
        "[koc]\ntop_fraction = 0.1\n\n[value]\nreferral_discount = 0.25\nshare_price = 3\n"
        "[value.weights]\ninfluence = 0.5\n[value.engagement_prices]\nlike = 0.2\n"
        "[value.platforms.weibo]\nengagement_rate = 0.012\nconversion_rate = 0.02\n"
    )
    model = ValueModel.from_toml(path, currency="USD")
    assert model.referral_discount == 0.25 and model.share_price == 3
    assert model.weights["influence"] == 0.5 and model.weights["own"] == 1.0
    assert model.engagement_prices["like"] == 0.2 and model.engagement_prices["survey"] == 5.0
    assert model.rates("Weibo").engagement_rate == 0.012 and model.currency == "USD"
    assert ValueModel.from_dict(model.to_dict()) == model
    assert TierRules.from_toml(path).koc_top_fraction == 0.1  # the tier rules read it too
    for bad, match in [
        ({"referal_discount": 0.5}, "unknown key"),
        ({"referral_discount": 2}, "referral_discount"),
        ({"platforms": {"weibo": {"engagement_rate": 1.5}}}, "engagement_rate"),
        ({"weights": {"fame": 1}}, "unknown group"),
        ({"engagement_prices": {"like": -1}}, "price of 'like'"),
    ]:
        with pytest.raises(ConfigError, match=match):
            ValueModel.from_mapping(bad, source="tiers.toml")


def test_explanation_shows_the_arithmetic() -> None:
    v = value(
        revenue=[1000.0, 10_000.0],
        ids=["kol", "buyer"],
        orders=2,
        expected_reach=[1.0, 1.0],
        external_followers=[{"weibo": 300_000}, {"weibo": 300}],
        shares_made=[0, 0],
        invitations=[0, 0],
    )
    lines = explain(v.breakdown(0), {"weibo": 300_000})
    assert lines[0] == "¥793,000 social value in total"
    assert "¥1,000 own" in lines[1]
    audience = next(line for line in lines if " audience: " in line)
    assert audience == (
        "¥792,000 audience: (300k weibo followers x 1.20% engagement x 1.0% conversion) "
        "x ¥5,500 average order x 4 campaigns"
    )
    # as stored: the row keeps parts and inputs, the run keeps the rates and the model
    details = {**v.stored(0), "audience_by_platform": {"weibo": 300_000}}
    summary = {"value": v.run_summary()}
    assert explain_details(details, {"value_model": ValueModel().to_dict()}, summary) == lines
    run_config = {"value_model": ValueModel(weights={"influence": 0.5}).to_dict()}
    weighted = explain_details(details, run_config, summary)
    assert weighted is not None and "influence x0.5" in weighted[1]
    old_run = {"value_components": {"revenue": 0.3}}
    assert explain_details(old_run, {}, {}) is None


def test_orders_are_converted_to_the_base_currency() -> None:
    amounts = np.array([100.0, 10.0, 5.0])
    out = in_currency(amounts, np.array(["CNY", "USD", "HKD"], dtype=object), "CNY",
                      {"USD": 7.0, "HKD": 0.9})  # fmt: skip
    assert out.tolist() == [100.0, 70.0, 4.5]
    with pytest.raises(ConfigError, match=r"orders in EUR \(1 orders\), USD \(2 orders\)"):
        in_currency(np.ones(3), np.array(["USD", "EUR", "USD"], dtype=object), "CNY", {})
