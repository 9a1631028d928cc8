"""Triangle count, triangle listing and local clustering coefficient (GDS), compiled.

Counted with the forward algorithm over the snapshot's CSR arrays (each edge kept from
its lower-ranked end, rank by degree, so a triangle is found once from its lowest
corner, in ``O(m^1.5)``), with no conversion to another library's graph.

References
----------
Watts, D. J., & Strogatz, S. H. (1998). Collective dynamics of 'small-world'
networks. Nature 393, 440-442. doi:10.1038/30918
Schank, T., & Wagner, D. (2005). Finding, counting and listing all triangles in large
graphs, an experimental study. WEA 2005, LNCS 3503, 606-609. doi:10.1007/11427186_54
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.reach._kernels import _jit
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["local_clustering_coefficient", "triangle_count", "triangles"]


def _forward(g: GraphSnapshot, max_degree: int | None) -> tuple[Any, Any, Any]:
    """The undirected simple graph of ``g`` (no self-loops, one entry per neighbour),
    without the nodes of degree over ``max_degree``, each edge kept once from its
    lower-ranked end (rank: degree, then index), and which nodes were left out."""
    und = g.undirected()
    excluded = np.zeros(g.n, dtype=bool)
    if max_degree is not None:
        check_int("max_degree", max_degree, 0)
        # GDS compares the projection's degree: every relationship of the undirected
        # multigraph, parallels each and a self-loop twice
        excluded = np.diff(und.indptr) > max_degree
    src, dst = und.sources(), und.indices
    keep = src != dst
    keep[1:] &= (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])  # sorted: parallels adjacent
    keep &= ~excluded[src] & ~excluded[dst]
    src, dst = src[keep], dst[keep]
    degree = np.bincount(src, minlength=g.n)
    rank = np.empty(g.n, dtype=np.int64)
    rank[np.lexsort((np.arange(g.n), degree))] = np.arange(g.n)
    up = rank[src] < rank[dst]
    src, dst = src[up], dst[up]
    indptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=g.n), out=indptr[1:])
    return indptr, dst.astype(np.int32), excluded  # still sorted by source


@_jit
def _walk(
    indptr: np.ndarray, indices: np.ndarray, corners: np.ndarray
) -> np.ndarray:  # pragma: no cover - numba
    """Triangles at each node of a forward adjacency (each edge once, low rank to high):
    every triangle is found once, from its lowest-ranked corner, and written as a row
    of ``corners`` while rows remain (pass an empty array to count only)."""
    n = indptr.size - 1
    counts = np.zeros(n)
    mark = np.full(n, -1, dtype=np.int64)
    found = 0
    for u in range(n):
        for e in range(indptr[u], indptr[u + 1]):
            mark[indices[e]] = u
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            for f in range(indptr[v], indptr[v + 1]):
                x = indices[f]
                if mark[x] == u:
                    counts[u] += 1
                    counts[v] += 1
                    counts[x] += 1
                    if found < corners.shape[0]:
                        corners[found, 0] = u
                        corners[found, 1] = v
                        corners[found, 2] = x
                    found += 1
    return counts


def _triangles_per_node(g: GraphSnapshot, max_degree: int | None) -> tuple[Any, Any]:
    """Triangles at each node, and which nodes ``max_degree`` left out."""
    indptr, indices, excluded = _forward(g, max_degree)
    return _walk(indptr, indices, np.empty((0, 3), dtype=np.int64)), excluded


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
    counts, excluded = _triangles_per_node(g, max_degree)
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
    indptr, indices, _ = _forward(g, None)
    counts = _walk(indptr, indices, np.empty((0, 3), dtype=np.int64))  # to size the list
    corners = np.empty((round(counts.sum() / 3), 3), dtype=np.int64)
    _walk(indptr, indices, corners)
    corners = np.sort(corners, axis=1)
    ids = g.ids
    found = [(ids[a], ids[b], ids[c]) for a, b, c in corners.tolist()]
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
    counts, _ = _triangles_per_node(g, None)
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
