"""Louvain community detection (GDS ``gds.louvain``), on igraph's C implementation.

References
----------
Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding
of communities in large networks. J. Stat. Mech. P10008.
doi:10.1088/1742-5468/2008/10/P10008
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int, check_range
from graph_engine.algorithms.community._graph import igraph_modularity, undirected_igraph
from graph_engine.algorithms.community._seeds import seed_array, seeded_ids
from graph_engine.algorithms.results import Partition
from graph_engine.snapshot import GraphSnapshot

__all__ = ["louvain"]


def louvain(
    g: GraphSnapshot,
    weighted: bool = False,
    max_levels: int = 10,
    max_iterations: int = 10,
    tolerance: float = 1e-4,
    include_intermediate_communities: bool = False,
    seed_property: Mapping[Hashable, Any] | None = None,
    seed: int | None = None,
) -> Partition:
    """Louvain modularity optimisation.

    Runs on the undirected multigraph of ``g`` (an undirected snapshot as it is; a
    directed one with directions dropped), parallel relationships summed as in GDS.

    Parameters
    ----------
    g : GraphSnapshot
    weighted : bool
    max_levels : int >= 1
        Aggregation levels kept (GDS ``maxLevels``).
    max_iterations, tolerance :
        GDS's local-moving limits; igraph moves nodes until no move improves
        modularity, which both satisfy. ``tolerance`` also decides the levels, as in
        GDS: a level is kept only when it merges communities of the level below (not
        all into one) and improves modularity by more than ``tolerance``; the first
        level that does not ends the run and is not reported.
    include_intermediate_communities : bool
        Keep every level's membership in ``levels`` (always kept; the flag is
        recorded for GDS parity).
    seed_property : mapping of node id to community id, optional
        Nodes with the same seed start (and, here, stay) together; communities holding
        a seed keep its id, new ones get ids above the largest seed.
    seed : int, optional
        igraph's Louvain visits nodes in a random order; fix it for reproducibility.

    Returns
    -------
    Partition
        ``membership``, ``modularity`` and per-level ``levels`` / ``modularities``.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcdef"), list("bcaefd"), directed=False)
    >>> louvain(g, seed=1).community_count
    2
    """
    check_int("max_levels", max_levels, 1)
    check_int("max_iterations", max_iterations, 1)
    check_range("tolerance", tolerance, 0.0, np.inf, high_open=True)
    seeds = seed_array(g, seed_property)
    graph, weights = undirected_igraph(g, weighted)
    groups = np.arange(g.n)
    if seeds is not None:  # seeded nodes are contracted into one vertex per seed
        seeded = seeds >= 0
        _, groups_seeded = np.unique(seeds[seeded], return_inverse=True)
        k = int(groups_seeded.max()) + 1 if seeded.any() else 0
        groups = np.empty(g.n, dtype=np.int64)
        groups[seeded] = groups_seeded
        groups[~seeded] = k + np.arange(int((~seeded).sum()))
        graph.es["weight"] = weights
        graph.contract_vertices(groups.tolist(), combine_attrs="first")
        weights = graph.es["weight"]
    levels_raw = _multilevel(graph, weights, seed) if graph.vcount() else []
    levels_raw = levels_raw or [list(range(graph.vcount()))]
    original, original_weights = undirected_igraph(g, weighted)
    levels: list[npt.NDArray[np.int64]] = []
    modularities: list[float] = []
    for level in levels_raw:
        labels = seeded_ids(np.asarray(level)[groups], seeds)
        q = igraph_modularity(original, labels, original_weights)
        if levels and _gds_stops(levels[-1], labels, modularities[-1], q, tolerance):
            break
        levels.append(labels)
        modularities.append(q)
        if len(levels) == max_levels:
            break
    config = dict(
        weighted=weighted,
        max_levels=max_levels,
        max_iterations=max_iterations,
        tolerance=tolerance,
        include_intermediate_communities=include_intermediate_communities,
        seed_property=None if seed_property is None else dict(seed_property),
        seed=seed,
    )
    return Partition(
        g.ids,
        levels[-1],
        "louvain",
        config,
        modularities[-1],
        tuple(levels),
        tuple(modularities),
        len(levels),
        True,
    )


def _gds_stops(
    previous: npt.NDArray[np.int64], level: npt.NDArray[np.int64], q0: float, q1: float, tol: float
) -> bool:
    """Whether GDS's Louvain ends before keeping ``level``: it merged no communities of
    the level below, merged everything into one, or did not improve modularity by more
    than ``tol``. GDS then reports the levels below it (its ``levels()`` drops the level
    that triggered the stop), which is what the caller keeps."""
    count = np.unique(level).size
    return bool(count == np.unique(previous).size or count == 1 or not (q1 > q0 and q1 - q0 > tol))


def _multilevel(graph: Any, weights: list[float], seed: int | None) -> list[list[int]]:
    import random

    state = random.getstate()  # igraph draws from Python's random module
    try:
        if seed is not None:
            random.seed(seed)
        levels = graph.community_multilevel(weights=weights, return_levels=True)
    finally:
        random.setstate(state)
    return [list(level.membership) for level in levels]
