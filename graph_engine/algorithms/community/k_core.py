"""K-core decomposition (GDS ``gds.kcore``).

References
----------
Batagelj, V., & Zaversnik, M. (2003). An O(m) algorithm for cores decomposition of
networks. arXiv:cs/0310049. doi:10.48550/arXiv.cs/0310049
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms.reach._kernels import _jit
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["k_core"]


def k_core(g: GraphSnapshot) -> NodeScores:
    """Core number of every node of the undirected multigraph of ``g`` (GDS semantics).

    As in GDS, degrees count every relationship of the undirected projection: parallel
    relationships each count, and a self-loop counts twice and stays while its node
    does. On a simple graph this is the usual k-core decomposition.

    The result's ``config["degeneracy"]`` is the largest core number.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abca"), list("bcad"), directed=False)
    >>> k_core(g).to_dict()
    {'a': 2.0, 'b': 2.0, 'c': 2.0, 'd': 1.0}
    """
    und = g.undirected()
    core = _cores(und.indptr, und.indices).astype(float) if g.n else np.zeros(0)
    degeneracy = int(core.max()) if core.size else 0
    return NodeScores(g.ids, core, "k_core", {"degeneracy": degeneracy})


@_jit
def _cores(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    """Batagelj-Zaversnik peeling over CSR adjacency (each stored entry one unit of degree)."""
    n = indptr.size - 1
    deg = np.empty(n, dtype=np.int64)
    for v in range(n):
        deg[v] = indptr[v + 1] - indptr[v]
    top = 0
    for v in range(n):
        top = max(top, deg[v])
    start = np.zeros(top + 2, dtype=np.int64)
    for v in range(n):
        start[deg[v] + 1] += 1
    for d in range(1, top + 2):
        start[d] += start[d - 1]
    pos = np.empty(n, dtype=np.int64)
    vert = np.empty(n, dtype=np.int64)
    fill = start.copy()
    for v in range(n):
        pos[v] = fill[deg[v]]
        vert[pos[v]] = v
        fill[deg[v]] += 1
    for i in range(n):
        v = vert[i]
        for e in range(indptr[v], indptr[v + 1]):
            u = indices[e]
            if deg[u] > deg[v]:
                du = deg[u]
                pu = pos[u]
                pw = start[du]
                w = vert[pw]
                if u != w:
                    pos[u] = pw
                    vert[pu] = w
                    pos[w] = pu
                    vert[pw] = u
                start[du] += 1
                deg[u] -= 1
    return deg
