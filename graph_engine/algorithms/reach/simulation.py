"""Monte-Carlo cascade simulation: Independent Cascade and Linear Threshold.

References
----------
Kempe, D., Kleinberg, J., & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD.
Goldenberg, J., Libai, B., & Muller, E. (2001). Talk of the network: A complex systems
look at the underlying process of word-of-mouth. Marketing Letters, 12(3).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.reach import _kernels
from graph_engine.algorithms.reach._common import (
    Z95,
    check_model,
    check_seed,
    ids_of,
    kernel_seed,
    lt_check,
    node_list,
    node_mask,
    run_chunks,
)
from graph_engine.algorithms.reach.probabilities import ProbabilitySpec, edge_probabilities
from graph_engine.snapshot import GraphSnapshot

__all__ = ["SpreadEstimate", "estimate_spread"]


@dataclass(frozen=True, eq=False)
class SpreadEstimate:
    """Expected number of people a seed set reaches, with its uncertainty.

    Attributes
    ----------
    seeds : tuple
        Seed ids (duplicates removed, order kept).
    mean, std_error : float
        Estimated expected spread (seeds included) and its standard error.
    ci_low, ci_high : float
        95% confidence interval of the expected spread.
    by_hop : tuple of float
        Expected newly reached people per hop: ``by_hop[0]`` the seeds themselves,
        ``by_hop[1]`` first-degree word of mouth, ``by_hop[2]`` second degree, ...
    sizes : ndarray of int64 or None
        Size of every simulated cascade (None for RR-set estimates).
    method : str
        "monte_carlo" or "rr_sets".
    samples : int
        Simulations run, or RR sets used.
    model : str
    config : mapping
    seconds : float
    """

    seeds: tuple[Hashable, ...]
    mean: float
    std_error: float
    ci_low: float
    ci_high: float
    by_hop: tuple[float, ...]
    sizes: npt.NDArray[np.int64] | None
    method: str
    samples: int
    model: str
    config: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.sizes is not None:
            sizes = np.array(self.sizes, dtype=np.int64)
            sizes.setflags(write=False)
            object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    def size_distribution(self, bins: int = 20) -> list[tuple[float, float, int]]:
        """Histogram of cascade sizes: ``(low, high, simulations)`` per bin."""
        if self.sizes is None or self.sizes.size == 0:
            return []
        lo, hi = int(self.sizes.min()), int(self.sizes.max())
        counts, edges = np.histogram(self.sizes, bins=max(1, min(bins, hi - lo + 1)))
        return [
            (float(a), float(b), int(c))
            for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
        ]

    def quantiles(self, qs: Iterable[float] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> dict[float, float]:
        """Quantiles of the cascade size (Monte-Carlo estimates only)."""
        if self.sizes is None or self.sizes.size == 0:
            return {}
        qs = list(qs)
        return dict(zip(qs, np.quantile(self.sizes, qs).tolist(), strict=True))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (sizes as quantiles and a histogram)."""
        return {
            "seeds": list(self.seeds),
            "mean": self.mean,
            "std_error": self.std_error,
            "ci95": [self.ci_low, self.ci_high],
            "by_hop": list(self.by_hop),
            "quantiles": {str(k): v for k, v in self.quantiles().items()},
            "method": self.method,
            "samples": self.samples,
            "model": self.model,
            "config": dict(self.config),
            "seconds": self.seconds,
        }


def estimate_spread(
    g: GraphSnapshot,
    seeds: Iterable[Hashable],
    probabilities: ProbabilitySpec = "weighted_cascade",
    model: str = "ic",
    n_simulations: int = 10_000,
    seed: int | None = 0,
    *,
    targets: Iterable[Hashable] | None = None,
    max_hops: int | None = None,
) -> SpreadEstimate:
    """Expected spread of ``seeds`` by Monte-Carlo simulation of IC or LT cascades.

    Parameters
    ----------
    g : GraphSnapshot
        Influence graph (u -> v: u influences v).
    seeds : iterable of node ids
    probabilities : float, str, ndarray or InfluenceProbabilities
        See :mod:`~graph_engine.algorithms.reach.probabilities`. Under LT they are the
        edge weights; every node's in-weights must sum to at most 1.
    model : {"ic", "lt"}
    n_simulations : int
        Cascades to simulate (run in parallel chunks; the result does not depend on it).
    seed : int or None
        Every simulation ``s`` draws from its own stream of ``(seed, s)``.
    targets : iterable of node ids, optional
        Count only these people (a community, a segment).
    max_hops : int, optional
        Stop cascades after this many hops (None: no limit).

    Returns
    -------
    SpreadEstimate
        Mean with standard error and 95% CI (normal approximation over simulations),
        reach by hop and the distribution of cascade sizes.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a"], ["b", "c"])
    >>> est = estimate_spread(g, ["a"], probabilities=0.5, n_simulations=20000)
    >>> abs(est.mean - 2.0) < 4 * est.std_error
    True
    """
    started = time.perf_counter()
    model = check_model(model)
    n_simulations = check_int("n_simulations", n_simulations, 1)
    hops_limit = g.n if max_hops is None else check_int("max_hops", max_hops, 0)
    seed = check_seed(seed)
    seed_idx = node_list(g, "seeds", seeds)
    p = edge_probabilities(g, probabilities, seed=seed)
    if model == "lt":
        lt_check(g, p)
    mask = node_mask(g, "targets", targets)
    kseed = kernel_seed(seed, 1)
    indptr, indices, lt = g.indptr, g.indices, model == "lt"

    def chunk(first: int, count: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        return _kernels.simulate(
            indptr, indices, p, seed_idx, mask, first, count, kseed, hops_limit, lt
        )

    parts = run_chunks(chunk, n_simulations, max(256, -(-n_simulations // 8)))
    sizes = np.concatenate([s for s, _ in parts])
    hops = np.sum([h for _, h in parts], axis=0)
    last = int(np.flatnonzero(hops)[-1]) + 1 if hops.any() else 1
    mean = float(sizes.mean())
    se = float(sizes.std(ddof=1) / np.sqrt(n_simulations)) if n_simulations > 1 else 0.0
    return SpreadEstimate(
        seeds=ids_of(g, seed_idx),
        mean=mean,
        std_error=se,
        ci_low=mean - Z95 * se,
        ci_high=mean + Z95 * se,
        by_hop=tuple((hops[:last] / n_simulations).tolist()),
        sizes=sizes,
        method="monte_carlo",
        samples=n_simulations,
        model=model,
        config={
            "probabilities": _describe(probabilities),
            "model": model,
            "n_simulations": n_simulations,
            "seed": seed,
            "targets": None if targets is None else int(mask.sum()),
            "max_hops": max_hops,
        },
        seconds=time.perf_counter() - started,
    )


def _describe(probabilities: ProbabilitySpec) -> Any:
    """How ``probabilities`` is recorded in a result's config."""
    if isinstance(probabilities, str | int | float):
        return probabilities
    if isinstance(probabilities, np.ndarray):
        return f"array[{probabilities.shape[0]}]"
    return {"learned": dict(probabilities.config)}
