"""Louvain community detection (GDS ``gds.louvain``), compiled with numba.

Each level is GDS's: sweeps of local moving over the current nodes in a random order,
then aggregation of the communities found into the nodes of the next level. The
kernels are in ``_kernels.py``.

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

from graph_engine.algorithms._checks import as_generator, check_int, check_range
from graph_engine.algorithms.community._graph import modularity_graph
from graph_engine.algorithms.community._kernels import compact, sweep_local_moving
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
        GDS's local-moving limits: a level sweeps over its nodes at most
        ``max_iterations`` times, and stops sweeping once a sweep moves nobody or
        improves modularity by at most ``tolerance``. ``tolerance`` also decides the
        levels, as in GDS: a level is kept only when it merges communities of the level
        below (not all into one) and improves modularity by more than ``tolerance``;
        the first level that does not ends the run and is not reported.
    include_intermediate_communities : bool
        Keep every level's membership in ``levels`` (always kept; the flag is
        recorded for GDS parity).
    seed_property : mapping of node id to community id, optional
        Nodes with the same seed start (and, here, stay) together; communities holding
        a seed keep its id, new ones get ids above the largest seed.
    seed : int, optional
        Local moving visits nodes in a random order; the seed makes the run
        reproducible (recorded; drawn when not given).

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
    rng, used_seed = as_generator(seed)
    graph = modularity_graph(g, weighted)
    node_of = np.arange(g.n, dtype=np.int64)  # original node -> current node
    if seeds is not None:  # seeded nodes are contracted into one node per seed
        seeded = seeds >= 0
        _, groups_seeded = np.unique(seeds[seeded], return_inverse=True)
        k = int(groups_seeded.max()) + 1 if seeded.any() else 0
        node_of[seeded] = groups_seeded
        node_of[~seeded] = k + np.arange(int((~seeded).sum()))
        graph = graph.aggregated(node_of, k + int((~seeded).sum()))
    graph, renamed = graph.shuffled(rng)  # sweeps visit the nodes in a random order
    node_of = renamed[node_of]
    two_m = graph.two_m
    levels: list[npt.NDArray[np.int64]] = []
    modularities: list[float] = []
    while True:
        n = graph.n
        comm = np.arange(n, dtype=np.int32)
        if two_m > 0:
            sweep_local_moving(
                graph.indptr, graph.indices, graph.weights, graph.strength, comm,
                np.arange(n, dtype=np.int32), 1.0 / two_m, max_iterations, tolerance, two_m,
            )  # fmt: skip
        comm, count = compact(comm) if n else (comm, 0)
        labels = seeded_ids(comm[node_of], seeds)
        q = graph.quality(comm)
        if levels and _gds_stops(levels[-1], labels, modularities[-1], q, tolerance):
            break
        levels.append(labels)
        modularities.append(q)
        if len(levels) == max_levels or count == n:
            break
        graph = graph.aggregated(comm, count)
        node_of = comm[node_of].astype(np.int64)
    config = dict(
        weighted=weighted,
        max_levels=max_levels,
        max_iterations=max_iterations,
        tolerance=tolerance,
        include_intermediate_communities=include_intermediate_communities,
        seed_property=None if seed_property is None else dict(seed_property),
        seed=used_seed,
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
