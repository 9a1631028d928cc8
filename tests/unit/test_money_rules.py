"""Social value's model and explanation to the letter: every line of the explanation, each
setting's default and check (found by ``scripts/mutate``: mutants of these survived the
worked examples in ``test_money.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine.errors import ConfigError
from graph_engine.scoring.money import (
    PARTS,
    MoneyValue,
    PlatformRates,
    ValueModel,
    explain,
    explain_details,
    in_currency,
    money_value,
)
from tests.unit.test_money import value as four_customers


def test_every_line_of_an_explanation() -> None:
    model = ValueModel(
        currency="USD",
        weights={"influence": 0.5, "own": 2},
        attribution_days=3,
        activations=2,
        referral_discount=0.25,
        share_price=1.5,
        referral_price=0.75,
    )
    breakdown = {
        "currency": "USD",
        "parts": {
            "own": 1234.6,
            "referral": 50.0,
            "shares": 12.25,
            "reach": 0.5,
            "audience": 2_500_000.0,
            "participation": 99.99,
        },
        "inputs": {
            "expected_reach_others": 2.7,
            "engagement_value": 3.5,
            "shares_made": 4,
            "invitations": 2,
        },
        "conversion_rate": 0.125,
        "average_order_value": 250.0,
    }
    followers = {"bilibili": 5_000, "weibo": 2_500_000, "douyin": 25_000}
    assert explain(breakdown, followers, model) == [
        "USD 2,501,397 social value in total",
        "(parts weighted: own x2, influence x0.5; the amounts below are after weighting)",
        "USD 1,235 own: their orders in the window",
        "USD 50.00 referral: orders of the people they referred "
        "(first touch; their referees' at x0.25 per generation)",
        "USD 12.25 shares: orders placed within 3 days of a viewer's click or convert "
        "on their content (first touch)",
        "USD 0.50 reach: 2.7 people expected to be reached x 12.5% conversion x USD 250 "
        "average order x 2 campaigns",
        "USD 2,500,000 audience: (2.5M weibo followers x 1.20% engagement x 1.0% conversion"
        " + 25k douyin followers x 4.25% engagement x 1.0% conversion"
        " + 5k bilibili followers x 1.00% engagement x 1.0% conversion)"
        " x USD 250 average order x 2 campaigns",
        "USD 99.99 participation: engagements priced by kind (USD 3.50), 4 shared x USD 1.50, "
        "2 invitations x USD 0.75",
    ]


def test_an_explanation_of_nothing_uses_the_defaults() -> None:
    breakdown = {"parts": dict.fromkeys(PARTS, 0.0)}
    assert explain(breakdown, {}) == [
        "¥0.00 social value in total",
        "¥0.00 own: their orders in the window",
        "¥0.00 referral: orders of the people they referred "
        "(first touch; their referees' at x0.5 per generation)",
        "¥0.00 shares: orders placed within 7 days of a viewer's click or convert "
        "on their content (first touch)",
        "¥0.00 reach: 0.0 people expected to be reached x 0.0% conversion x ¥0.00 "
        "average order x 4 campaigns",
        "¥0.00 audience: no external followers",
        "¥0.00 participation: engagements priced by kind (¥0.00), 0 shared x ¥2.00, "
        "0 invitations x ¥5.00",
    ]


def test_explain_details_reads_the_run_and_needs_both_halves() -> None:
    parts = dict.fromkeys(PARTS, 1.0)
    details = {"value_components": parts, "value_inputs": {"shares_made": 3}}
    summary = {"value": {"currency": "EUR", "conversion_rate": 0.5, "average_order_value": 10.0}}
    lines = explain_details(details, None, summary)
    assert lines is not None
    assert lines[0] == "EUR 6.00 social value in total"
    assert lines[-1].startswith("EUR 1.00 participation: engagements priced by kind (EUR 0.00), 3")
    assert explain_details(details, None, None) is None
    assert explain_details({"value_components": parts}, None, summary) is None
    stored = {"value_model": {**ValueModel(activations=9).to_dict(), "source": "x"}}
    lines = explain_details(details, stored, summary)
    assert lines is not None and lines[4].endswith("x 9 campaigns")


# --- the model -------------------------------------------------------------------------


def test_each_setting_has_its_own_default() -> None:
    base = ValueModel()
    for key, value in [
        ("referral_discount", 0.2),
        ("share_price", 3.5),
        ("referral_price", 7.5),
        ("activations", 2.0),
        ("attribution_days", 1.5),
    ]:
        model = ValueModel.from_mapping({key: value})
        for other in ("referral_discount", "share_price", "referral_price", "activations",
                      "attribution_days"):  # fmt: skip
            expected = value if other == key else getattr(base, other)
            assert getattr(model, other) == expected, (key, other)
    model = ValueModel.from_mapping({"default_platform": {"engagement_rate": 0.5}})
    assert model.default_platform == PlatformRates(0.5, 0.01)
    assert model.rates("Myspace") == PlatformRates(0.5, 0.01)
    model = ValueModel.from_mapping({"platforms": {"Kuaishou": {"conversion_rate": 0.02}}})
    assert model.rates("KUAISHOU") == PlatformRates(0.01, 0.02)
    assert model.rates("weibo") == PlatformRates(0.012, 0.01)
    assert ValueModel.from_mapping({}).currency == "CNY"
    assert ValueModel.from_mapping({}).source == "mapping"
    with pytest.raises(TypeError):
        model.platforms["x"] = PlatformRates(0, 0)  # type: ignore[index]
    with pytest.raises(TypeError):
        model.engagement_prices["x"] = 1.0  # type: ignore[index]


def test_a_model_survives_its_dict_form() -> None:
    model = ValueModel(currency="USD", activations=3, weights={"own": 0}, source="f.toml")
    again = ValueModel.from_dict(model.to_dict())
    assert again.to_dict() == model.to_dict()
    bare = {k: v for k, v in model.to_dict().items() if k not in ("currency", "source")}
    assert (ValueModel.from_dict(bare).currency, ValueModel.from_dict(bare).source) == (
        "CNY",
        "run",
    )


def test_the_value_section_of_the_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[koc]\ntop_fraction = 0.1\n", encoding="utf-8")
    model = ValueModel.from_toml(path)
    assert (model.source, model.currency, model.share_price) == (str(path), "CNY", 2.0)
    path.write_text('[value]\nshare_price = 4.0\n[value.platforms."微博"]\nconversion_rate = 0.5\n')
    model = ValueModel.from_toml(path, currency="USD")
    assert (model.currency, model.share_price, model.rates("微博").conversion_rate) == (
        "USD",
        4.0,
        0.5,
    )
    with pytest.raises(ConfigError) as bad:
        ValueModel.from_toml(tmp_path / "none.toml")
    assert bad.value.message == f"tier rules file {str(tmp_path / 'none.toml')!r} does not exist"
    path.write_text("[value\n")
    with pytest.raises(ConfigError) as bad:
        ValueModel.from_toml(path)
    assert bad.value.message.startswith(f"tier rules file {str(path)!r}: ")
    path.write_text("[value]\nshare_price = -1\n")
    with pytest.raises(ConfigError) as bad:
        ValueModel.from_toml(path)
    assert bad.value.message == f"{path}: value: price of 'share' = -1: must be a number >= 0"


def test_lowest_allowed_values() -> None:
    model = ValueModel(
        activations=0,
        attribution_days=0,
        referral_discount=1,
        share_price=0,
        referral_price=0,
        weights=dict.fromkeys(("own", "referral", "influence", "participation"), 0),
        default_platform=PlatformRates(0, 1),
    )
    assert model.activations == 0 and model.referral_discount == 1
    assert ValueModel(referral_discount=0).referral_discount == 0
    assert PlatformRates(1, 0) == PlatformRates(1.0, 0.0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"price": 1}, "m: value: unknown key(s) ['price']"),
        (
            {"weights": {"fame": 1}},
            "m: value: weights: unknown group(s) ['fame'] "
            "(known: ('own', 'referral', 'influence', 'participation'))",
        ),
        ({"weights": {"own": -1}}, "m: value: weights.own = -1: must be a number >= 0"),
        ({"weights": {"own": True}}, "m: value: weights.own = True: must be a number >= 0"),
        ({"weights": {"own": "1"}}, "m: value: weights.own = '1': must be a number >= 0"),
        ({"activations": -1}, "m: value: activations = -1: must be a number >= 0"),
        ({"activations": True}, "m: value: activations = True: must be a number >= 0"),
        ({"attribution_days": -0.5}, "m: value: attribution_days = -0.5: must be a number >= 0"),
        ({"attribution_days": False}, "m: value: attribution_days = False: must be a number >= 0"),
        ({"referral_discount": 1.5}, "m: value: referral_discount = 1.5: must be in [0, 1]"),
        ({"referral_discount": -0.1}, "m: value: referral_discount = -0.1: must be in [0, 1]"),
        ({"share_price": True}, "m: value: price of 'share' = True: must be a number >= 0"),
        ({"referral_price": -2}, "m: value: price of 'referral' = -2: must be a number >= 0"),
        ({"referral_price": "5"}, "m: value: price of 'referral' = '5': must be a number >= 0"),
        (
            {"engagement_prices": {"like": -1}},
            "m: value: price of 'like' = -1: must be a number >= 0",
        ),
        ({"platforms": {"weibo": {"reach": 1}}}, "m: value: unknown platform key(s) ['reach']"),
        (
            {"platforms": {"weibo": {"engagement_rate": 1.5}}},
            "m: value: engagement_rate = 1.5: must be a number in [0, 1]",
        ),
        (
            {"platforms": {"weibo": {"conversion_rate": -0.1}}},
            "m: value: conversion_rate = -0.1: must be a number in [0, 1]",
        ),
        (
            {"default_platform": {"conversion_rate": True}},
            "m: value: conversion_rate = True: must be a number in [0, 1]",
        ),
        (
            {"default_platform": {"engagement_rate": "1%"}},
            "m: value: engagement_rate = '1%': must be a number in [0, 1]",
        ),
    ],
)
def test_bad_settings_are_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as bad:
        ValueModel.from_mapping(data, source="m")
    assert bad.value.message == message


def test_a_value_must_be_the_sum_of_its_parts() -> None:
    parts = {p: np.array([1.0, 2.0]) for p in PARTS}
    ok = MoneyValue(np.array([6.0, 12.0]), parts, 0.1, 50.0, ValueModel())
    assert ok.run_summary() == {
        "currency": "CNY",
        "conversion_rate": 0.1,
        "average_order_value": 50.0,
    }
    assert ok.breakdown(1) == {
        "currency": "CNY",
        "parts": dict.fromkeys(PARTS, 2.0),
        "inputs": {},
        "conversion_rate": 0.1,
        "average_order_value": 50.0,
    }
    with pytest.raises(TypeError):
        ok.parts["own"] = np.zeros(2)  # type: ignore[index]
    # a cent of 1,000,000 off is not rounding: refused
    big = {p: np.array([1e6]) for p in PARTS}
    with pytest.raises(ValueError, match=r"^the parts of the value do not add up to it$"):
        MoneyValue(np.array([6e6 + 0.01]), big, 0.1, 50.0, ValueModel())
    MoneyValue(np.array([6e6 + 1e-4]), big, 0.1, 50.0, ValueModel())  # within 1e-9 relative
    with pytest.raises(ValueError):
        MoneyValue(np.array([6.0, 12.00001]), parts, 0.1, 50.0, ValueModel())


# --- the money value's arithmetic at its edges ----------------------------------------

DAY = 86_400.0


def model_value(**overrides: Any) -> MoneyValue:
    v: MoneyValue = four_customers(**overrides)  # revenue 100 to 400
    return v


def test_rows_keep_the_numbers_behind_each_part() -> None:
    v = model_value(
        expected_reach=[3.5, 0.5, 1.0, 1.0],
        engagements=([0, 0, 2], ["like", "comment", "mystery"]),
        shares_made=[2, 0, 0, 1],
        invitations=[0, 3, 0, 0],
    )
    assert v.stored(0)["value_inputs"] == {
        "expected_reach_others": 2.5,
        "engagement_value": 1.1,
        "shares_made": 2.0,
        "invitations": 0.0,
    }
    assert v.stored(1)["value_inputs"]["expected_reach_others"] == 0.0
    assert v.stored(1)["value_inputs"]["invitations"] == 3.0
    assert v.stored(2)["value_inputs"]["engagement_value"] == 0.1  # priced as "other"


def test_kinds_without_a_price_and_without_other_are_free() -> None:
    model = ValueModel(engagement_prices={"like": 1.0})
    v = model_value(engagements=([0, 1], ["like", "poll"]), model=model)
    assert v.parts["participation"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_no_orders_means_no_average_order_and_any_revenue_makes_a_buyer() -> None:
    v = model_value(revenue=[0.5, 0.0, 0.0, 0.0], orders=0)
    assert (v.average_order_value, v.conversion_rate) == (0.0, 0.25)
    empty = money_value(
        [], ids=[], orders=0, referrals=[], share_touches=([], [], []),
        order_events=([], [], []), expected_reach=[], external_followers=[],
        engagements=([], []), shares_made=[], invitations=[],
    )  # fmt: skip
    assert (empty.average_order_value, empty.conversion_rate, empty.value.size) == (0.0, 0.0, 0)


def test_audience_adds_every_platform() -> None:
    model = ValueModel(activations=1)
    followers = [{"weibo": 100_000, "douyin": 10_000}, {}, {}, {}]
    v = model_value(external_followers=followers, model=model)
    aov = 1000.0 / 4
    engaged = 100_000 * 0.012 * 0.01 + 10_000 * 0.0425 * 0.01
    assert v.parts["audience"][0] == pytest.approx(engaged * aov, rel=1e-12)


def naive_attribution(touches: list[tuple[int, int, int]], orders: list[tuple[int, int, float]],
                      window: float, n: int) -> list[float]:  # fmt: skip
    """Each order to the sharer of the buyer's earliest touch in [t - window, t] (ties:
    the lower sharer index)."""
    out = [0.0] * n
    for buyer, paid, amount in orders:
        seen = [(t, s) for s, v, t in touches if v == buyer and paid - window <= t <= paid]
        if seen:
            out[min(seen)[1]] += amount
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 30)), max_size=12),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 30), st.integers(1, 9)), max_size=8),
    st.integers(0, 10),
)
def test_share_attribution_matches_a_direct_reading(
    touches: list[tuple[int, int, int]], orders: list[tuple[int, int, int]], days: int
) -> None:
    window = days * DAY
    t = [(s, v, int(x * DAY)) for s, v, x in touches]
    o = [(b, int(x * DAY), float(a)) for b, x, a in orders]
    v = model_value(
        share_touches=tuple(map(list, zip(*t, strict=True))) if t else ([], [], []),
        order_events=tuple(map(list, zip(*o, strict=True))) if o else ([], [], []),
        model=ValueModel(attribution_days=days),
    )
    assert v.parts["shares"].tolist() == naive_attribution(t, o, window, 4)


def test_attribution_window_edges() -> None:
    touch = ([1], [0], [1_000 * DAY])
    for delay, counted in [(0.0, True), (7 * DAY, True), (7 * DAY + 1, False), (-1.0, False)]:
        orders = ([0], [1_000 * DAY + delay], [50.0])
        v = model_value(share_touches=touch, order_events=orders)
        assert v.parts["shares"][1] == (50.0 if counted else 0.0), delay
    # touches but no orders, orders but no touches
    assert model_value(share_touches=touch).parts["shares"].sum() == 0.0
    orders = ([0], [1_000 * DAY], [50.0])
    assert model_value(order_events=orders).parts["shares"].sum() == 0.0


def test_referral_value_edges() -> None:
    T = "2026-03-01T00:00:00"
    rows = [
        ("b", "c", "x", T, True),  # c has no revenue: nothing, and the rest still counts
        ("a", "b", "x", T, True),
        ("c", "d", "x", T, True),  # three generations: a gets d's revenue at 0.5 ** 2
        ("a", "zz", "x", T, True),  # a referee outside the population: ignored
    ]
    v = model_value(revenue=[10.0, 1.0, 0.0, 100.0], referrals=rows)
    assert v.parts["referral"].tolist() == [1.0 + 0.25 * 100, 0.5 * 100, 100.0, 0.0]


def test_amounts_of_exactly_one_hundred_drop_the_cents() -> None:
    parts = {**dict.fromkeys(PARTS, 0.0), "own": 100.0, "referral": 99.99}
    lines = explain({"parts": parts}, {})
    assert lines[0] == "¥200 social value in total"
    assert lines[1] == "¥100 own: their orders in the window"
    assert lines[2].startswith("¥99.99 referral")


def test_a_rounding_error_is_not_a_mismatch() -> None:
    parts = {p: np.array([1e-7]) for p in PARTS}
    MoneyValue(np.array([0.0]), parts, 0.0, 0.0, ValueModel())  # 6e-7 off: within 1e-6


def test_currency_conversion_edges() -> None:
    amounts = np.array([10.0, 10.0, 10.0])
    assert in_currency(amounts, None, "CNY", {}) is amounts
    assert in_currency(amounts, [], "CNY", {}) is amounts
    assert in_currency(np.array([10.0]), ["USD"], "CNY", {"USD": 7.0}).tolist() == [70.0]
    converted = in_currency(amounts, ["AUD", "CNY", "USD"], "CNY", {"USD": 7.0, "AUD": 4.5})
    assert converted.tolist() == [45.0, 10.0, 70.0]
