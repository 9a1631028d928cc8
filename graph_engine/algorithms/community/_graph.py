"""Shared pieces of the community algorithms: the graph Louvain and Leiden optimise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import edge_weights
from graph_engine.algorithms.community._kernels import aggregate, permute, quality
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["ModularityGraph", "modularity_graph", "relabel"]


@dataclass(frozen=True)
class ModularityGraph:
    """CSR arrays of an undirected multigraph with every relationship stored both ways
    (a self-loop twice), its non-negative weights and its node strengths: what the
    compiled Louvain and Leiden kernels work on, at any aggregation level."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float64]
    strength: npt.NDArray[np.float64]

    @property
    def n(self) -> int:
        """Number of nodes."""
        return int(self.indptr.size - 1)

    @property
    def two_m(self) -> float:
        """Total stored weight (twice the relationship weight)."""
        return float(self.weights.sum())

    def aggregated(self, groups: npt.NDArray[np.integer[Any]], count: int) -> ModularityGraph:
        """The graph of ``count`` groups (``groups[v]`` in ``0..count-1``), weights summed,
        inner weight as self-loops: strengths and ``2m`` are kept."""
        groups = groups.astype(np.int32, copy=False)
        indptr, indices, weights = aggregate(self.indptr, self.indices, self.weights, groups, count)
        strength = np.bincount(groups, weights=self.strength, minlength=count).astype(np.float64)
        return ModularityGraph(indptr, indices, weights, strength)

    def permuted(self, order: npt.NDArray[np.integer[Any]]) -> ModularityGraph:
        """The same graph with node ``order[i]`` renamed ``i``."""
        indptr, indices, weights = permute(self.indptr, self.indices, self.weights, order)
        return ModularityGraph(indptr, indices, weights, self.strength[order])

    def shuffled(self, rng: np.random.Generator) -> tuple[ModularityGraph, npt.NDArray[np.int64]]:
        """The graph with its nodes renamed in a random order, and each node's new name.

        Visiting the renamed graph in index order visits the nodes in a random order
        while reading the adjacency front to back (sequential memory reads); graphs
        aggregated from it number their nodes in the order met, so they are visited in
        index order too.
        """
        order = rng.permutation(self.n)
        renamed = np.empty(self.n, dtype=np.int64)
        renamed[order] = np.arange(self.n)
        return self.permuted(order), renamed

    def quality(self, labels: npt.NDArray[np.integer[Any]], gamma: float = 1.0) -> float:
        """``Σ_c (I_c − γ K_c² / 2m) / 2m`` of ``labels`` (modularity at ``γ = 1``)."""
        return float(quality(self.indptr, self.indices, self.weights, labels, gamma))


def modularity_graph(g: GraphSnapshot, weighted: bool) -> ModularityGraph:
    """The undirected multigraph of ``g`` for modularity optimisation.

    An undirected snapshot is used as it is; a directed one has each relationship
    become one undirected edge (direction dropped, parallels kept), as in GDS's
    undirected projection. Weights: the relationship weights (negative ones as 0), or
    ones.
    """
    und = g.undirected()
    if und.n >= 2**31:
        raise ParameterError(f"{und.n} nodes: community detection takes at most 2^31 - 1")
    w = np.ascontiguousarray(edge_weights(und, weighted), dtype=np.float64)
    strength = np.bincount(und.sources(), weights=w, minlength=und.n).astype(np.float64)
    return ModularityGraph(und.indptr, und.indices.astype(np.int32), w, strength)


def relabel(membership: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Community ids made canonical: each community is named by its smallest node index.

    Examples
    --------
    >>> relabel([5, 5, 2, 2, 5]).tolist()
    [0, 0, 2, 2, 0]
    """
    labels = np.asarray(membership, dtype=np.int64)
    if labels.size == 0:
        return labels
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return first[inverse].astype(np.int64)
