"""Social value: revenue + participation + influence, percentile-normalised and blended.

Classic CRM ranks by revenue; social CRM adds what a person does for the brand
(participation) and who they move (influence). Each component is turned into a
percentile over the customer base, so yuan, event counts and reach become comparable,
then blended with configurable weights; the breakdown is kept so a marketer sees why.

Percentiles are mid-rank (ties share the average rank) over positive values; a zero
(no revenue, no activity, no reach) scores 0, so a base where most people never bought
does not hand every non-buyer a middling revenue percentile.

The influence component is a person's strongest channel: the highest percentile among
its signals (in-graph PageRank influence, expected word-of-mouth reach, audience incl.
external followers). A Weibo star with little in-network activity is influential all
the same, so a ¥1,000 buyer with 300k followers outranks a ¥10,000 buyer with 300 under
equal weights, and the weights can say otherwise.

References
----------
Kumar, V., Aksoy, L., Donkers, B., Venkatesan, R., Wiesel, T., & Tillmanns, S. (2010).
Undervalued or overvalued customers: capturing total customer engagement value.
Journal of Service Research, 13(3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

from graph_engine.errors import ParameterError

__all__ = ["COMPONENTS", "ValueScores", "percentile", "social_value"]

COMPONENTS = ("revenue", "participation", "influence")
FloatArray = npt.NDArray[np.float64]


def percentile(values: npt.ArrayLike) -> FloatArray:
    """Mid-rank percentile in [0, 1] of each positive value; 0 for values <= 0.

    Examples
    --------
    >>> percentile([0, 10, 20, 20]).round(3).tolist()
    [0.0, 0.167, 0.667, 0.667]
    """
    x = np.asarray(values, dtype=np.float64)
    out = np.zeros(x.shape)
    pos = x > 0
    if pos.any():
        ranks = rankdata(x[pos], method="average")
        out[pos] = (ranks - 0.5) / pos.sum()
    return out


@dataclass(frozen=True, eq=False)
class ValueScores:
    """Social value per customer with its breakdown.

    Attributes
    ----------
    value : ndarray
        Weighted blend in [0, 1].
    components : mapping name -> ndarray
        Percentile of revenue, participation and influence.
    signals : mapping name -> ndarray
        Percentile of each influence signal.
    weights : mapping name -> float
        Normalised weights (sum 1).
    """

    value: FloatArray
    components: Mapping[str, FloatArray]
    signals: Mapping[str, FloatArray]
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("components", "signals", "weights"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def breakdown(self, i: int) -> dict[str, Any]:
        """Customer ``i``'s components, weights and influence signals."""
        return {
            "value_components": {k: float(v[i]) for k, v in self.components.items()},
            "value_weights": dict(self.weights),
            "influence_signals": {k: float(v[i]) for k, v in self.signals.items()},
        }


def social_value(
    revenue: npt.ArrayLike,
    participation: npt.ArrayLike,
    influence_signals: Mapping[str, npt.ArrayLike],
    weights: Mapping[str, float] | None = None,
) -> ValueScores:
    """Blend percentile-normalised revenue, participation and influence.

    Parameters
    ----------
    revenue, participation : array_like
        One value per customer.
    influence_signals : mapping name -> array_like
        e.g. ``{"influence": pagerank, "expected_reach": reach, "audience": audience}``;
        the influence component is the highest of their percentiles.
    weights : mapping, optional
        Weight of ``revenue``, ``participation``, ``influence`` (default equal); they
        are normalised to sum to 1.

    Returns
    -------
    ValueScores

    Raises
    ------
    ParameterError
        Unknown or negative weights, all weights zero, arrays of different lengths.

    Examples
    --------
    >>> v = social_value([0, 100], [1, 1], {"audience": [10, 0]})
    >>> v.value.round(3).tolist()  # one leads on revenue, the other on audience
    [0.333, 0.333]
    """
    weights = dict(weights or {c: 1.0 for c in COMPONENTS})
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise ParameterError(
            f"value weights: unknown components {sorted(unknown)} (known: {', '.join(COMPONENTS)})"
        )
    for name, w in weights.items():
        if not isinstance(w, int | float) or w < 0 or not np.isfinite(w):
            raise ParameterError(f"value weights: {name} = {w!r} must be a number >= 0")
    total = sum(weights.get(c, 0.0) for c in COMPONENTS)
    if total <= 0:
        raise ParameterError("value weights: at least one weight must be > 0")
    norm = {c: weights.get(c, 0.0) / total for c in COMPONENTS}
    rev = percentile(revenue)
    n = rev.size
    part = percentile(participation)
    if part.size != n:
        raise ParameterError(f"participation has {part.size} values for {n} customers")
    if not influence_signals:
        raise ParameterError("influence_signals must name at least one signal")
    signals = {}
    for name, values in influence_signals.items():
        pct = percentile(values)
        if pct.size != n:
            raise ParameterError(f"influence signal {name!r} has {pct.size} values for {n}")
        signals[name] = pct
    infl = np.max(list(signals.values()), axis=0)
    components = {"revenue": rev, "participation": part, "influence": infl}
    value = sum(norm[c] * components[c] for c in COMPONENTS)
    return ValueScores(np.asarray(value, dtype=np.float64), components, signals, norm)
