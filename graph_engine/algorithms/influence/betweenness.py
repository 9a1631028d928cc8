"""Betweenness centrality (GDS ``gds.betweenness``): raw Brandes dependency sums.

References
----------
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
Mathematical Sociology 25(2), 163-177. doi:10.1080/0022250X.2001.9990249
Brandes, U., & Pich, C. (2007). Centrality estimation in large networks. International
Journal of Bifurcation and Chaos 17(7). doi:10.1142/S0218127407018403
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms._checks import as_generator, check_int, edge_weights
from graph_engine.algorithms.influence._paths import brandes
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["betweenness"]


def betweenness(
    g: GraphSnapshot,
    weighted: bool = False,
    sampling_size: int | None = None,
    sampling_seed: int | None = None,
) -> NodeScores:
    """Betweenness: for each node, the sum over ordered pairs (s, t) of the share of
    shortest s-t paths through it (Brandes), not normalised; on an undirected snapshot
    each pair counts once (GDS divides by 2). Unweighted runs are compiled
    breadth-first searches over the snapshot's arrays; weighted runs use igraph's
    Dijkstra over the positive weights (relationships with a negative weight are
    ignored). Parallel relationships are distinct paths.

    Parameters
    ----------
    g : GraphSnapshot
    weighted : bool
    sampling_size : int, optional
        Use only this many source nodes, drawn with probability proportional to their
        out-degree (as GDS does), and do not rescale the result.
    sampling_seed : int, optional
        Seed of that draw (recorded in the result).

    Returns
    -------
    NodeScores

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b"], ["b", "c"])
    >>> betweenness(g).to_dict()
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    n = g.n
    config: dict[str, object] = {
        "weighted": weighted,
        "sampling_size": sampling_size,
        "sampling_seed": sampling_seed,
    }
    if n == 0 or g.m == 0:
        return NodeScores(g.ids, np.zeros(n), "betweenness", config)
    sources = None
    if sampling_size is not None:
        check_int("sampling_size", sampling_size, 1)
        if sampling_size < n:
            rng, used = as_generator(sampling_seed)
            config["sampling_seed"] = used
            out = g.out_degree().astype(float)
            p = out / out.sum() if out.sum() else np.full(n, 1.0 / n)
            eligible = int(np.count_nonzero(p))
            size = min(sampling_size, eligible)
            sources = rng.choice(n, size=size, replace=False, p=p).tolist()
    if not weighted:  # hop counts: compiled breadth-first searches over the CSR arrays
        chosen = np.arange(n) if sources is None else np.asarray(sources, dtype=np.int64)
        scores = brandes(g.indptr, g.indices, chosen)
        if not g.directed:
            scores /= 2.0  # each pair was walked from both ends
        return NodeScores(g.ids, scores, "betweenness", config)
    edge_weights(g, True)  # raises if the snapshot has no weights
    graph = g.to_igraph()  # Dijkstra with igraph's tolerance for equal path lengths
    graph.delete_edges(np.flatnonzero(np.asarray(graph.es["weight"]) < 0).tolist())
    weights = graph.es["weight"]  # GDS ignores negative weights
    if sources is None:
        scores = graph.betweenness(directed=g.directed, weights=weights)
    else:
        scores = graph.betweenness(
            directed=g.directed, weights=weights, sources=sources, targets=None
        )
    return NodeScores(g.ids, np.asarray(scores, dtype=float), "betweenness", config)
