"""Neo4j Graph Data Science (GDS) as an algorithm backend: project, estimate, run, drop.

A :class:`GdsClient` runs the statements in ``cypher/gds/`` on the Neo4j server a
:class:`~graph_engine.store.neo4j.Neo4jStore` is connected to. Graphs are handed to GDS
as a :class:`~graph_engine.snapshot.GraphSnapshot` (dense node ids ``0..n-1``) through
a Cypher aggregation projection, so the projected graph is exactly the snapshot: the
same nodes in the same order, the same edges (parallels kept), the same weights. GDS's
``nodeId`` in every result is then the snapshot's node index.

Why Cypher files rather than the ``graphdatascience`` Python client: the statements sit
with every other statement of the store (linted against both Cypher versions, visible
by file name in ``SHOW TRANSACTIONS``), the client would add pandas and pyarrow to the
Neo4j extra for a dozen calls, and its projection helpers read from the database, while
the graph the pipeline needs in GDS (learned probabilities on merged edges) only exists
in Python.

References
----------
Neo4j Graph Data Science manual, "Cypher projection" (``gds.graph.project`` aggregation)
and "Memory estimation", https://neo4j.com/docs/graph-data-science/current/
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import InsufficientMemoryError, StoreError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["GRAPH_PREFIX", "GdsClient", "GdsEstimate", "GdsGraph"]

#: Catalog names of graphs this library projects start with this.
GRAPH_PREFIX = "graph_engine_"

Runner = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class GdsEstimate:
    """GDS's memory estimate of a plan, against the server's free heap.

    Attributes
    ----------
    parts : mapping of str to (int, int)
        ``{step: (bytes_min, bytes_max)}`` as GDS estimated each step.
    bytes_min, bytes_max : int
        Sums over the steps (projections and algorithms all live at once).
    heap_max, heap_used : int
        The server JVM's maximum and currently used heap.
    """

    parts: Mapping[str, tuple[int, int]]
    bytes_min: int
    bytes_max: int
    heap_max: int
    heap_used: int

    @property
    def heap_free(self) -> int:
        """Heap not in use now."""
        return self.heap_max - self.heap_used

    @property
    def fits(self) -> bool:
        """Whether the smallest estimate fits in the free heap."""
        return self.bytes_min <= self.heap_free


@dataclass(frozen=True)
class GdsGraph:
    """A graph in the GDS catalog (see :meth:`GdsClient.project`).

    Attributes
    ----------
    name : str
        Catalog name.
    node_count, relationship_count : int
        As GDS counted them (undirected graphs count each edge twice).
    project_millis : int
        GDS's projection time.
    """

    name: str
    node_count: int
    relationship_count: int
    project_millis: int


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


class GdsClient:
    """GDS procedures on one Neo4j server.

    Parameters
    ----------
    run : callable
        ``run(statement_name, parameters) -> records``: runs a ``cypher/`` file in an
        auto-commit transaction of the store's database.
    where : str
        The server, for error messages.

    Attributes
    ----------
    where : str
    """

    def __init__(self, run: Runner, where: str) -> None:
        self._run = run
        self.where = where

    # -- what the server offers ----------------------------------------------------
    def installed(self) -> bool:
        """Whether the GDS library is installed in the server."""
        return bool(self._run("gds/installed", {})[0]["installed"])

    def version(self) -> str:
        """GDS's version (the store hands out a client only when GDS is installed)."""
        return str(self._run("gds/version", {})[0]["version"])

    def heap(self) -> tuple[int, int]:
        """The server JVM's ``(max, used)`` heap in bytes."""
        row = self._run("gds/heap", {})[0]
        return int(row["max"]), int(row["used"])

    def estimate(self, plan: Sequence[tuple[str, str, int, int]]) -> GdsEstimate:
        """Estimate a plan of steps held in memory together.

        Parameters
        ----------
        plan : sequence of (label, step, nodes, relationships)
            ``step`` is ``"project"``, ``"pagerank"`` or ``"leiden"``.
        """
        parts: dict[str, tuple[int, int]] = {}
        for label, step, nodes, relationships in plan:
            row = self._run(
                f"gds/estimate_{step}", {"nodes": nodes, "relationships": relationships}
            )
            parts[label] = (int(row[0]["bytesMin"]), int(row[0]["bytesMax"]))
        heap_max, heap_used = self.heap()
        return GdsEstimate(
            parts,
            sum(lo for lo, _ in parts.values()),
            sum(hi for _, hi in parts.values()),
            heap_max,
            heap_used,
        )

    def require_memory(self, plan: Sequence[tuple[str, str, int, int]]) -> GdsEstimate:
        """:meth:`estimate`, raising when the plan would not fit.

        Raises
        ------
        InsufficientMemoryError
            The estimate (per step) exceeds the server's free heap; names both.
        """
        est = self.estimate(plan)
        if not est.fits:
            steps = ", ".join(f"{k} {_mib(lo)}-{_mib(hi)}" for k, (lo, hi) in est.parts.items())
            raise InsufficientMemoryError(
                f"GDS on {self.where} needs at least {_mib(est.bytes_min)} "
                f"(up to {_mib(est.bytes_max)}: {steps}) but the server has "
                f"{_mib(est.heap_free)} of heap free ({_mib(est.heap_max)} max); raise the "
                "server's heap (NEO4J_HEAP for scripts/neo4j) or use --engine python",
                details={
                    "bytes_min": est.bytes_min,
                    "bytes_max": est.bytes_max,
                    "heap_free": est.heap_free,
                    "heap_max": est.heap_max,
                },
            )
        return est

    # -- the catalog -------------------------------------------------------------------
    @contextmanager
    def project(
        self,
        g: GraphSnapshot,
        *,
        weights: npt.ArrayLike | None = None,
        seeds: npt.ArrayLike | None = None,
        undirected: bool = False,
        label: str = "graph",
    ) -> Iterator[GdsGraph]:
        """Project ``g`` into the catalog for the duration of the ``with`` block.

        Parameters
        ----------
        g : GraphSnapshot
            Its edges as stored (a directed snapshot's edges once; for an undirected
            snapshot pass ``g`` and each stored pair is projected once per direction
            stored, so use the directed one with ``undirected=True``).
        weights : array of float, shape (g.m,), optional
            Relationship property ``weight`` (default ``g.weights`` if any).
        seeds : array of int, shape (g.n,), optional
            Node property ``seed`` (community seeds, or a partition to evaluate).
        undirected : bool
            Project every edge in both directions (GDS ``UNDIRECTED``).
        label : str
            Part of the catalog name, for whoever lists the catalog meanwhile.

        Yields
        ------
        GdsGraph
            Dropped when the block ends, whatever the outcome.
        """
        if not g.directed:
            raise StoreError("project the directed snapshot with undirected=True instead")
        w = g.weights if weights is None else np.asarray(weights, dtype=np.float64)
        name = f"{GRAPH_PREFIX}{label}_{uuid.uuid4().hex[:12]}"
        params = {
            "name": name,
            "n": g.n,
            "source": g.sources().tolist(),
            "target": g.indices.tolist(),
            "weight": None if w is None else np.asarray(w, dtype=np.float64).tolist(),
            "seed": None if seeds is None else np.asarray(seeds, dtype=np.int64).tolist(),
            "undirected": ["*"] if undirected else [],
        }
        try:
            info = self._run("gds/project", params)[0]["graph"]
            yield GdsGraph(
                name,
                int(info["nodeCount"]),
                int(info["relationshipCount"]),
                int(info["projectMillis"]),
            )
        finally:
            self.drop(name)

    def drop(self, name: str) -> None:
        """Drop a catalog graph (nothing when it is not there)."""
        self._run("gds/drop", {"name": name})

    def graphs(self, prefix: str = GRAPH_PREFIX) -> list[str]:
        """Catalog graphs whose name starts with ``prefix``."""
        return list(self._run("gds/list", {"prefix": prefix})[0]["names"])

    # -- algorithms ------------------------------------------------------------------
    def call(
        self, algorithm: str, graph: GdsGraph | str, config: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run ``cypher/gds/algo/<algorithm>.cypher`` on a projected graph.

        Returns the one record (aligned lists, see each file's header). Louvain and
        Leiden write their communities to a new node property of the projection (named
        ``config["mutateProperty"]``, default a fresh name) and stream it back.
        """
        name = graph.name if isinstance(graph, GdsGraph) else graph
        params: dict[str, Any] = {"graph": name, "config": dict(config)}
        if algorithm in ("louvain", "leiden"):
            # mutate then stream: a property name of its own, so runs on one projection
            # never collide
            prop = params["config"].setdefault("mutateProperty", f"{algorithm}_{uuid.uuid4().hex}")
            params["property"] = prop
        return self._run(f"gds/algo/{algorithm}", params)[0]

    def node_values(
        self,
        algorithm: str,
        graph: GdsGraph,
        config: Mapping[str, Any],
        column: str = "value",
        dtype: type = np.float64,
    ) -> npt.NDArray[Any]:
        """A per-node result as an array indexed by node id ``0..n-1``."""
        row = self.call(algorithm, graph, config)
        out: npt.NDArray[Any] = np.zeros(graph.node_count, dtype=dtype)
        out[np.asarray(row["node"], dtype=np.int64)] = np.asarray(row[column], dtype=dtype)
        return out
