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
        modularity, which both satisfy. Recorded in the config.
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
    levels_raw = levels_raw[:max_levels] or [list(range(graph.vcount()))]
    original, original_weights = undirected_igraph(g, weighted)
    levels, modularities = [], []
    for level in levels_raw:
        labels = seeded_ids(np.asarray(level)[groups], seeds)
        levels.append(labels)
        modularities.append(igraph_modularity(original, labels, original_weights))
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
