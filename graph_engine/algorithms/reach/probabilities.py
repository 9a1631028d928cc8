"""Influence probabilities p(u, v): given, structural, or learned from the brand's data.

Everything in :mod:`~graph_engine.algorithms.reach` and
:mod:`~graph_engine.algorithms.maximization` takes ``probabilities=`` as one of

- a float: the same p on every edge (GDS CELF's ``propagationProbability``);
- ``"weighted_cascade"``: p(u, v) = 1 / in-degree(v) (Kempe et al. 2003);
- ``"trivalency"``: p drawn per edge from {0.1, 0.01, 0.001} (seeded; Chen et al. 2010);
- a numpy array aligned with the snapshot's edge order (``g.indices``);
- an :class:`InfluenceProbabilities` from :func:`learn_probabilities` (which carries the
  influence graph it was learned on).

References
----------
Kempe, D., Kleinberg, J., & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD.
Chen, W., Wang, C., & Wang, Y. (2010). Scalable influence maximization for prevalent
viral marketing in large-scale social networks. KDD.
Goyal, A., Bonchi, F., & Lakshmanan, L. V. S. (2010). Learning influence probabilities
in social networks. WSDM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import as_generator, check_range
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = [
    "InfluenceProbabilities",
    "ProbabilitySpec",
    "edge_probabilities",
    "learn_probabilities",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class InfluenceProbabilities:
    """Learned p(u, v) on an influence graph, with the evidence behind each.

    Attributes
    ----------
    graph : GraphSnapshot
        The influence graph: one edge u -> v per pair (parallel relationships merged),
        oriented the way influence flows. Use it for reach and seed selection.
    p : ndarray of float64, shape (graph.m,)
        Probability that u's action makes v act, aligned with ``graph.indices``.
    trials, successes : ndarray of int64, shape (graph.m,)
        The evidence: u's actions v could respond to (plus u's referral invites to v) and
        how many of them v acted on. ``trials == 0``: no evidence, ``p`` is the fallback.
    prior : ndarray of float64
        The prior mean each edge was shrunk toward (its fallback where no evidence).
    config : mapping
    """

    graph: GraphSnapshot
    p: FloatArray
    trials: npt.NDArray[np.int64]
    successes: npt.NDArray[np.int64]
    prior: FloatArray
    config: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("p", "trials", "successes", "prior"):
            arr = np.array(getattr(self, name))
            if arr.shape != (self.graph.m,):
                raise ParameterError(f"{name} has {arr.shape[0]} values for {self.graph.m} edges")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    @property
    def with_evidence(self) -> int:
        """Number of edges whose p rests on observed evidence."""
        return int(np.count_nonzero(self.trials))

    def to_dict(self) -> dict[tuple[Any, Any], float]:
        """``{(influencer id, influenced id): p}``."""
        ids = self.graph.ids
        src = self.graph.sources().tolist()
        dst = self.graph.indices.tolist()
        return {(ids[a], ids[b]): p for a, b, p in zip(src, dst, self.p.tolist(), strict=True)}

    def summary(self) -> dict[str, Any]:
        """Counts and the distribution of p, with and without evidence."""
        ev = self.trials > 0
        return {
            "edges": self.graph.m,
            "edges_with_evidence": int(ev.sum()),
            "mean_p": float(self.p.mean()) if self.p.size else 0.0,
            "mean_p_with_evidence": float(self.p[ev].mean()) if ev.any() else None,
            "trials": int(self.trials.sum()),
            "successes": int(self.successes.sum()),
            "config": dict(self.config),
        }


ProbabilitySpec = float | str | npt.NDArray[Any] | InfluenceProbabilities


def _structural(
    g: GraphSnapshot, kind: str, seed: int | np.random.Generator | None = 0
) -> FloatArray:
    if kind == "weighted_cascade":
        indeg = np.bincount(g.indices, minlength=g.n)
        return 1.0 / np.maximum(indeg[g.indices], 1)
    if kind == "trivalency":
        rng, _ = as_generator(seed)
        return np.asarray(rng.choice([0.1, 0.01, 0.001], size=g.m), dtype=np.float64)
    raise ParameterError(
        f"probabilities: unknown model {kind!r} (use a float, 'weighted_cascade', "
        "'trivalency', an array aligned with g.indices, or learn_probabilities(...))"
    )


def edge_probabilities(
    g: GraphSnapshot,
    probabilities: ProbabilitySpec,
    *,
    seed: int | np.random.Generator | None = 0,
) -> FloatArray:
    """Resolve ``probabilities=`` to one p per edge of ``g`` (aligned with ``g.indices``).

    Parameters
    ----------
    g : GraphSnapshot
        The influence graph (edge u -> v: u influences v).
    probabilities : float, str, ndarray or InfluenceProbabilities
        See the module docstring.
    seed : int
        Seed of the trivalency draw.

    Returns
    -------
    ndarray of float64, read-only

    Raises
    ------
    ParameterError
        Unknown model, wrong length, a value outside [0, 1] (naming the edge), or learned
        probabilities of another graph.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b"], ["c", "c"])
    >>> edge_probabilities(g, "weighted_cascade").tolist()
    [0.5, 0.5]
    """
    if isinstance(probabilities, InfluenceProbabilities):
        learned = probabilities.graph
        if learned is not g and (
            learned.ids != g.ids
            or not np.array_equal(learned.indptr, g.indptr)
            or not np.array_equal(learned.indices, g.indices)
        ):
            raise ParameterError(
                "probabilities: learned on another influence graph; pass learned.graph as the graph"
            )
        return probabilities.p
    if isinstance(probabilities, str):
        out = _structural(g, probabilities, seed)
    elif isinstance(probabilities, bool):
        raise ParameterError(f"probabilities must be a number in [0, 1], got {probabilities!r}")
    elif isinstance(probabilities, int | float | np.floating | np.integer):
        p = check_range("probabilities", float(probabilities), 0.0, 1.0)
        out = np.full(g.m, p)
    else:
        arr = np.asarray(probabilities)
        if arr.shape != (g.m,):
            raise ParameterError(
                f"probabilities: array of shape {arr.shape}, expected ({g.m},) "
                "aligned with g.indices"
            )
        if not np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_:
            raise ParameterError(f"probabilities: array of dtype {arr.dtype}, expected float")
        out = arr.astype(np.float64)
        bad = np.flatnonzero(~((out >= 0) & (out <= 1)))
        if bad.size:
            e = int(bad[0])
            src = g.ids[int(g.sources()[e])]
            dst = g.ids[int(g.indices[e])]
            raise ParameterError(
                f"probabilities[{e}] (edge {src!r} -> {dst!r}) = {out[e]!r} lies outside "
                f"[0, 1] ({bad.size} such edges)"
            )
    out.setflags(write=False)
    return out


def learn_probabilities(
    g: GraphSnapshot,
    *,
    base: float | Literal["influencer", "pooled"] = "influencer",
    prior_strength: float | Literal["auto"] = 5.0,
    fallback: float | Literal["weighted_cascade", "trivalency"] = "weighted_cascade",
    use_referrals: bool = True,
    seed: int = 0,
) -> InfluenceProbabilities:
    """Learn p(u, v) from observed word of mouth (static Bernoulli model, Beta prior).

    For every influence edge u -> v (parallel FOLLOWS / SHARED_TO / REFERRED merged):

    - trials = u's actions in the window (distinct content u shared or acted on: the node
      property ``actions``) where v follows u or saw u's shares, plus u's referral
      invites to v;
    - successes = content of u's that v clicked or converted on (edge property ``acted``),
      plus converted referrals from u to v;
    - p = (successes + s * b) / (trials + s): the Bernoulli maximum-likelihood estimate
      ``successes / trials`` of Goyal et al. (2010) shrunk toward a base rate ``b`` by a
      Beta(s b, s (1 - b)) prior of ``s = prior_strength`` pseudo-trials.

    The base is, by default, empirical Bayes at two levels: the pooled rate of all
    edges with evidence, and, under ``base="influencer"``, each influencer's own pooled
    rate shrunk toward it (a KOL whose posts reach few followers' feeds has a low rate on
    every edge). Edges without any evidence get the ``fallback``.

    Parameters
    ----------
    g : GraphSnapshot
        ``store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True, since=...,
        until=...)``: its edge properties ``relationship``, ``acted``, ``invites``,
        ``converted`` and node property ``actions`` carry the evidence of the window.
    base : {"influencer", "pooled"} or float
        Prior mean of edges with evidence.
    prior_strength : float or "auto"
        Pseudo-trials of the edge prior (0: pure maximum likelihood where there is
        evidence). "auto" (empirical Bayes) fits it by the method of moments of the
        beta-binomial: ``b (1 - b) / Var(p - b) - 1``, where the spread of true rates
        around the base is the observed spread of ``successes / trials`` less its
        binomial noise. The influencer-level prior is fitted the same way.
    fallback : float or {"weighted_cascade", "trivalency"}
        p of edges without evidence: 1 / in-degree(v) on the merged graph, a constant,
        or trivalency.
    use_referrals : bool
        Count referral invites and conversions as evidence.
    seed : int
        Seed of the trivalency fallback.

    Returns
    -------
    InfluenceProbabilities

    Raises
    ------
    ParameterError
        The snapshot lacks the evidence properties, or a parameter is out of range.
    """
    if prior_strength != "auto":
        prior_strength = check_range("prior_strength", prior_strength, 0.0, np.inf, high_open=True)
    need_edge = ("relationship", "acted", "invites", "converted")
    missing = [k for k in need_edge if k not in g.edge_properties]
    if "actions" not in g.node_properties:
        missing.append("actions (node property)")
    if missing:
        raise ParameterError(
            "learn_probabilities needs a store snapshot taken with influence=True "
            f"(missing: {', '.join(missing)})"
        )
    n = g.n
    src = g.sources()
    key = src * n + g.indices
    pairs, inverse = np.unique(key, return_inverse=True)
    acted = np.bincount(inverse, weights=g.edge_properties["acted"], minlength=pairs.size)
    invites = np.bincount(inverse, weights=g.edge_properties["invites"], minlength=pairs.size)
    converted = np.bincount(
        inverse, weights=g.edge_properties["converted"].astype(np.float64), minlength=pairs.size
    )
    graph = GraphSnapshot.from_index_edges(
        pairs // n, pairs % n, g.ids, node_properties=dict(g.node_properties)
    )
    influencer = graph.sources()
    # content reaches v through FOLLOWS / SHARED_TO; a REFERRED-only pair sees invites only
    exposed = np.bincount(
        inverse, weights=g.edge_properties["relationship"] != 2, minlength=pairs.size
    )
    actions = np.asarray(g.node_properties["actions"], dtype=np.int64)[influencer]
    trials = np.where(exposed > 0, actions, 0)
    successes = np.minimum(acted.astype(np.int64), trials)
    if use_referrals:
        trials = trials + invites.astype(np.int64)
        successes = successes + converted.astype(np.int64)
    if isinstance(fallback, str):
        prior = _structural(graph, fallback, seed)
    else:
        prior = np.full(graph.m, check_range("fallback", fallback, 0.0, 1.0))
    total_trials = int(trials.sum())
    pooled = float(successes.sum()) / total_trials if total_trials else 0.0
    if isinstance(base, str):
        if base not in ("influencer", "pooled"):
            raise ParameterError(f"base must be 'influencer', 'pooled' or a float, got {base!r}")
        rate = np.full(graph.m, pooled)
        if base == "influencer":
            s_u = np.bincount(influencer, weights=successes, minlength=n)
            t_u = np.bincount(influencer, weights=trials, minlength=n)
            strength_u = _moment_strength(s_u, t_u, np.full(n, pooled))
            rate = ((s_u + strength_u * pooled) / (t_u + strength_u))[influencer]
    else:
        rate = np.full(graph.m, check_range("base", base, 0.0, 1.0))
    has = trials > 0
    strength = (
        _moment_strength(successes[has], trials[has], rate[has])
        if prior_strength == "auto"
        else float(prior_strength)
    )
    p = prior.copy()
    p[has] = (successes[has] + strength * rate[has]) / (trials[has] + strength)
    p = np.clip(p, 0.0, 1.0)
    config = {
        "base": base,
        "pooled_rate": pooled,
        "prior_strength": prior_strength,
        "fitted_prior_strength": strength,
        "fallback": fallback,
        "use_referrals": use_referrals,
        "seed": seed,
        "model": "static Bernoulli (Goyal et al. 2010) with empirical-Bayes Beta prior",
    }
    prior_used = np.where(has, rate, prior)
    return InfluenceProbabilities(graph, p, trials, successes, prior_used, config)


def _moment_strength(
    successes: npt.NDArray[Any], trials: npt.NDArray[Any], base: npt.NDArray[Any]
) -> float:
    """Beta-binomial method-of-moments prior strength around ``base`` (in [0.5, 1e4])."""
    has = trials > 0
    if not has.any():
        return 1.0
    t = trials[has].astype(np.float64)
    b = np.clip(base[has], 1e-9, 1 - 1e-9)
    observed = float(np.mean((successes[has] / t - b) ** 2))
    noise = float(np.mean(b * (1 - b) / t))
    spread = observed - noise
    if spread <= 0:
        return 1e4
    return float(np.clip(np.mean(b * (1 - b)) / spread - 1.0, 0.5, 1e4))
