"""Social value in money: own + referral + influence + participation value.

Customer engagement value (Kumar et al. 2010) is what a customer is worth to a brand
beyond their own purchases: the purchases of people they bring (referral value), of
people they move (influencer value) and what their participation is worth. Here each
part is an amount in the brand's currency over the scoring window, so a marketer can
read "what is this person worth" and check the arithmetic:

- **own**: the customer's revenue (orders converted to the base currency).
- **referral**: the revenue of the people they referred who converted, first touch (a
  referee belongs to the referrer of their earliest converted referral, as the referral
  statistics count them); a referee's referees count too, discounted by
  ``referral_discount`` per generation beyond the first.
- **influence**, three parts:

  - *shares*: orders placed within ``attribution_days`` (7) after the viewer clicked or
    converted on the customer's shared content; an order goes to the sharer of the first
    such touch in the window (first touch: an order is never attributed twice, and an
    order with no touch in its window is nobody's);
  - *reach*: the expected value of their word-of-mouth reach going forward, expected
    reach (people other than themselves) x the store's measured conversion rate (the
    share of customers who bought in the window) x the average order value, per
    activation;
  - *audience*: the expected value of their external audience, followers on each
    platform x that platform's engagement rate x its conversion rate x the average
    order value, per activation (rates per platform are configurable; the defaults are
    below).
- **participation**: each engagement priced by its kind, each piece of content shared
  and each referral invitation sent at a price of its own.

The parts add up to the value. They overlap across customers by design (a referee's
purchase is their own value and their referrer's referral value), so the sum of all
customers' values is not the brand's revenue.

Reach and audience are valued over ``activations`` brand campaigns the person could
carry (default 4: one a quarter, a year of them), since a follower base is worth what it
will do, not one post.

Defaults (all configurable in the ``[value]`` section of the tier-rules TOML): engagement
rates per follower of 4.25% on Douyin (TikTok's average engagement rate by followers in
Socialinsider's 2023 benchmark of 190M posts), 0.6% on Xiaohongshu (Instagram's in the
same study, the closest format), 1.2% on Weibo and 1% elsewhere (assumptions: we found
no public benchmark for Weibo or Bilibili we could check); a conversion rate of 1% of
engaged people; participation prices (CNY) of 0.1 per like, 1 per comment or reply, 2
per check-in, 5 per survey, 0.1 for anything else, 2 per shared piece of content, 5 per
referral invitation. These are starting points for a brand to replace with its own
measurements, not truths.

References
----------
Kumar, V., Aksoy, L., Donkers, B., Venkatesan, R., Wiesel, T., & Tillmanns, S. (2010).
Undervalued or overvalued customers: capturing total customer engagement value.
*Journal of Service Research*, 13(3), 297-310. https://doi.org/10.1177/1094670510375602
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms.reach import referral_forest
from graph_engine.errors import ConfigError
from graph_engine.scoring.tiers import human

__all__ = [
    "GROUPS",
    "PARTS",
    "MoneyValue",
    "PlatformRates",
    "ValueModel",
    "explain",
    "explain_details",
    "in_currency",
    "money_value",
    "weighted_sum",
]

FloatArray = npt.NDArray[np.float64]

#: The parts of the value, in the order they add up (influence has three).
PARTS = ("own", "referral", "shares", "reach", "audience", "participation")
#: Groups of parts a weight applies to.
GROUPS = ("own", "referral", "influence", "participation")
GROUP_OF = {
    "own": "own",
    "referral": "referral",
    "shares": "influence",
    "reach": "influence",
    "audience": "influence",
    "participation": "participation",
}

DEFAULT_ENGAGEMENT_PRICES: Mapping[str, float] = MappingProxyType(
    {"like": 0.1, "comment": 1.0, "reply": 1.0, "checkin": 2.0, "survey": 5.0, "other": 0.1}
)


@dataclass(frozen=True)
class PlatformRates:
    """Engagement rate per follower and conversion rate of engaged people on a platform."""

    engagement_rate: float
    conversion_rate: float

    def __post_init__(self) -> None:
        for name in ("engagement_rate", "conversion_rate"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ConfigError(f"{name} = {value!r}: must be a number in [0, 1]")


DEFAULT_PLATFORMS: Mapping[str, PlatformRates] = MappingProxyType(
    {
        "douyin": PlatformRates(0.0425, 0.01),
        "xiaohongshu": PlatformRates(0.006, 0.01),
        "weibo": PlatformRates(0.012, 0.01),
    }
)


@dataclass(frozen=True)
class ValueModel:
    """How engagement is priced (see the module docstring for the rules and defaults).

    Attributes
    ----------
    currency : str
        The base currency every amount is converted to.
    referral_discount : float
        Weight of a referee's referees' revenue per generation beyond the first.
    engagement_prices : mapping kind -> price
        Engagements of a kind not listed are priced at ``other``'s price.
    share_price, referral_price : float
        Price of one shared piece of content, of one referral invitation.
    platforms : mapping platform -> PlatformRates
    default_platform : PlatformRates
        For platforms not listed.
    activations : float
        Campaigns the reach and audience parts are valued over.
    attribution_days : float
        How long after a click or convert on shared content an order counts for the
        sharer.
    weights : mapping part group -> float
        Multiplier of each group of parts, ``own``, ``referral``, ``influence`` (shares,
        reach and audience) and ``participation``: 1 by default; 0 prices a group at
        nothing (``influence = 0`` values people by revenue and participation alone).
    source : str
        Where the model came from (defaults, a file).
    """

    currency: str = "CNY"
    referral_discount: float = 0.5
    engagement_prices: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_ENGAGEMENT_PRICES)
    )
    share_price: float = 2.0
    referral_price: float = 5.0
    platforms: Mapping[str, PlatformRates] = field(default_factory=lambda: dict(DEFAULT_PLATFORMS))
    default_platform: PlatformRates = PlatformRates(0.01, 0.01)
    activations: float = 4.0
    attribution_days: float = 7.0
    weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 1.0))
    source: str = "defaults"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "engagement_prices", MappingProxyType(dict(self.engagement_prices))
        )
        object.__setattr__(self, "platforms", MappingProxyType(dict(self.platforms)))
        weights = {**dict.fromkeys(GROUPS, 1.0), **self.weights}
        object.__setattr__(self, "weights", MappingProxyType(weights))
        unknown = set(weights) - set(GROUPS)
        if unknown:
            raise ConfigError(f"weights: unknown group(s) {sorted(unknown)} (known: {GROUPS})")
        for name, w in weights.items():
            if isinstance(w, bool) or not isinstance(w, int | float) or w < 0:
                raise ConfigError(f"weights.{name} = {w!r}: must be a number >= 0")
        if isinstance(self.activations, bool) or not self.activations >= 0:
            raise ConfigError(f"activations = {self.activations!r}: must be a number >= 0")
        if isinstance(self.attribution_days, bool) or not self.attribution_days >= 0:
            raise ConfigError(
                f"attribution_days = {self.attribution_days!r}: must be a number >= 0"
            )
        if not 0 <= self.referral_discount <= 1:
            raise ConfigError(f"referral_discount = {self.referral_discount!r}: must be in [0, 1]")
        prices = {**self.engagement_prices, "share": self.share_price}
        prices["referral"] = self.referral_price
        for kind, price in prices.items():
            if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
                raise ConfigError(f"price of {kind!r} = {price!r}: must be a number >= 0")

    def rates(self, platform: str) -> PlatformRates:
        """The rates of ``platform`` (case-insensitive), or the default ones."""
        return self.platforms.get(platform.lower(), self.default_platform)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], currency: str = "CNY", source: str = "mapping"
    ) -> ValueModel:
        """The model of a ``[value]`` TOML table; errors name the source and key."""
        known = {"referral_discount", "engagement_prices", "share_price", "referral_price",
                 "platforms", "default_platform", "weights", "activations",
                 "attribution_days"}  # fmt: skip
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"{source}: value: unknown key(s) {sorted(unknown)}")
        try:
            platforms = dict(DEFAULT_PLATFORMS)
            for name, table in data.get("platforms", {}).items():
                platforms[str(name).lower()] = _rates(table)
            return cls(
                currency=currency,
                referral_discount=data.get("referral_discount", 0.5),
                engagement_prices={
                    **DEFAULT_ENGAGEMENT_PRICES,
                    **data.get("engagement_prices", {}),
                },
                share_price=data.get("share_price", 2.0),
                referral_price=data.get("referral_price", 5.0),
                platforms=platforms,
                default_platform=_rates(data.get("default_platform", {})),
                activations=data.get("activations", 4.0),
                attribution_days=data.get("attribution_days", 7.0),
                weights=dict(data.get("weights", {})),
                source=source,
            )
        except (ConfigError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{source}: value: {exc}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValueModel:
        """The model as :meth:`to_dict` wrote it (a run's ``config.value_model``)."""
        rest = {k: v for k, v in data.items() if k not in ("currency", "source")}
        return cls.from_mapping(
            rest, str(data.get("currency", "CNY")), str(data.get("source", "run"))
        )

    @classmethod
    def from_toml(cls, path: str | Path, currency: str = "CNY") -> ValueModel:
        """The ``[value]`` section of the tier-rules TOML file (defaults when absent)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"tier rules file {str(path)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"tier rules file {str(path)!r}: {exc}") from None
        return cls.from_mapping(data.get("value", {}), currency, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (recorded in each run's config)."""
        return {
            "currency": self.currency,
            "referral_discount": self.referral_discount,
            "engagement_prices": dict(self.engagement_prices),
            "share_price": self.share_price,
            "referral_price": self.referral_price,
            "platforms": {
                p: {"engagement_rate": r.engagement_rate, "conversion_rate": r.conversion_rate}
                for p, r in self.platforms.items()
            },
            "default_platform": {
                "engagement_rate": self.default_platform.engagement_rate,
                "conversion_rate": self.default_platform.conversion_rate,
            },
            "activations": self.activations,
            "attribution_days": self.attribution_days,
            "weights": dict(self.weights),
            "source": self.source,
        }


def _rates(table: Mapping[str, Any]) -> PlatformRates:
    unknown = set(table) - {"engagement_rate", "conversion_rate"}
    if unknown:
        raise ConfigError(f"unknown platform key(s) {sorted(unknown)}")
    return PlatformRates(table.get("engagement_rate", 0.01), table.get("conversion_rate", 0.01))


@dataclass(frozen=True, eq=False)
class MoneyValue:
    """Social value in money per customer, with the parts it adds up from.

    Attributes
    ----------
    value : ndarray
        Sum of the parts.
    parts : mapping part -> ndarray
        One array per name of :data:`PARTS`.
    conversion_rate, average_order_value : float
        The store's measured rates the reach part uses.
    model : ValueModel
    """

    value: FloatArray
    parts: Mapping[str, FloatArray]
    conversion_rate: float
    average_order_value: float
    model: ValueModel
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        total = np.sum([self.parts[p] for p in PARTS], axis=0)
        if not np.allclose(total, self.value, rtol=1e-9, atol=1e-6):
            raise ValueError("the parts of the value do not add up to it")

    def breakdown(self, i: int) -> dict[str, Any]:
        """Customer ``i``'s parts with the numbers behind them (for :func:`explain`)."""
        inputs = {k: _plain(v[i]) for k, v in self.inputs.items()}
        return {
            "currency": self.model.currency,
            "parts": {p: float(self.parts[p][i]) for p in PARTS},
            "inputs": inputs,
            "conversion_rate": self.conversion_rate,
            "average_order_value": self.average_order_value,
        }

    def stored(self, i: int) -> dict[str, Any]:
        """What a score row keeps of customer ``i``'s value: the parts
        (``value_components``) and the per-customer numbers behind them
        (``value_inputs``); the run-wide rates go once into the run
        (:meth:`run_summary`)."""
        return {
            group: {k: _plain(v[i]) for k, v in columns.items()}
            for group, columns in self.stored_columns().items()
        }

    def stored_columns(self) -> dict[str, dict[str, Any]]:
        """:meth:`stored` for every customer at once: the same keys, a column at each
        leaf."""
        return {
            "value_components": {p: np.asarray(self.parts[p], dtype=np.float64) for p in PARTS},
            "value_inputs": dict(self.inputs),
        }

    def run_summary(self) -> dict[str, Any]:
        """The run-wide numbers of the value (kept in the run's summary)."""
        return {
            "currency": self.model.currency,
            "conversion_rate": self.conversion_rate,
            "average_order_value": self.average_order_value,
        }


def in_currency(
    amounts: npt.NDArray[np.float64],
    currencies: Any,
    base: str,
    rates: dict[str, float],
) -> npt.NDArray[np.float64]:
    """Order amounts converted to the ``base`` currency with ``rates`` (units of the base
    per unit of each other currency).

    Raises
    ------
    ConfigError
        Orders in a currency without a rate (naming each currency and its order count).
    """
    if currencies is None or len(currencies) == 0:
        return amounts
    codes = np.asarray(currencies, dtype=object)
    factor = np.ones(amounts.size)
    missing: dict[str, int] = {}
    for code in sorted(set(codes.tolist()), key=str):  # one order, run after run
        if code == base:
            continue
        where = codes == code
        if code not in rates:
            missing[str(code)] = int(where.sum())
            continue
        factor[where] = rates[code]
    if missing:
        listed = ", ".join(f"{c} ({k:,} orders)" for c, k in sorted(missing.items()))
        raise ConfigError(
            f"orders in {listed} have no rate to {base}: set GRAPH_ENGINE_CURRENCY_RATES, "
            f"e.g. '{{\"{next(iter(sorted(missing)))}\": 7.1}}' (units of {base} per unit)"
        )
    return amounts * factor


def weighted_sum(n: int, index: npt.NDArray[np.int64], weights: FloatArray) -> FloatArray:
    """Per-customer sums of ``weights``, independent of the order the store returned
    them in.

    Floating-point addition is not associative: summed in read order, the same orders
    give totals that differ in the last bit between stores (SQLite and Neo4j return rows
    in different orders), enough to swap two customers' revenue ranks. Sorting by
    (customer, weight) first makes the sum a function of the multiset of rows alone.
    """
    if not index.size:
        return np.zeros(n)
    order = np.lexsort((weights, index))
    sums = np.bincount(index[order], weights=weights[order], minlength=n)[:n]
    return np.asarray(sums, dtype=np.float64)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def money_value(
    revenue: npt.ArrayLike,
    *,
    ids: Sequence[Any],
    orders: int,
    referrals: Sequence[tuple[Any, Any, str, Any, bool]],
    share_touches: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    order_events: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    expected_reach: npt.ArrayLike,
    external_followers: Sequence[Mapping[str, int]],
    engagements: tuple[npt.ArrayLike, Sequence[str]],
    shares_made: npt.ArrayLike,
    invitations: npt.ArrayLike,
    model: ValueModel | None = None,
) -> MoneyValue:
    """Every customer's social value in money (see the module docstring).

    Parameters
    ----------
    revenue : array_like
        Each customer's revenue in the window, in the base currency.
    ids : sequence
        Customer ids, aligned with ``revenue`` (to place referral rows).
    orders : int
        Orders in the window (for the average order value).
    referrals : sequence of (referrer, referee, campaign, at, converted)
        The referral log (``store.referral_rows()``).
    share_touches : (sharer index, viewer index, epoch seconds)
        Clicks and converts of viewers on each sharer's content.
    order_events : (customer index, epoch seconds, amount)
        Every order, in the base currency (for the share attribution).
    expected_reach : array_like
        Single-seed expected reach, the seed included.
    external_followers : sequence of mapping platform -> followers
    engagements : (customer index, kind)
        One entry per engagement.
    shares_made, invitations : array_like
        Pieces of content each customer shared, referral invitations each sent.
    model : ValueModel, optional

    Returns
    -------
    MoneyValue

    Examples
    --------
    >>> v = money_value([1000.0, 10000.0], ids=["kol", "buyer"], orders=2, referrals=[],
    ...                 share_touches=([], [], []), order_events=([], [], []),
    ...                 expected_reach=[1.0, 1.0],
    ...                 external_followers=[{"weibo": 300_000}, {"weibo": 300}],
    ...                 engagements=([], []), shares_made=[0, 0], invitations=[0, 0])
    >>> v.value.round(2).tolist()  # 1,000 + 300,000 x 1.2% x 1% x 5,500 x 4 campaigns
    [793000.0, 10792.0]
    """
    model = model or ValueModel()
    own = np.asarray(revenue, dtype=np.float64)
    n = own.size
    aov = float(own.sum() / orders) if orders else 0.0
    buyers = int(np.count_nonzero(own > 0))
    conversion = buyers / n if n else 0.0

    referral = _referral_value(own, ids, referrals, model.referral_discount)

    shares = _attributed(share_touches, order_events, model.attribution_days * 86_400.0, n)

    others_reached = np.maximum(np.asarray(expected_reach, dtype=np.float64) - 1.0, 0.0)
    reach = others_reached * conversion * aov * model.activations

    engaged_audience = np.zeros(n)
    for i, platforms in enumerate(external_followers):
        for platform, followers in platforms.items():
            rates = model.rates(platform)
            engaged_audience[i] += followers * rates.engagement_rate * rates.conversion_rate
    audience = engaged_audience * aov * model.activations

    who, kinds = engagements
    who = np.asarray(who, dtype=np.int64)
    other = model.engagement_prices.get("other", 0.0)
    prices = np.asarray([model.engagement_prices.get(str(k), other) for k in kinds], dtype=float)
    engagement_value = weighted_sum(n, who, prices)
    shared = np.asarray(shares_made, dtype=np.float64)
    invited = np.asarray(invitations, dtype=np.float64)
    participation = engagement_value + shared * model.share_price + invited * model.referral_price

    raw = {
        "own": own,
        "referral": referral,
        "shares": shares,
        "reach": reach,
        "audience": audience,
        "participation": participation,
    }
    parts = {p: raw[p] * model.weights[GROUP_OF[p]] for p in PARTS}
    value = np.sum([parts[p] for p in PARTS], axis=0)
    inputs = {
        "expected_reach_others": others_reached,
        "engagement_value": engagement_value,
        "shares_made": shared,
        "invitations": invited,
    }
    return MoneyValue(value, parts, conversion, aov, model, inputs)


def _attributed(
    touches: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    orders: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike],
    window: float,
    n: int,
) -> FloatArray:
    """Each sharer's attributed orders: an order of viewer v at time t goes to the sharer
    of v's first click or convert in ``[t - window, t]`` (ties by sharer index)."""
    sharer = np.asarray(touches[0], dtype=np.int64)
    viewer = np.asarray(touches[1], dtype=np.int64)
    touched = np.asarray(touches[2], dtype=np.float64)
    buyer = np.asarray(orders[0], dtype=np.int64)
    paid = np.asarray(orders[1], dtype=np.float64)
    amount = np.asarray(orders[2], dtype=np.float64)
    if not sharer.size or not buyer.size:
        return np.zeros(n)
    origin = min(float(touched.min()), float(paid.min())) - window - 1

    # one sortable integer per touch: viewer in the high bits, seconds since origin low
    def key(who: npt.NDArray[np.int64], seconds: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        return (who << 34) | np.floor(seconds - origin).astype(np.int64)

    order = np.lexsort((sharer, touched, viewer))
    keys = key(viewer[order], touched[order])
    first = np.searchsorted(keys, key(buyer, paid - window), side="left")
    last = np.searchsorted(keys, key(buyer, paid), side="right")
    hit = first < last
    owners = sharer[order][first[hit]]
    return weighted_sum(n, owners, amount[hit])


def _referral_value(
    revenue: FloatArray,
    ids: Sequence[Any],
    rows: Sequence[tuple[Any, Any, str, Any, bool]],
    discount: float,
) -> FloatArray:
    """Each referrer's referees' revenue, first touch, discounted per generation."""
    out = np.zeros(revenue.size)
    if not rows:
        return out
    index = {cid: i for i, cid in enumerate(ids)}
    forest = referral_forest(rows)
    for referee, referrer in forest.parent.items():
        j = index.get(referee)
        if j is None or revenue[j] == 0:
            continue
        weight = 1.0
        ancestor: Any = referrer
        while True:  # the referee's revenue goes up the tree, discounted per generation
            i = index.get(ancestor)
            if i is not None:
                out[i] += weight * revenue[j]
            if ancestor not in forest.parent or weight == 0:
                break
            ancestor = forest.parent[ancestor]
            weight *= discount
    return out


def explain(breakdown: Mapping[str, Any], external_followers: Mapping[str, int],
            model: ValueModel | None = None) -> list[str]:  # fmt: skip
    """One line per part of a customer's value with the numbers behind it, e.g.
    ``"¥36,000 audience: 300k weibo followers x 1.2% engagement x 1% conversion x
    ¥1,000 average order"``.

    ``breakdown`` is :meth:`MoneyValue.breakdown`'s dict (as stored in a run).
    """
    model = model or ValueModel()
    sign = "¥" if breakdown.get("currency", "CNY") == "CNY" else f"{breakdown['currency']} "
    parts = breakdown["parts"]
    inputs = breakdown.get("inputs", {})
    aov = float(breakdown.get("average_order_value", 0.0))
    rate = float(breakdown.get("conversion_rate", 0.0))

    def money(x: float) -> str:
        return f"{sign}{x:,.0f}" if abs(x) >= 100 else f"{sign}{x:,.2f}"

    total = sum(float(v) for v in parts.values())
    lines = [f"{money(total)} social value in total"]
    weighted = {g: w for g, w in model.weights.items() if w != 1}
    if weighted:
        shown = ", ".join(f"{g} x{w:g}" for g, w in weighted.items())
        lines.append(f"(parts weighted: {shown}; the amounts below are after weighting)")
    lines.append(f"{money(parts['own'])} own: their orders in the window")
    lines.append(
        f"{money(parts['referral'])} referral: orders of the people they referred "
        f"(first touch; their referees' at x{model.referral_discount:g} per generation)"
    )
    lines.append(
        f"{money(parts['shares'])} shares: orders placed within {model.attribution_days:g} days "
        "of a viewer's click or convert on their content (first touch)"
    )
    reached = float(inputs.get("expected_reach_others", 0.0))
    lines.append(
        f"{money(parts['reach'])} reach: {reached:,.1f} people expected to be reached x "
        f"{rate:.1%} conversion x {money(aov)} average order x {model.activations:g} campaigns"
    )
    if external_followers:
        terms = []
        for platform, followers in sorted(external_followers.items(), key=lambda x: -x[1]):
            r = model.rates(platform)
            terms.append(
                f"{human(followers)} {platform} followers x {r.engagement_rate:.2%} engagement "
                f"x {r.conversion_rate:.1%} conversion"
            )
        lines.append(
            f"{money(parts['audience'])} audience: ({' + '.join(terms)}) x {money(aov)} "
            f"average order x {model.activations:g} campaigns"
        )
    else:
        lines.append(f"{money(parts['audience'])} audience: no external followers")
    lines.append(
        f"{money(parts['participation'])} participation: engagements priced by kind "
        f"({money(float(inputs.get('engagement_value', 0.0)))}), "
        f"{float(inputs.get('shares_made', 0)):,.0f} shared x {money(model.share_price)}, "
        f"{float(inputs.get('invitations', 0)):,.0f} invitations x "
        f"{money(model.referral_price)}"
    )
    return lines


def explain_details(
    details: Mapping[str, Any],
    run_config: Mapping[str, Any] | None = None,
    run_summary: Mapping[str, Any] | None = None,
) -> list[str] | None:
    """:func:`explain` for a stored score's ``details`` under the value model and rates
    of the run that computed it (its ``config["value_model"]`` and
    ``summary["value"]``); None for a run from before social value was priced in money."""
    inputs = details.get("value_inputs")
    rates = (run_summary or {}).get("value")
    if not isinstance(inputs, Mapping) or not isinstance(rates, Mapping):
        return None
    stored = (run_config or {}).get("value_model")
    model = ValueModel.from_dict(stored) if isinstance(stored, Mapping) else None
    breakdown = {**rates, "parts": details["value_components"], "inputs": inputs}
    return explain(breakdown, details.get("audience_by_platform") or {}, model)
