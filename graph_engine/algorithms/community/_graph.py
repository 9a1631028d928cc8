"""Shared pieces of the community algorithms."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import edge_weights
from graph_engine.snapshot import GraphSnapshot

__all__ = ["igraph_modularity", "relabel", "undirected_igraph"]


def undirected_igraph(g: GraphSnapshot, weighted: bool):  # type: ignore[no-untyped-def]
    """igraph Graph of the snapshot as an undirected multigraph, and its weights.

    An undirected snapshot keeps each relationship once; a directed one has each of
    its relationships become one undirected edge (direction dropped, parallels kept).
    Weights: the relationship weights (negative ones as 0) or ones.
    """
    edge_weights(g, weighted)  # raises if weights are asked for but absent
    graph = g.to_igraph()
    if g.directed:
        graph.to_undirected(mode="each", combine_edges=None)
    if weighted:
        weights = [w if w > 0 else 0.0 for w in graph.es["weight"]]
    else:
        weights = [1.0] * graph.ecount()
    return graph, weights


def relabel(membership: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Community ids made canonical: each community is named by its smallest node index.

    Examples
    --------
    >>> relabel([5, 5, 2, 2, 5]).tolist()
    [0, 0, 2, 2, 0]
    """
    labels = np.asarray(membership, dtype=np.int64)
    if labels.size == 0:
        return labels
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return first[inverse].astype(np.int64)


def igraph_modularity(graph: Any, labels: npt.NDArray[np.int64], weights: list[float]) -> float:
    """Modularity computed in C on the undirected multigraph: GDS's formula there."""
    if not graph.ecount() or not sum(weights):
        return 0.0
    return float(graph.modularity(relabel(labels).tolist(), weights=weights))
