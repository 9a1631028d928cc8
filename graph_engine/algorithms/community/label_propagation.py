"""Label propagation (GDS ``gds.labelPropagation``).

References
----------
Raghavan, U. N., Albert, R., & Kumara, S. (2007). Near linear time algorithm to detect
community structures in large-scale networks. Physical Review E 76, 036106.
doi:10.1103/PhysRevE.76.036106
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np

from graph_engine.algorithms._checks import check_int, edge_weights, node_values
from graph_engine.algorithms.community._seeds import seed_array
from graph_engine.algorithms.results import Partition
from graph_engine.snapshot import GraphSnapshot

__all__ = ["label_propagation"]


def label_propagation(
    g: GraphSnapshot,
    weighted: bool = False,
    node_weights: Mapping[Hashable, Any] | None = None,
    max_iterations: int = 10,
    seed_property: Mapping[Hashable, Any] | None = None,
) -> Partition:
    """Label propagation with GDS's rules.

    Each node, in node order and updating in place (asynchronously), takes the label
    with the largest total vote among its **out**-neighbours, a vote being
    relationship weight × the neighbour's node weight; ties go to the smallest label;
    a node without out-neighbours keeps its label. It stops after a pass that changes
    nothing (that pass is counted) or after ``max_iterations`` passes. Initial labels:
    the seed where given, otherwise ``max seed + node index + 1`` (node index when no
    seeds).

    Parameters
    ----------
    g : GraphSnapshot
        Use ``g.undirected()`` for votes from every neighbour.
    weighted : bool
    node_weights : mapping of node id to weight, optional (default 1)
    max_iterations : int >= 1
    seed_property : mapping of node id to initial label, optional

    Returns
    -------
    Partition

    Notes
    -----
    Asynchronous updates are sequential by nature: this runs a Python loop over
    nodes (over numpy slices of their neighbours), fine to a few hundred thousand nodes.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcdef"), list("bcaefd"), directed=False)
    >>> label_propagation(g).communities() == [{"a", "b", "c"}, {"d", "e", "f"}]
    True
    """
    check_int("max_iterations", max_iterations, 1)
    seeds = seed_array(g, seed_property)
    index = np.arange(g.n, dtype=np.int64)
    labels = index.copy() if seeds is None else np.where(seeds >= 0, seeds, seeds.max() + index + 1)
    votes = edge_weights(g, weighted)
    if node_weights is not None:
        votes = votes * node_values(g, "node_weights", node_weights, fill=1.0)[g.indices]
    indptr = g.indptr.tolist()
    targets = g.indices.tolist()
    vote = votes.tolist()
    current = labels.tolist()
    ran, converged = max_iterations, False
    for iteration in range(1, max_iterations + 1):
        changed = False
        for v in range(g.n):
            lo, hi = indptr[v], indptr[v + 1]
            if lo == hi:
                continue
            tally: dict[int, float] = {}
            for e in range(lo, hi):
                label = current[targets[e]]
                tally[label] = tally.get(label, 0.0) + vote[e]
            best = max(tally.values())
            winner = min(label for label, total in tally.items() if total == best)
            if winner != current[v]:
                current[v] = winner
                changed = True
        if not changed:
            ran, converged = iteration, True
            break
    config = dict(
        weighted=weighted,
        max_iterations=max_iterations,
        node_weights=None if node_weights is None else dict(node_weights),
        seed_property=None if seed_property is None else dict(seed_property),
    )
    return Partition(
        g.ids,
        np.asarray(current, dtype=np.int64),
        "label_propagation",
        config,
        None,
        (),
        (),
        ran,
        converged,
    )
