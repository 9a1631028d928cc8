"""GraphSnapshot: an immutable graph in compressed sparse row (CSR) form.

Nodes are dense integers ``0..n-1`` with the original ids kept beside them
(``g.ids[i]``); edges are sorted by source, then target, and parallel edges are kept
(as in a Neo4j GDS projection). Edge weights and any further per-edge or per-node
properties travel with the arrays, in the same order as ``g.indices``.

Examples
--------
>>> g = GraphSnapshot.from_edges(["a", "a", "b"], ["b", "c", "c"])
>>> g.n, g.m, list(g.ids)
(3, 3, ['a', 'b', 'c'])
>>> g.out_degree().tolist(), g.reverse().out_degree().tolist()
([2, 1, 0], [0, 1, 2])
>>> g.undirected().m
6
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ParameterError

if TYPE_CHECKING:
    import igraph
    import networkx

__all__ = ["GraphSnapshot"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class GraphSnapshot:
    """An immutable directed (or undirected) multigraph in CSR form.

    Attributes
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Out-edges of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of int64, shape (m,)
        Edge targets.
    weights : ndarray of float64, shape (m,), or None
        Edge weights (None: unweighted, every weight 1).
    ids : tuple
        Original node ids; ``ids[i]`` is node ``i``.
    directed : bool
        False when every edge is stored in both directions (see :meth:`undirected`).
    edge_properties : mapping of str to ndarray, shape (m,)
        Further per-edge values, aligned with ``indices``.
    node_properties : mapping of str to ndarray, shape (n,)
        Per-node values, aligned with ``ids``.
    """

    indptr: IntArray
    indices: IntArray
    weights: FloatArray | None
    ids: tuple[Hashable, ...]
    directed: bool = True
    edge_properties: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)
    node_properties: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.ids)
        indptr = _frozen(np.asarray(self.indptr, dtype=np.int64))
        indices = _frozen(np.asarray(self.indices, dtype=np.int64))
        if indptr.shape != (n + 1,) or indptr[0] != 0 or np.any(np.diff(indptr) < 0):
            raise ParameterError(
                f"indptr must be non-decreasing, start at 0, length n + 1 = {n + 1}"
            )
        m = int(indptr[-1])
        if indices.shape != (m,):
            raise ParameterError(f"indices has length {indices.shape[0]}, indptr says m = {m}")
        if m and (indices.min() < 0 or indices.max() >= n):
            raise ParameterError(f"indices must lie in [0, {n})")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)
        if self.weights is not None:
            weights = _frozen(np.asarray(self.weights, dtype=np.float64))
            if weights.shape != (m,):
                raise ParameterError(f"weights has length {weights.shape[0]}, expected m = {m}")
            object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "edge_properties", _checked(self.edge_properties, m, "edge"))
        object.__setattr__(self, "node_properties", _checked(self.node_properties, n, "node"))
        object.__setattr__(self, "ids", tuple(self.ids))
        object.__setattr__(self, "_index", None)

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_edges(
        cls,
        src: Iterable[Hashable],
        dst: Iterable[Hashable],
        weights: Iterable[float] | None = None,
        node_ids: Iterable[Hashable] | None = None,
        directed: bool = True,
        edge_properties: Mapping[str, Iterable[Any]] | None = None,
        node_properties: Mapping[str, Iterable[Any]] | None = None,
    ) -> GraphSnapshot:
        """Build a snapshot from parallel arrays of original source and target ids.

        Parameters
        ----------
        src, dst : iterables of hashable
            Original node ids of edge ends (any hashable: int, str, tuple ...).
        weights : iterable of float, optional
            One weight per edge.
        node_ids : iterable of hashable, optional
            Every node, in the order wanted, isolated ones included. Default: the ids
            met in the edges, sorted when they are all numbers or all strings, else in
            order of first appearance.
        directed : bool
            If False, each edge is stored in both directions (parallel edges kept).
        edge_properties, node_properties : mapping, optional
            Extra arrays aligned with the edges / with ``node_ids``.

        Returns
        -------
        GraphSnapshot

        Raises
        ------
        ParameterError
            Unequal lengths, or an edge end missing from ``node_ids``.
        """
        src_list, dst_list = list(src), list(dst)
        if len(src_list) != len(dst_list):
            raise ParameterError(f"src has {len(src_list)} items but dst has {len(dst_list)}")
        if node_ids is None:
            ids = _default_node_order(src_list, dst_list)
        else:
            ids = list(node_ids)
            if len(set(ids)) != len(ids):
                raise ParameterError("node_ids holds duplicate ids")
        index = {v: i for i, v in enumerate(ids)}
        try:
            s = np.fromiter((index[v] for v in src_list), dtype=np.int64, count=len(src_list))
            d = np.fromiter((index[v] for v in dst_list), dtype=np.int64, count=len(dst_list))
        except KeyError as exc:
            raise ParameterError(f"edge end {exc.args[0]!r} is not in node_ids") from None
        w = None if weights is None else np.asarray(list(weights), dtype=np.float64)
        eprops = {k: np.asarray(list(v)) for k, v in (edge_properties or {}).items()}
        nprops = {k: np.asarray(list(v)) for k, v in (node_properties or {}).items()}
        return cls.from_index_edges(
            s, d, ids, weights=w, directed=directed, edge_properties=eprops, node_properties=nprops
        )

    @classmethod
    def from_index_edges(
        cls,
        src: npt.ArrayLike,
        dst: npt.ArrayLike,
        ids: Sequence[Hashable],
        *,
        weights: npt.ArrayLike | None = None,
        directed: bool = True,
        edge_properties: Mapping[str, npt.ArrayLike] | None = None,
        node_properties: Mapping[str, npt.ArrayLike] | None = None,
    ) -> GraphSnapshot:
        """Build a snapshot from dense integer edge ends ``0..len(ids)-1`` (fast path).

        Examples
        --------
        >>> GraphSnapshot.from_index_edges([1, 0], [0, 1], ["x", "y"]).indices.tolist()
        [1, 0]
        """
        s = np.asarray(src, dtype=np.int64)
        d = np.asarray(dst, dtype=np.int64)
        n = len(ids)
        if s.shape != d.shape or s.ndim != 1:
            raise ParameterError(
                f"src and dst must be 1-d of equal length, got {s.shape}, {d.shape}"
            )
        if s.size and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n):
            raise ParameterError(f"edge ends must lie in [0, {n})")
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        eprops = {k: np.asarray(v) for k, v in (edge_properties or {}).items()}
        if not directed:
            s, d = np.concatenate([s, d]), np.concatenate([d, s])
            w = None if w is None else np.concatenate([w, w])
            eprops = {k: np.concatenate([v, v]) for k, v in eprops.items()}
        key = s * max(n, 1) + d
        # stores hand over edges already sorted: skip the O(m log m) sort then
        order = slice(None) if np.all(key[1:] >= key[:-1]) else np.argsort(key, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
        return cls(
            indptr=indptr,
            indices=d[order],
            weights=None if w is None else w[order],
            ids=tuple(ids),
            directed=directed,
            edge_properties={k: v[order] for k, v in eprops.items()},
            node_properties={k: np.asarray(v) for k, v in (node_properties or {}).items()},
        )

    # -- basic views -------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @property
    def m(self) -> int:
        """Number of stored edges (twice the relationships when undirected)."""
        return int(self.indptr[-1])

    def sources(self) -> IntArray:
        """Source node of every edge, aligned with ``indices`` (computed once, read-only)."""
        cached: IntArray | None = self.__dict__.get("_sources")
        if cached is None:
            cached = _frozen(np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr)))
            object.__setattr__(self, "_sources", cached)
        return cached

    def out_degree(self) -> IntArray:
        """Number of out-edges per node."""
        return np.diff(self.indptr)

    def in_degree(self) -> IntArray:
        """Number of in-edges per node."""
        return np.bincount(self.indices, minlength=self.n).astype(np.int64)

    def index_of(self, node_id: Hashable) -> int:
        """Dense index of an original id.

        Raises
        ------
        NotFoundError
            The id is not a node of this snapshot.
        """
        from graph_engine.errors import NotFoundError

        index: dict[Hashable, int] | None = self.__dict__.get("_index")
        if index is None:
            index = {v: i for i, v in enumerate(self.ids)}
            object.__setattr__(self, "_index", index)
        try:
            return index[node_id]
        except KeyError:
            raise NotFoundError(f"node {node_id!r} is not in the graph") from None

    # -- projections -------------------------------------------------------------
    def reverse(self) -> GraphSnapshot:
        """The same graph with every edge reversed (GDS ``REVERSE`` orientation).

        An undirected snapshot is its own reverse.
        """
        if not self.directed:
            return self
        return GraphSnapshot.from_index_edges(
            self.indices,
            self.sources(),
            self.ids,
            weights=self.weights,
            directed=self.directed,
            edge_properties=self.edge_properties,
            node_properties=self.node_properties,
        )

    def undirected(self) -> GraphSnapshot:
        """Every edge in both directions, parallels kept (GDS ``UNDIRECTED``).

        An already undirected snapshot is returned as it is. Building it sorts every
        edge twice over (seconds at 10M edges), and ``compute``, the engines and the
        community algorithms each ask for it, so it is built once per snapshot (both
        are immutable) and the same object is returned afterwards.
        """
        if not self.directed:
            return self
        built: GraphSnapshot | None = self.__dict__.get("_undirected")
        if built is None:
            built = GraphSnapshot.from_index_edges(
                self.sources(),
                self.indices,
                self.ids,
                weights=self.weights,
                directed=False,
                edge_properties=self.edge_properties,
                node_properties=self.node_properties,
            )
            object.__setattr__(self, "_undirected", built)
        return built

    # -- conversions -------------------------------------------------------------
    def to_igraph(self) -> igraph.Graph:
        """Convert to an igraph Graph (vertex attribute ``name`` holds the ids).

        An undirected snapshot becomes an undirected igraph graph with each
        relationship once. Weights, when present, are the edge attribute ``weight``.
        Building the graph is costly for big snapshots (about 13 s for 10M edges), so
        it is built once per snapshot and each call returns a copy (a C-level copy).
        """
        cached = self.__dict__.get("_igraph")
        if cached is None:
            cached = self._build_igraph()
            object.__setattr__(self, "_igraph", cached)
        return cached.copy()

    def _build_igraph(self) -> igraph.Graph:
        import igraph

        src, dst = self.sources(), self.indices
        weights = self.weights
        if not self.directed:
            keep = _one_direction(src, dst)
            src, dst = src[keep], dst[keep]
            weights = None if weights is None else weights[keep]
        g = igraph.Graph(
            n=self.n, edges=np.column_stack([src, dst]).tolist(), directed=self.directed
        )
        g.vs["name"] = list(self.ids)
        if weights is not None:
            g.es["weight"] = weights.tolist()
        return g

    def to_networkx(self) -> networkx.MultiDiGraph | networkx.MultiGraph:
        """Convert to a networkx multigraph keyed by original ids (edge attr ``weight``)."""
        import networkx as nx

        graph: nx.MultiDiGraph | nx.MultiGraph = (
            nx.MultiDiGraph() if self.directed else nx.MultiGraph()
        )
        graph.add_nodes_from(self.ids)
        src, dst = self.sources(), self.indices
        weights = self.weights
        if not self.directed:
            keep = _one_direction(src, dst)
            src, dst = src[keep], dst[keep]
            weights = None if weights is None else weights[keep]
        ids = self.ids
        if weights is None:
            graph.add_edges_from(
                (ids[a], ids[b]) for a, b in zip(src.tolist(), dst.tolist(), strict=True)
            )
        else:
            graph.add_edges_from(
                (ids[a], ids[b], {"weight": w})
                for a, b, w in zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True)
            )
        return graph


def _one_direction(src: IntArray, dst: IntArray) -> npt.NDArray[np.bool_]:
    """Pick one stored copy of each undirected relationship (self-loops appear twice)."""
    keep = src < dst
    loops = np.flatnonzero(src == dst)
    keep[loops[::2]] = True
    return keep


def _checked(props: Mapping[str, npt.NDArray[Any]], size: int, what: str) -> Mapping[str, Any]:
    out = {}
    for name, values in props.items():
        arr = _frozen(np.asarray(values))
        if arr.shape[:1] != (size,):
            raise ParameterError(f"{what} property {name!r} has length {len(arr)}, expected {size}")
        out[name] = arr
    return MappingProxyType(out)


def _default_node_order(src: list[Hashable], dst: list[Hashable]) -> list[Hashable]:
    seen = list(dict.fromkeys(v for pair in zip(src, dst, strict=True) for v in pair))
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen) or all(
        isinstance(v, str) for v in seen
    ):
        return sorted(seen)  # type: ignore[type-var]
    return seen
