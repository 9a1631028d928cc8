"""Triangle count, triangle listing and local clustering coefficient (GDS).

References
----------
Watts, D. J., & Strogatz, S. H. (1998). Collective dynamics of 'small-world'
networks. Nature 393, 440-442. doi:10.1038/30918
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.community._graph import undirected_igraph
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["local_clustering_coefficient", "triangle_count", "triangles"]


def _simple(g: GraphSnapshot, max_degree: int | None):  # type: ignore[no-untyped-def]
    graph, _ = undirected_igraph(g, False)
    graph.simplify()
    excluded = np.zeros(g.n, dtype=bool)
    if max_degree is not None:
        check_int("max_degree", max_degree, 0)
        # GDS compares the projection's degree: every relationship of the undirected
        # multigraph, parallels each and a self-loop twice
        excluded = np.diff(g.undirected().indptr) > max_degree
        ends = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        graph.delete_edges(np.flatnonzero(excluded[ends].any(axis=1)).tolist())
    return graph, excluded


def _triangles_per_node(graph, n: int) -> npt.NDArray[np.float64]:  # type: ignore[no-untyped-def]
    corners = np.asarray(graph.list_triangles(), dtype=np.int64).ravel()
    return np.bincount(corners, minlength=n).astype(float)


def triangle_count(g: GraphSnapshot, max_degree: int | None = None) -> NodeScores:
    """Triangles each node is part of, on the undirected simple graph of ``g``.

    Parameters
    ----------
    g : GraphSnapshot
    max_degree : int, optional
        Nodes of higher degree get -1 and are left out of everyone's triangles.

    Returns
    -------
    NodeScores
        ``config["global_triangle_count"]`` holds the number of triangles.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcc"), list("bcad"))
    >>> triangle_count(g).to_dict()
    {'a': 1.0, 'b': 1.0, 'c': 1.0, 'd': 0.0}
    """
    graph, excluded = _simple(g, max_degree)
    counts = _triangles_per_node(graph, g.n)
    total = round(counts.sum() / 3)
    counts[excluded] = -1
    return NodeScores(
        g.ids, counts, "triangle_count", {"max_degree": max_degree, "global_triangle_count": total}
    )


def triangles(g: GraphSnapshot) -> list[tuple[Hashable, Hashable, Hashable]]:
    """Every triangle of the undirected simple graph, as node-id triples.

    Examples
    --------
    >>> triangles(GraphSnapshot.from_edges(list("abc"), list("bca")))
    [('a', 'b', 'c')]
    """
    graph, _ = _simple(g, None)
    ids = g.ids
    found: list[tuple[Hashable, Hashable, Hashable]] = []
    for tri in graph.list_triangles():
        a, b, c = sorted(tri)
        found.append((ids[a], ids[b], ids[c]))
    return sorted(found, key=repr)


def local_clustering_coefficient(g: GraphSnapshot) -> NodeScores:
    """``2T / (d (d - 1))`` per node of the undirected graph (0 when T = 0).

    ``T`` counts triangles of the simple graph; ``d`` counts distinct neighbours, a
    node's own self-loop included, as GDS does on a multigraph.

    ``config["average"]`` is the mean over all nodes, zeros included (GDS).

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcc"), list("bcad"))
    >>> local_clustering_coefficient(g).to_dict()["c"]
    0.3333333333333333
    """
    graph, _ = _simple(g, None)
    counts = _triangles_per_node(graph, g.n)
    d = _distinct_neighbours(g).astype(float)
    pairs = d * (d - 1)
    lcc = np.divide(2 * counts, pairs, out=np.zeros(g.n), where=pairs > 0)
    average = float(lcc.mean()) if g.n else 0.0
    return NodeScores(g.ids, lcc, "local_clustering_coefficient", {"average": average})


def _distinct_neighbours(g: GraphSnapshot) -> npt.NDArray[np.int64]:
    """Distinct neighbours of each node in the undirected graph (itself, if it has a
    self-loop)."""
    und = g.undirected()
    if not und.m:
        return np.zeros(g.n, dtype=np.int64)
    pairs = np.unique(und.sources() * np.int64(g.n) + und.indices)
    return np.bincount(pairs // g.n, minlength=g.n)
