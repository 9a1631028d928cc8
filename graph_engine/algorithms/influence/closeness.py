"""Closeness centrality (GDS ``gds.closeness``).

References
----------
Bavelas, A. (1950). Communication patterns in task-oriented groups. JASA 22(6).
doi:10.1121/1.1906679
Wasserman, S., & Faust, K. (1994). Social Network Analysis. Cambridge University Press.
doi:10.1017/CBO9780511815478
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms.influence._paths import distance_sums
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["closeness"]


def closeness(g: GraphSnapshot, use_wasserman_faust: bool = False) -> NodeScores:
    """``k / Σ d(u, v)`` over the ``k`` other nodes ``u`` that reach ``v``.

    Distances are unweighted hop counts measured towards ``v`` (incoming paths on a
    directed snapshot). A node nothing reaches scores 0. With
    ``use_wasserman_faust`` the score is multiplied by ``k / (n - 1)``, which
    discounts nodes that only a small part of the graph reaches.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcd"), list("bcde"), directed=False)
    >>> round(closeness(g).to_dict()["c"], 4)
    0.6667
    """
    n = g.n
    scores = np.zeros(n)
    if n > 1 and g.m:
        # a compiled breadth-first search from every node over the CSR arrays
        k, total = distance_sums(g.indptr, g.indices, np.arange(n, dtype=np.int64))
        scores = np.divide(k, total, out=np.zeros(n), where=total > 0)
        if use_wasserman_faust:
            scores = scores * k / (n - 1)
    return NodeScores(g.ids, scores, "closeness", {"use_wasserman_faust": use_wasserman_faust})
