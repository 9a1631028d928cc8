"""HITS hub and authority scores with Neo4j GDS's schedule.

References
----------
Kleinberg, J. M. (1999). Authoritative sources in a hyperlinked environment. Journal
of the ACM 46(5), 604-632. doi:10.1145/324133.324140
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.influence.pagerank import _transition
from graph_engine.algorithms.results import NodeScores
from graph_engine.snapshot import GraphSnapshot

__all__ = ["HitsScores", "hits"]


@dataclass(frozen=True)
class HitsScores:
    """Hub and authority scores."""

    hub: NodeScores
    authority: NodeScores

    def to_dict(self) -> dict[Hashable, dict[str, float]]:
        """``{node id: {"hub": h, "auth": a}}``."""
        return {
            node: {"hub": h, "auth": a}
            for node, h, a in zip(
                self.hub.ids, self.hub.scores.tolist(), self.authority.scores.tolist(), strict=True
            )
        }


def _l2(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norm = np.sqrt((x * x).sum())
    return x / norm if norm else x


def hits(g: GraphSnapshot, hits_iterations: int = 20) -> HitsScores:
    """HITS, as GDS schedules it.

    ``auth₁ = L2(in-degree)``; then for each of ``hits_iterations`` rounds,
    ``hub = L2(A·auth)`` and, except after the last round, ``auth = L2(Aᵀ·hub)``
    (GDS runs 4 Pregel supersteps per round and its final authority update never
    executes). Parallel relationships count with their multiplicity.

    Parameters
    ----------
    g : GraphSnapshot
    hits_iterations : int >= 1

    Returns
    -------
    HitsScores

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a", "b"], ["b", "c", "c"])
    >>> {k: round(v["auth"], 4) for k, v in hits(g).to_dict().items()}
    {'a': 0.0, 'b': 0.5257, 'c': 0.8507}
    """
    check_int("hits_iterations", hits_iterations, 1)
    at = _transition(g, np.ones(g.m))  # Aᵀ: row v sums over in-edges
    a = at.T.tocsr()
    auth = _l2(np.asarray(at.sum(axis=1)).ravel())
    hub = np.zeros(g.n)
    for round_ in range(1, hits_iterations + 1):
        hub = _l2(a @ auth)
        if round_ < hits_iterations:
            auth = _l2(at @ hub)
    config = {"hits_iterations": hits_iterations}
    return HitsScores(
        hub=NodeScores(g.ids, hub, "hits.hub", config, hits_iterations * 4, None),
        authority=NodeScores(g.ids, auth, "hits.authority", config, hits_iterations * 4, None),
    )
