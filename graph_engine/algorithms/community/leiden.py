"""Leiden community detection (GDS ``gds.leiden``), compiled with numba.

Each level is GDS's: fast local moving of the current nodes, refinement of every
community into well-connected sub-communities, then aggregation of the refined
communities into the nodes of the next level, which start in the communities local
moving found (Traag et al. 2019, Algorithm A.2). The kernels are in ``_kernels.py``.

References
----------
Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden:
guaranteeing well-connected communities. Scientific Reports 9, 5233.
doi:10.1038/s41598-019-41695-z
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import as_generator, check_int, check_range
from graph_engine.algorithms.community._graph import ModularityGraph, modularity_graph
from graph_engine.algorithms.community._kernels import compact, fast_local_moving, refine
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

    Runs on the undirected multigraph of ``g`` like :func:`louvain`. Each level moves
    nodes (a queue of the nodes whose neighbourhood changed), refines every community
    into well-connected parts and aggregates the parts; the partition's modularity never
    decreases from one level to the next.

    Parameters
    ----------
    g : GraphSnapshot
    weighted : bool
    gamma : float > 0
        Resolution: higher gives more, smaller communities.
    theta : float > 0
        Randomness of the refinement step: a node joins a sub-community with
        probability proportional to ``exp(gain / theta)``, the gain in edge weight.
    max_levels : int >= 1
        Upper bound on levels (each: local moving, refinement, aggregation).
    tolerance : float >= 0
        A level that improves the objective (modularity at resolution ``gamma``) by
        less than this, or finds nothing to aggregate, ends an iteration; another
        iteration then starts from the original nodes in the partition found, unless
        the last one improved the objective by at most this.
    include_intermediate_communities : bool
        Recorded for GDS parity; every level's membership is in ``levels``.
    seed_property : mapping of node id to community id, optional
        Initial communities; communities holding a seed keep its id.
    random_seed : int, optional
        Makes the run reproducible (recorded; drawn when not given).

    Returns
    -------
    Partition
        ``membership`` (the last level), ``modularity`` (at resolution 1), ``levels`` and
        ``modularities`` per level, ``ran_iterations`` (levels run) and ``did_converge``
        (stopped before ``max_levels``).

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
    rng, used_seed = as_generator(random_seed)
    graph = modularity_graph(g, weighted)
    initial = np.arange(g.n, dtype=np.int64)
    if seeds is not None:
        initial = np.where(seeds >= 0, seeds, seeds.max() + 1 + initial)
        _, initial = np.unique(initial, return_inverse=True)
    raw, qs, converged = _levels(graph, initial, gamma, theta, max_levels, tolerance, rng)
    levels = tuple(seeded_ids(level, seeds) for level in raw)
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
    return Partition(
        g.ids, levels[-1], "leiden", config, qs[-1], levels, tuple(qs), len(raw), converged
    )


def _levels(
    graph: ModularityGraph,
    initial: npt.NDArray[np.int64],
    gamma: float,
    theta: float,
    max_levels: int,
    tolerance: float,
    rng: np.random.Generator,
) -> tuple[list[npt.NDArray[np.int64]], list[float], bool]:
    """Leiden levels, at most ``max_levels``: each level's membership of the original
    nodes and modularity, and whether the run converged before ``max_levels``.

    A level that gains less than ``tolerance`` in the objective, or has nothing to
    aggregate, ends an iteration; the next iteration starts again from the original
    nodes in the partition found, unless the one that ended gained at most
    ``tolerance``, which ends the run."""
    two_m = graph.two_m
    if graph.n == 0 or two_m <= 0:
        labels = compact(initial)[0] if graph.n else initial
        return [labels], [0.0], True
    resolution = gamma / two_m
    original, membership = graph, compact(initial)[0]
    levels: list[npt.NDArray[np.int64]] = []
    qs: list[float] = []
    # the objective now, and when this iteration began: the initial partition's
    objective = start = original.quality(membership, gamma)
    iteration_starts = True
    for _ in range(max_levels):
        if iteration_starts:  # the original nodes, in a random order
            graph, node_of = original.shuffled(rng)  # node_of: original -> current node
            comm = np.empty(original.n, dtype=membership.dtype)
            comm[node_of] = membership
            iteration_starts = False
        n = graph.n
        visit = np.arange(n, dtype=np.int32)
        fast_local_moving(
            graph.indptr, graph.indices, graph.weights, graph.strength, comm, visit, resolution,
            tolerance, two_m,
        )  # fmt: skip
        comm, count = compact(comm)
        membership = comm[node_of]
        levels.append(membership)
        qs.append(graph.quality(comm))
        reached = qs[-1] if gamma == 1.0 else graph.quality(comm, gamma)
        gained, objective = reached - objective, reached
        parts = n
        if gained >= tolerance and count < n:
            refined, parts = compact(
                refine(
                    graph.indptr, graph.indices, graph.weights, graph.strength, comm,
                    visit, rng.random(n), resolution, theta,
                )
            )  # fmt: skip
        if parts == n:  # a level gained too little, or has nothing left to aggregate
            # this iteration has converged; another one, from the original nodes in the
            # partition found, runs only while the last one gained more than tolerance
            # (and more than float noise, so that tolerance 0 ends too)
            if objective - start <= max(tolerance, 1e-12):
                return levels, qs, True
            start, iteration_starts = objective, True
            continue
        lifted = np.empty(parts, dtype=np.int32)
        lifted[refined] = comm  # each part lies inside one community
        graph = graph.aggregated(refined, parts)
        node_of = refined[node_of]
        comm = lifted
    return levels, qs, False
