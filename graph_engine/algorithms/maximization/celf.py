"""GDS-compatible CELF influence maximization (``gds.influenceMaximization.celf``).

Reproduces Neo4j GDS exactly, random numbers included (see ``GDS-SEMANTICS.md``):
Independent Cascade with one propagation probability; ``monte_carlo_simulations``
simulations; in simulation ``s`` the ``j``-th out-relationship (in adjacency order) of
every activated node is live when the ``j``-th ``nextDouble()`` of
``java.util.SplittableRandom(random_seed + s)`` is below the probability. The spread
counts the seeds. Each simulation is therefore a fixed live-edge world, spread is
submodular over them, and CELF's lazy evaluation (Leskovec et al. 2007) picks what
plain greedy picks; ties go to the smaller internal id (the snapshot's node order).

For real seed selection prefer :func:`~graph_engine.algorithms.maximization.select_seeds`
(certified guarantee, learned probabilities, budgets, targets): 100 simulations give
noisy spreads. This function exists so users can compare with GDS.

References
----------
Leskovec, J., Krause, A., Guestrin, C., Faloutsos, C., VanBriesen, J., & Glance, N.
(2007). Cost-effective outbreak detection in networks. KDD.
Goyal, A., Lu, W., & Lakshmanan, L. V. S. (2011). CELF++: optimizing the greedy
algorithm for influence maximization in social networks. WWW.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from graph_engine.algorithms._checks import check_int, check_range
from graph_engine.algorithms.reach import _kernels
from graph_engine.algorithms.results import NodeScores
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["CelfResult", "celf"]


@dataclass(frozen=True, eq=False)
class CelfResult:
    """GDS CELF output: seeds in pick order with their marginal spread.

    Attributes
    ----------
    seeds : tuple
    spreads : tuple of float
        Marginal gain of each seed in estimated spread (GDS's ``spread`` column).
    total_spread : float
        Sum of the gains (GDS's ``totalSpread``).
    node_count : int
    config : mapping
    """

    seeds: tuple[Hashable, ...]
    spreads: tuple[float, ...]
    total_spread: float
    node_count: int
    config: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    def to_dict(self) -> dict[Hashable, float]:
        """``{seed id: marginal spread}`` (the stream mode's rows)."""
        return dict(zip(self.seeds, self.spreads, strict=True))

    def scores(self, ids: tuple[Hashable, ...]) -> NodeScores:
        """Per-node spreads, 0.0 for non-seeds (GDS mutate / write mode)."""
        spread = self.to_dict()
        return NodeScores(ids, np.array([spread.get(i, 0.0) for i in ids]), "celf", self.config)


def celf(
    g: GraphSnapshot,
    seed_set_size: int,
    monte_carlo_simulations: int = 100,
    propagation_probability: float = 0.1,
    random_seed: int = 0,
) -> CelfResult:
    """CELF seed selection with GDS's defaults and random numbers.

    Parameters
    ----------
    g : GraphSnapshot
        Directed graph; node order = GDS internal-id order.
    seed_set_size : int
        Seeds to pick (``seedSetSize``), at most ``g.n``.
    monte_carlo_simulations : int
        ``monteCarloSimulations`` (default 100).
    propagation_probability : float
        ``propagationProbability`` (default 0.1).
    random_seed : int
        ``randomSeed`` (GDS uses 0 when omitted).

    Returns
    -------
    CelfResult

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a"], ["b", "c"])
    >>> celf(g, 1, propagation_probability=1.0).to_dict()
    {'a': 3.0}
    """
    k = check_int("seed_set_size", seed_set_size, 1)
    if k > g.n:
        raise ParameterError(f"seed_set_size = {k} exceeds the {g.n} nodes of the graph")
    mc = check_int("monte_carlo_simulations", monte_carlo_simulations, 1)
    p = check_range("propagation_probability", propagation_probability, 0.0, 1.0)
    if isinstance(random_seed, bool) or not isinstance(random_seed, int | np.integer):
        raise ParameterError(f"random_seed must be an integer, got {random_seed!r}")
    # GDS adjacency lists are sorted by target internal id
    indptr = g.indptr
    indices = np.ascontiguousarray(g.indices[np.lexsort((g.indices, g.sources()))])

    def total(nodes: list[int]) -> int:
        arr = np.array(nodes, dtype=np.int64)
        return int(_kernels.celf_world_spread(indptr, indices, p, arr, mc, np.int64(random_seed)))

    # totals are integers (active nodes summed over worlds): exact comparisons and ties
    heap = [(-total([v]), v, 0) for v in range(g.n)]
    heapq.heapify(heap)
    chosen: list[int] = []
    gains: list[int] = []
    current = 0
    while len(chosen) < k:
        neg_gain, v, fresh_at = heapq.heappop(heap)
        if fresh_at == len(chosen):
            chosen.append(v)
            gains.append(-neg_gain)
            current += -neg_gain
            continue
        gain = total([*chosen, v]) - current
        heapq.heappush(heap, (-gain, v, len(chosen)))
    spreads = tuple(x / mc for x in gains)
    return CelfResult(
        seeds=tuple(g.ids[v] for v in chosen),
        spreads=spreads,
        total_spread=sum(gains) / mc,
        node_count=g.n,
        config={
            "seed_set_size": k,
            "monte_carlo_simulations": mc,
            "propagation_probability": p,
            "random_seed": int(random_seed),
        },
    )
