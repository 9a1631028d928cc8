"""Eigenvector centrality with Neo4j GDS semantics (``EigenvectorComputation``).

GDS iterates on ``Aᵀ + I``: superstep 0 starts every node at ``1/|V|`` (or ``1/|S|``
on the source nodes) and sends it; superstep ``k`` computes ``y_v = x_v + Σ_in msg``
where the messages carry the *unnormalised* ``y`` of the previous superstep divided by
the sender's denominator (1, or its out-weight sum when weighted, then times the
relationship weight), while the self term uses the L2-normalised ``x``. It never stops
early before superstep 1 and converges when no score moved by more than ``tolerance``.

References
----------
Bonacich, P. (1987). Power and centrality: a family of measures. American Journal of
Sociology 92(5), 1170-1182. doi:10.1086/228631
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from graph_engine.algorithms._checks import check_int, check_range, edge_weights, source_vector
from graph_engine.algorithms.influence.pagerank import _transition, rank_config
from graph_engine.algorithms.influence.scalers import scale
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["eigenvector"]


def eigenvector(
    g: GraphSnapshot,
    max_iterations: int = 20,
    tolerance: float = 1e-7,
    weighted: bool = False,
    source_nodes: Iterable[Any] | None = None,
    scaler: str | None = None,
) -> NodeScores:
    """Eigenvector centrality (power iteration on ``Aᵀ + I``, GDS semantics).

    Parameters
    ----------
    g : GraphSnapshot
    max_iterations : int >= 1
    tolerance : float >= 0
        Converged when every score changed by at most this in a superstep.
    weighted : bool
        Messages weighted by relationship weight / sender's out-weight sum.
    source_nodes : list of ids (or ``(id, bias)`` pairs: bias ignored), optional
        Start mass only on these nodes.
    scaler : see :func:`~graph_engine.algorithms.influence.scalers.scale`

    Returns
    -------
    NodeScores

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b"], ["b", "a"])
    >>> eigenvector(g).scores.round(4).tolist()
    [0.7071, 0.7071]
    """
    check_int("max_iterations", max_iterations, 1)
    check_range("tolerance", tolerance, 0.0, np.inf, high_open=True)
    n = g.n
    w = edge_weights(g, weighted)
    if weighted:
        out = np.bincount(g.sources(), weights=w, minlength=n)
        denominator = out[g.sources()]
        w = np.divide(w, denominator, out=np.zeros_like(w), where=denominator > 0)
    mt = _transition(g, w)
    sources = None if source_nodes is None else list(source_nodes)
    start = source_vector(g, sources)
    if start is None:
        x = np.full(n, 1.0 / n) if n else np.zeros(0)
    else:
        members = start > 0
        x = np.where(members, 1.0 / members.sum(), 0.0)
    y = x.copy()
    ran, converged = max_iterations, False
    for superstep in range(max_iterations):
        previous = x
        if superstep:
            y = x + mt @ y
        norm = np.sqrt((y * y).sum())
        x = y / norm if norm else y
        if superstep and np.all(np.abs(x - previous) <= tolerance):
            ran, converged = superstep, True
            break
    config = rank_config(
        sources,
        max_iterations=max_iterations,
        tolerance=tolerance,
        weighted=weighted,
        scaler=scaler,
    )
    return NodeScores(g.ids, scale(x, scaler), "eigenvector", config, ran, converged)
