"""Modularity and conductance of a given partition (GDS metrics).

References
----------
Newman, M. E. J., & Girvan, M. (2004). Finding and evaluating community structure in
networks. Physical Review E 69, 026113. doi:10.1103/PhysRevE.69.026113
Kannan, R., Vempala, S., & Vetta, A. (2004). On clusterings: good, bad and spectral.
Journal of the ACM 51(3), 497-515. doi:10.1145/990308.990313
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import edge_weights, node_values
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["ModularityResult", "conductance", "modularity", "modularity_of_labels"]


@dataclass(frozen=True)
class ModularityResult:
    """Total modularity and each community's contribution (they sum to the total)."""

    modularity: float
    per_community: dict[int, float]


def _labels(
    g: GraphSnapshot, membership: Mapping[Hashable, Any] | npt.ArrayLike
) -> npt.NDArray[np.int64]:
    if isinstance(membership, Mapping):
        values = node_values(g, "membership", membership, fill=-1)
    else:
        values = np.asarray(membership, dtype=float)
        if values.shape != (g.n,):
            raise ParameterError(f"membership has {values.size} labels for {g.n} nodes")
    if np.isnan(values).any() or not np.all(values == np.round(values)):
        raise ParameterError("membership: community ids must be integers")
    return values.astype(np.int64)


def modularity_of_labels(
    g: GraphSnapshot, labels: npt.NDArray[np.int64], w: npt.NDArray[np.float64]
) -> tuple[float, dict[int, float]]:
    """Modularity over the stored adjacency; nodes with a negative label are left out."""
    src, dst = g.sources(), g.indices
    two_m = w.sum()
    if two_m == 0:
        return 0.0, {}
    strength = np.bincount(src, weights=w, minlength=g.n)
    counted = labels >= 0
    ids, inverse = np.unique(labels[counted], return_inverse=True)
    position = np.full(g.n, -1, dtype=np.int64)
    position[counted] = inverse
    inside = (labels[src] == labels[dst]) & counted[src]
    e_c = np.bincount(position[src[inside]], weights=w[inside], minlength=ids.size)
    k_c = np.bincount(inverse, weights=strength[counted], minlength=ids.size)
    q_c = (e_c - k_c * k_c / two_m) / two_m
    return float(q_c.sum()), dict(zip(ids.tolist(), q_c.tolist(), strict=True))


def modularity(
    g: GraphSnapshot,
    membership: Mapping[Hashable, Any] | npt.ArrayLike,
    weighted: bool = False,
) -> ModularityResult:
    """``Q = Σ_c (e_c − K_c² / 2m) / 2m`` over the snapshot's adjacency.

    On an undirected snapshot each relationship is stored both ways, so ``e_c`` counts
    internal relationships twice and ``2m`` is the total stored weight, as in GDS.
    Nodes whose community id is negative (or missing from the mapping) are not counted.

    Parameters
    ----------
    g : GraphSnapshot
    membership : mapping of node id to community id, or an array aligned with ``g.ids``
    weighted : bool

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abcd"), list("bcda"), directed=False)
    >>> modularity(g, {"a": 0, "b": 0, "c": 1, "d": 1}).modularity
    0.0
    """
    total, per = modularity_of_labels(g, _labels(g, membership), edge_weights(g, weighted))
    return ModularityResult(total, per)


def conductance(
    g: GraphSnapshot,
    membership: Mapping[Hashable, Any] | npt.ArrayLike,
    weighted: bool = False,
) -> dict[int, float]:
    """Per community: external weight / (external + internal) weight of its members'
    adjacency (internal relationships count twice on an undirected snapshot).

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(list("abc"), list("bca"), directed=False)
    >>> conductance(g, {"a": 0, "b": 0, "c": 1})
    {0: 0.5, 1: 1.0}
    """
    labels = _labels(g, membership)
    w = edge_weights(g, weighted)
    src, dst = g.sources(), g.indices
    counted = labels[src] >= 0
    ids, inverse = np.unique(labels[src[counted]], return_inverse=True)
    internal = labels[src[counted]] == labels[dst[counted]]
    wc = w[counted]
    inner = np.bincount(inverse, weights=np.where(internal, wc, 0.0), minlength=ids.size)
    outer = np.bincount(inverse, weights=np.where(internal, 0.0, wc), minlength=ids.size)
    total = inner + outer
    result = np.divide(outer, total, out=np.zeros(ids.size), where=total > 0)
    return dict(zip(ids.tolist(), result.tolist(), strict=True))
