"""K-core decomposition (GDS ``gds.kcore``).

References
----------
Batagelj, V., & Zaversnik, M. (2003). An O(m) algorithm for cores decomposition of
networks. arXiv:cs/0310049. doi:10.48550/arXiv.cs/0310049
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms.community._graph import undirected_igraph
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["k_core"]


def k_core(g: GraphSnapshot) -> NodeScores:
    """Core number of every node on the undirected simple graph of ``g``.

    The result's ``config["degeneracy"]`` is the largest core number.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abca"), list("bcad"), directed=False)
    >>> k_core(g).to_dict()
    {'a': 2.0, 'b': 2.0, 'c': 2.0, 'd': 1.0}
    """
    graph, _ = undirected_igraph(g, False)
    graph.simplify()
    core = np.asarray(graph.coreness(mode="all"), dtype=float) if g.n else np.zeros(0)
    degeneracy = int(core.max()) if core.size else 0
    return NodeScores(g.ids, core, "k_core", {"degeneracy": degeneracy})
