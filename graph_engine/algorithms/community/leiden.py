"""Leiden community detection (GDS ``gds.leiden``), on igraph's C implementation.

References
----------
Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden:
guaranteeing well-connected communities. Scientific Reports 9, 5233.
doi:10.1038/s41598-019-41695-z
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np

from graph_engine.algorithms._checks import as_generator, check_int, check_range
from graph_engine.algorithms.community._graph import igraph_modularity, undirected_igraph
from graph_engine.algorithms.community._seeds import seed_array, seeded_ids
from graph_engine.algorithms.results import Partition
from graph_engine.snapshot import GraphSnapshot

__all__ = ["leiden"]


def leiden(
    g: GraphSnapshot,
    weighted: bool = False,
    gamma: float = 1.0,
    theta: float = 0.01,
    max_levels: int = 10,
    tolerance: float = 1e-4,
    include_intermediate_communities: bool = False,
    seed_property: Mapping[Hashable, Any] | None = None,
    random_seed: int | None = None,
) -> Partition:
    """Leiden modularity optimisation (resolution ``gamma``, randomness ``theta``).

    Runs on the undirected multigraph of ``g`` like :func:`louvain`, one igraph
    Leiden pass at a time, each starting from the previous partition.

    Parameters
    ----------
    g : GraphSnapshot
    weighted : bool
    gamma : float > 0
        Resolution: higher gives more, smaller communities.
    theta : float > 0
        Randomness of the refinement step (igraph's ``beta``).
    max_levels : int >= 1
        Upper bound on Leiden passes (each: local moving, refinement, aggregation).
    tolerance : float >= 0
        Stop when a pass improves modularity by less than this.
    include_intermediate_communities : bool
        Recorded; igraph reports the final level only.
    seed_property : mapping of node id to community id, optional
        Initial communities; communities holding a seed keep its id.
    random_seed : int, optional
        Makes the run reproducible (recorded; drawn when not given).

    Returns
    -------
    Partition

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcdef"), list("bcaefd"), directed=False)
    >>> leiden(g, random_seed=7).community_count
    2
    """
    check_range("gamma", gamma, 0.0, np.inf, low_open=True, high_open=True)
    check_range("theta", theta, 0.0, np.inf, low_open=True, high_open=True)
    check_int("max_levels", max_levels, 1)
    check_range("tolerance", tolerance, 0.0, np.inf, high_open=True)
    seeds = seed_array(g, seed_property)
    _, used_seed = as_generator(random_seed)
    graph, weights = undirected_igraph(g, weighted)
    initial = None
    if seeds is not None:
        initial = np.where(seeds >= 0, seeds, seeds.max() + 1 + np.arange(g.n)).tolist()
    state = random.getstate()  # igraph draws from Python's random module
    try:
        random.seed(used_seed)
        raw, passes, converged = _passes(
            graph, weights, gamma, theta, initial, max_levels, tolerance
        )
    finally:
        random.setstate(state)
    labels = seeded_ids(raw, seeds)
    q = igraph_modularity(graph, labels, weights)
    config = dict(
        weighted=weighted,
        gamma=gamma,
        theta=theta,
        max_levels=max_levels,
        tolerance=tolerance,
        include_intermediate_communities=include_intermediate_communities,
        seed_property=None if seed_property is None else dict(seed_property),
        random_seed=used_seed,
    )
    return Partition(g.ids, labels, "leiden", config, q, (labels,), (q,), passes, converged)


def _passes(
    graph: Any,
    weights: list[float],
    gamma: float,
    theta: float,
    initial: list[int] | None,
    max_levels: int,
    tolerance: float,
) -> tuple[np.ndarray, int, bool]:
    """Leiden passes (move, refine, aggregate) until the partition stops changing,
    the modularity gain of a pass is below ``tolerance``, or ``max_levels`` passes."""
    if graph.vcount() == 0:
        return np.zeros(0, dtype=np.int64), 0, True
    membership, quality = initial, -np.inf
    for done in range(1, max_levels + 1):
        result = graph.community_leiden(
            objective_function="modularity",
            weights=weights,
            resolution=gamma,
            beta=theta,
            initial_membership=membership,
            n_iterations=1,
        )
        gained = result.modularity - quality if graph.ecount() else 0.0
        unchanged = membership is not None and result.membership == membership
        membership, quality = result.membership, result.modularity
        if unchanged or gained < tolerance:
            return np.asarray(membership), done, True
    return np.asarray(membership), max_levels, False
