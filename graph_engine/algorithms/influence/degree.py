"""Degree centrality (GDS ``gds.degree``)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import edge_weights
from graph_engine.algorithms.results import NodeScores
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["degree"]


def degree(
    g: GraphSnapshot,
    orientation: Literal["natural", "reverse", "undirected"] = "natural",
    weighted: bool = False,
) -> NodeScores:
    """Number (or summed strictly positive weight) of relationships per node.

    Parameters
    ----------
    g : GraphSnapshot
    orientation : {"natural", "reverse", "undirected"}
        Out-relationships, in-relationships, or both (on an undirected snapshot every
        relationship is stored both ways, so natural already counts each once per end).
    weighted : bool
        Sum of strictly positive weights instead of a count.

    Returns
    -------
    NodeScores
        Floats, as GDS returns them.

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a", "b"], ["b", "c", "c"])
    >>> degree(g, "reverse").to_dict()
    {'a': 0.0, 'b': 1.0, 'c': 2.0}
    """
    orientation_name = orientation.lower() if isinstance(orientation, str) else orientation
    if orientation_name not in ("natural", "reverse", "undirected"):
        raise ParameterError(
            f"orientation must be 'natural', 'reverse' or 'undirected', got {orientation!r}"
        )
    w = edge_weights(g, weighted)
    out = np.bincount(g.sources(), weights=w, minlength=g.n)
    into = np.bincount(g.indices, weights=w, minlength=g.n)
    chosen = {"natural": out, "reverse": into, "undirected": out + into}[orientation_name]
    scores: npt.NDArray[np.float64] = np.asarray(chosen, dtype=np.float64)
    return NodeScores(
        g.ids, scores, "degree", {"orientation": orientation_name, "weighted": weighted}
    )
