"""Node similarity (GDS ``gds.nodeSimilarity``): Jaccard over out-neighbour sets.

References
----------
Jaccard, P. (1901). Étude comparative de la distribution florale dans une portion des
Alpes et des Jura. Bulletin de la Société Vaudoise des Sciences Naturelles 37, 547-579.
doi:10.5169/seals-266450
Ioffe, S. (2010). Improved consistent sampling, weighted minhash and L1 sketching.
ICDM. doi:10.1109/ICDM.2010.80 (weighted Jaccard)
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph_engine.algorithms._checks import check_int, check_range, edge_weights
from graph_engine.algorithms.reach._kernels import _jit
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["SimilarityPairs", "node_similarity"]


@dataclass(frozen=True)
class SimilarityPairs:
    """Directed pairs ``(node1, node2, similarity)``, most similar first."""

    pairs: tuple[tuple[Hashable, Hashable, float], ...]
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[tuple[Hashable, Hashable], float]:
        """``{(node1, node2): similarity}``."""
        return {(a, b): s for a, b, s in self.pairs}


def node_similarity(
    g: GraphSnapshot,
    top_k: int = 10,
    bottom_k: int | None = None,
    top_n: int | None = None,
    degree_cutoff: int = 1,
    upper_degree_cutoff: int | None = None,
    similarity_cutoff: float = 1e-42,
    weighted: bool = False,
) -> SimilarityPairs:
    """Jaccard (or weighted Jaccard ``Σ min / Σ max``) similarity of out-neighbour sets.

    Only nodes whose out-degree lies in ``[degree_cutoff, upper_degree_cutoff]`` are
    compared. Each node keeps its ``top_k`` most similar others (or, with
    ``bottom_k``, its least similar), at least ``similarity_cutoff`` (inclusive);
    ``top_n`` then keeps the best pairs overall. Each unordered pair appears in both
    directions.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a", "b"], ["x", "y", "x"])
    >>> node_similarity(g).pairs
    (('a', 'b', 0.5), ('b', 'a', 0.5))
    """
    check_int("top_k", top_k, 1)
    if bottom_k is not None:
        check_int("bottom_k", bottom_k, 1)
    if top_n is not None:
        check_int("top_n", top_n, 1)
    check_int("degree_cutoff", degree_cutoff, 1)
    if (
        upper_degree_cutoff is not None
        and check_int("upper_degree_cutoff", upper_degree_cutoff, 1) < degree_cutoff
    ):
        raise ParameterError(
            f"upper_degree_cutoff ({upper_degree_cutoff}) is below degree_cutoff ({degree_cutoff})"
        )
    check_range("similarity_cutoff", similarity_cutoff, 0.0, 1.0)
    n = g.n
    w = edge_weights(g, weighted)
    # one entry per (node, neighbour): parallel relationships as one (their max weight),
    # self-loops left out (a node is not its own neighbour, as in GDS, which also counts
    # the degree cut-offs without them); the snapshot sorts edges by (source, target),
    # so parallels are adjacent
    src, dst = g.sources(), g.indices
    loop = src == dst
    if loop.any():
        src, dst, w = src[~loop], dst[~loop], w[~loop]
    starts = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])] if src.size else []
    first = np.flatnonzero(starts)
    values = np.maximum.reduceat(w, first) if (weighted and first.size) else np.ones(first.size)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src[first], minlength=n), out=indptr[1:])
    matrix = sp.csr_matrix((values, dst[first], indptr), shape=(n, n))
    degree = np.diff(matrix.indptr)
    upper = upper_degree_cutoff if upper_degree_cutoff is not None else np.iinfo(np.int64).max
    compared = np.flatnonzero((degree >= degree_cutoff) & (degree <= upper))
    sub = matrix[compared]
    if weighted:
        sub = sub.tocsr()
        by_column = sub.tocsc()
        rows, cols, similarity = _weighted_jaccard(
            sub.indptr.astype(np.int64),
            sub.indices.astype(np.int64),
            sub.data.astype(np.float64),
            by_column.indptr.astype(np.int64),
            by_column.indices.astype(np.int64),
            by_column.data.astype(np.float64),
        )
    else:
        binary = sub.copy()
        binary.data[:] = 1.0
        common = (binary @ binary.T).tocoo()
        keep = common.row != common.col
        rows, cols = common.row[keep], common.col[keep]
        inter = common.data[keep]
        size = degree[compared]
        similarity = inter / (size[rows] + size[cols] - inter)
    ok = similarity >= similarity_cutoff
    rows, cols, similarity = rows[ok], cols[ok], similarity[ok]
    per_node = bottom_k if bottom_k is not None else top_k
    order = np.lexsort((cols, -similarity if bottom_k is None else similarity, rows))
    rows, cols, similarity = rows[order], cols[order], similarity[order]
    rank = np.arange(rows.size) - np.searchsorted(rows, rows, side="left")
    mask = rank < per_node
    rows, cols, similarity = rows[mask], cols[mask], similarity[mask]
    overall = np.lexsort((compared[cols], compared[rows], -similarity))
    if top_n is not None:
        overall = overall[:top_n]
    ids = g.ids
    result = tuple(
        (ids[compared[i]], ids[compared[j]], float(s))
        for i, j, s in zip(
            rows[overall].tolist(),
            cols[overall].tolist(),
            similarity[overall].tolist(),
            strict=True,
        )
    )
    config = dict(
        top_k=top_k,
        bottom_k=bottom_k,
        top_n=top_n,
        degree_cutoff=degree_cutoff,
        upper_degree_cutoff=upper_degree_cutoff,
        similarity_cutoff=similarity_cutoff,
        weighted=weighted,
    )
    return SimilarityPairs(result, config)


@_jit
def _weighted_jaccard(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    col_ptr: np.ndarray,
    col_rows: np.ndarray,
    col_data: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """Weighted Jaccard ``Σ min / Σ max`` of every pair of rows sharing a column.

    Rows are compared nodes, columns their neighbours (CSR, and the same matrix by
    column). For row ``i``, walking its neighbours' columns accumulates ``Σ min`` with
    every row ``j`` that shares one; ``Σ max = total_i + total_j - Σ min``.
    """
    n = indptr.size - 1
    totals = np.zeros(n)
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            totals[i] += data[e]
    acc = np.zeros(n)
    seen = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):  # first pass: how many pairs
        k = 0
        for e in range(indptr[i], indptr[i + 1]):
            x = indices[e]
            for f in range(col_ptr[x], col_ptr[x + 1]):
                j = col_rows[f]
                if j != i and not seen[j]:
                    seen[j] = True
                    touched[k] = j
                    k += 1
        for t in range(k):
            seen[touched[t]] = False
        count += k
    out_i = np.empty(count, dtype=np.int64)
    out_j = np.empty(count, dtype=np.int64)
    out_s = np.empty(count, dtype=np.float64)
    p = 0
    for i in range(n):
        k = 0
        for e in range(indptr[i], indptr[i + 1]):
            x = indices[e]
            a = data[e]
            for f in range(col_ptr[x], col_ptr[x + 1]):
                j = col_rows[f]
                if j == i:
                    continue
                if not seen[j]:
                    seen[j] = True
                    touched[k] = j
                    k += 1
                b = col_data[f]
                acc[j] += a if a < b else b
        for t in range(k):
            j = touched[t]
            smallest = acc[j]
            out_i[p] = i
            out_j[p] = j
            out_s[p] = smallest / (totals[i] + totals[j] - smallest)
            p += 1
            acc[j] = 0.0
            seen[j] = False
    return out_i, out_j, out_s
