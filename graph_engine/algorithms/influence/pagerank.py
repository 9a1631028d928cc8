"""PageRank and ArticleRank with Neo4j GDS semantics (and classic PageRank on request).

GDS runs PageRank as a delta-based Pregel computation (``PageRankComputation``):
every node starts at ``(1 - d) p_v`` and sends it along its out-relationships divided
by its out-degree; each later superstep a node adds ``d`` times what it received to
its rank and passes that delta on only if it exceeds ``tolerance``. Scores are not
normalised and after the default 20 supersteps are not at the fixed point. Here each
superstep is one sparse matrix-vector product.

References
----------
Page, L., Brin, S., Motwani, R., & Winograd, T. (1999). The PageRank citation ranking:
bringing order to the web. Stanford InfoLab.
Li, J., & Willett, P. (2009). ArticleRank: a PageRank-based alternative to numbers of
citations for analysing citation networks. Aslib Proceedings 61(6).
doi:10.1108/00012530911005544
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graph_engine.algorithms._checks import check_int, check_range, edge_weights, source_vector
from graph_engine.algorithms.influence.scalers import scale
from graph_engine.algorithms.results import NodeScores
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["article_rank", "pagerank"]


def _transition(g: GraphSnapshot, coef: npt.NDArray[np.float64]) -> sp.csc_matrix:
    """Sparse Mᵀ with ``Mᵀ[v, u] = Σ coef`` over the edges u -> v (parallels summed).

    The snapshot's CSR arrays (rows = sources) read as CSC are exactly the transpose,
    so no copy or sort is needed; a parallel edge is one more entry of the column.
    """
    return sp.csc_matrix((coef, g.indices, g.indptr), shape=(g.n, g.n))


def _delta_iteration(
    mt: sp.csr_matrix,
    p: npt.NDArray[np.float64],
    damping: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[npt.NDArray[np.float64], int, bool]:
    rank = (1.0 - damping) * p
    sent = rank.copy()  # superstep 0: every node sends its initial rank
    for superstep in range(1, max_iterations):
        delta = damping * (mt @ sent)
        rank += delta
        sent = np.where(delta > tolerance, delta, 0.0)
        if not sent.any():
            return rank, superstep, True
    return rank, max_iterations, False


def _classic(
    g: GraphSnapshot,
    w: npt.NDArray[np.float64],
    p: npt.NDArray[np.float64],
    damping: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[npt.NDArray[np.float64], int, bool]:
    """Normalised PageRank to convergence (as networkx): dangling mass goes to ``p``."""
    n = g.n
    out = np.bincount(g.sources(), weights=w, minlength=n)
    coef = np.divide(w, out[g.sources()], out=np.zeros_like(w), where=out[g.sources()] > 0)
    mt = _transition(g, coef)
    p = p / p.sum()
    dangling = out == 0
    x = np.full(n, 1.0 / n)
    for iteration in range(1, max_iterations + 1):
        previous = x
        x = damping * (mt @ x + x[dangling].sum() * p) + (1.0 - damping) * p
        if np.abs(x - previous).sum() < n * tolerance:
            return x, iteration, True
    return x, max_iterations, False


def _per_degree(
    g: GraphSnapshot, w: npt.NDArray[np.float64], weighted: bool
) -> npt.NDArray[np.float64]:
    """Each edge's weight over its source's out-degree (weighted: out-weight sum)."""
    if weighted:
        out = np.bincount(g.sources(), weights=w, minlength=g.n)
    else:
        out = np.diff(g.indptr).astype(np.float64)
    inverse = np.divide(1.0, out, out=np.zeros(g.n), where=out > 0)
    per_source = np.repeat(inverse, np.diff(g.indptr))
    return per_source if not weighted else w * per_source


def rank_config(sources: list[Any] | None, **values: Any) -> dict[str, Any]:
    """The configuration a rank result records (source nodes as given)."""
    return {**values, "source_nodes": sources}


def _check(damping_factor: float, max_iterations: int, tolerance: float) -> None:
    check_range("damping_factor", damping_factor, 0.0, 1.0, high_open=True)
    check_int("max_iterations", max_iterations, 1)
    check_range("tolerance", tolerance, 0.0, np.inf, high_open=True)


def pagerank(
    g: GraphSnapshot,
    damping_factor: float = 0.85,
    max_iterations: int = 20,
    tolerance: float = 1e-7,
    weighted: bool = False,
    source_nodes: Iterable[Any] | None = None,
    scaler: str | None = None,
    *,
    variant: Literal["gds", "classic"] = "gds",
) -> NodeScores:
    """PageRank.

    Parameters
    ----------
    g : GraphSnapshot
        Influence flows along the snapshot's edges (choose the orientation on it).
    damping_factor : float in [0, 1)
    max_iterations : int >= 1
        Pregel supersteps (``variant="gds"``) or power iterations (``"classic"``).
    tolerance : float >= 0
        ``"gds"``: a node passes on its delta only if it exceeds this. ``"classic"``:
        stop when the L1 change is below ``n * tolerance``.
    weighted : bool
        Use ``g.weights`` (negative weights are ignored).
    source_nodes : list of ids or of ``(id, bias)`` pairs, optional
        Personalised PageRank: teleport (and initial mass) only to these nodes, with
        the given bias (default 1; not normalised in ``"gds"``).
    scaler : {None, "minmax", "mean", "center", "stdscore", "log", "log1p", "max", "l1", "l2"}
    variant : {"gds", "classic"}
        ``"gds"`` (default) reproduces Neo4j GDS; ``"classic"`` is normalised PageRank
        run to convergence, dangling mass redistributed (equals networkx).

    Returns
    -------
    NodeScores
        With ``ran_iterations`` and ``did_converge``.

    Raises
    ------
    ParameterError
        A parameter out of range, an unknown scaler or a source node not in ``g``.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b", "c"], ["b", "c", "a"])
    >>> pagerank(g).scores.round(4).tolist()
    [0.9612, 0.9612, 0.9612]
    """
    _check(damping_factor, max_iterations, tolerance)
    w = edge_weights(g, weighted)
    sources = None if source_nodes is None else list(source_nodes)
    p = source_vector(g, sources)
    p = np.ones(g.n) if p is None else p
    if variant == "classic":
        rank, ran, converged = _classic(g, w, p, damping_factor, max_iterations, tolerance)
    elif variant == "gds":
        rank, ran, converged = _delta_iteration(
            _transition(g, _per_degree(g, w, weighted)),
            p,
            damping_factor,
            max_iterations,
            tolerance,
        )
    else:
        raise ParameterError(f"variant must be 'gds' or 'classic', got {variant!r}")
    config = rank_config(
        sources,
        damping_factor=damping_factor,
        max_iterations=max_iterations,
        tolerance=tolerance,
        weighted=weighted,
        scaler=scaler,
        variant=variant,
    )
    return NodeScores(g.ids, scale(rank, scaler), "pagerank", config, ran, converged)


def article_rank(
    g: GraphSnapshot,
    damping_factor: float = 0.85,
    max_iterations: int = 20,
    tolerance: float = 1e-7,
    weighted: bool = False,
    source_nodes: Iterable[Any] | None = None,
    scaler: str | None = None,
) -> NodeScores:
    """ArticleRank as GDS computes it.

    Like :func:`pagerank` (GDS variant), but a node divides what it sends by
    ``degree + average degree`` instead of its degree, so links from nodes with few
    links count for more. ``average degree`` is relationships / nodes, counted
    unweighted even when ``weighted``. GDS deliberately uses ``1 / (deg + avg)`` where
    the paper has ``avg / (deg + avg)``; so does this.

    Parameters are those of :func:`pagerank`.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b"], ["c", "c"])
    >>> round(article_rank(g).to_dict()["c"], 4)
    0.303
    """
    _check(damping_factor, max_iterations, tolerance)
    w = edge_weights(g, weighted)
    sources = None if source_nodes is None else list(source_nodes)
    p = source_vector(g, sources)
    p = np.ones(g.n) if p is None else p
    average = g.m / g.n if g.n else 0.0
    out = np.bincount(g.sources(), weights=w, minlength=g.n)
    coef = w / (out[g.sources()] + average) if g.m else w
    rank, ran, converged = _delta_iteration(
        _transition(g, coef), p, damping_factor, max_iterations, tolerance
    )
    config = rank_config(
        sources,
        damping_factor=damping_factor,
        max_iterations=max_iterations,
        tolerance=tolerance,
        weighted=weighted,
        scaler=scaler,
    )
    return NodeScores(g.ids, scale(rank, scaler), "article_rank", config, ran, converged)
