"""Compute engines: where ``compute`` runs its graph stages.

``compute`` runs influence (PageRank on the probability-weighted influence graph,
reversed so that score accrues to the people who move others) and communities (Leiden
on the undirected interaction graph, unseeded; ids are matched to the previous run's
afterwards) through a :class:`ComputeEngine`:

- :class:`PythonEngine` runs :mod:`graph_engine.algorithms` in this process;
- :class:`GdsEngine` runs Neo4j Graph Data Science on the store's own server: it
  estimates the memory first, projects each graph, runs the GDS procedure and drops the
  projection afterwards, also on failure.

Word-of-mouth reach and seed selection stay in Python either way (RR sets have no GDS
counterpart), and so do the learned probabilities, which is why the influence graph is
handed to GDS from the snapshot rather than projected from stored relationships.

:func:`select_engine` maps the ``compute_engine`` setting (``auto``, ``gds`` or
``python``) to an engine: ``auto`` is GDS when the store is Neo4j with GDS installed.

References
----------
Page, L., Brin, S., Motwani, R., & Winograd, T. (1999). The PageRank citation ranking:
bringing order to the web. Stanford InfoLab technical report 1999-66.
Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9, 5233. doi:10.1038/s41598-019-41695-z
Neo4j Graph Data Science manual, "PageRank", "Leiden" and "Memory estimation",
https://neo4j.com/docs/graph-data-science/current/
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms.community import leiden
from graph_engine.algorithms.community.modularity import modularity
from graph_engine.algorithms.influence import pagerank
from graph_engine.algorithms.results import Partition
from graph_engine.errors import ConfigError, StoreError
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store.base import GraphStore
from graph_engine.store.gds import GRAPH_PREFIX, GdsClient

__all__ = ["ComputeEngine", "EngineName", "GdsEngine", "PythonEngine", "select_engine"]

EngineName = Literal["auto", "gds", "python"]
FloatArray = npt.NDArray[np.float64]


class ComputeEngine(Protocol):
    """The graph stages of ``compute``."""

    #: ``"python"`` or ``"gds"``.
    name: str
    #: The library's version (GDS), or None.
    version: str | None

    def start(self, run_id: str) -> list[str]:
        """Called once the run exists (after the store has abandoned any run that was left
        running): tag what the engine creates with the run and release what earlier runs
        left behind. Returns what was released."""

    def check_memory(self, n: int, influence_edges: int, graph_edges: int) -> dict[str, Any]:
        """Check the computation fits before any is started; returns what was estimated."""

    def influence(self, weighted: GraphSnapshot) -> FloatArray:
        """PageRank (GDS defaults) of ``weighted.reverse()`` weighted by ``weighted.weights``."""

    def communities(self, g: GraphSnapshot, *, gamma: float, random_seed: int) -> Partition:
        """Leiden on the undirected multigraph of the directed snapshot ``g``."""


class PythonEngine:
    """:mod:`graph_engine.algorithms` in this process."""

    name = "python"
    version: str | None = None

    def start(self, run_id: str) -> list[str]:
        """Nothing is left behind in this process."""
        return []

    def check_memory(self, n: int, influence_edges: int, graph_edges: int) -> dict[str, Any]:
        """Nothing to check ahead: the snapshot is already in memory."""
        return {}

    def influence(self, weighted: GraphSnapshot) -> FloatArray:
        """See :class:`ComputeEngine`."""
        return pagerank(weighted.reverse(), weighted=True).scores

    def communities(self, g: GraphSnapshot, *, gamma: float, random_seed: int) -> Partition:
        """See :class:`ComputeEngine`."""
        return leiden(g.undirected(), random_seed=random_seed, gamma=gamma)


class GdsEngine:
    """Neo4j Graph Data Science on the store's server.

    Parameters
    ----------
    client : GdsClient
    version : str
        GDS's version (recorded with the run).
    concurrency : int
        GDS ``concurrency`` of PageRank (Leiden runs with 1, which GDS needs for a
        reproducible ``randomSeed``).
    """

    name = "gds"

    def __init__(self, client: GdsClient, version: str, concurrency: int = 4) -> None:
        self.client = client
        self.version: str | None = version
        self.concurrency = concurrency
        self.run_id = "adhoc"

    def start(self, run_id: str) -> list[str]:
        """Name this run's projections after it, and drop the projections of earlier runs.

        Projections are dropped when their run ends, also on failure; a process killed
        outright (SIGKILL, OOM killer) leaves its projection in the GDS catalog, holding
        server heap. Starting a run abandons every run still marked running, so any
        projection named after another run is a leftover. Only projections named
        ``graph_engine_run-...`` are touched (not other graphs of the catalog, nor ones
        made with :class:`~graph_engine.store.gds.GdsClient` directly).
        """
        self.run_id = run_id
        dropped = []
        for name in self.client.graphs(f"{GRAPH_PREFIX}run-"):
            if name[len(GRAPH_PREFIX) :].split("_", 1)[0] != run_id:
                self.client.drop(name)
                dropped.append(name)
        return dropped

    def check_memory(self, n: int, influence_edges: int, graph_edges: int) -> dict[str, Any]:
        """GDS's estimates of each phase against the server's free heap.

        Raises
        ------
        InsufficientMemoryError
            A phase (projection plus algorithm) would not fit.
        """
        phases = {
            "influence": [
                ("projection", "project", n, influence_edges),
                ("pageRank", "pagerank", n, influence_edges),
            ],
            "communities": [
                ("projection", "project", n, 2 * graph_edges),
                ("leiden", "leiden", n, 2 * graph_edges),
            ],
        }
        out: dict[str, Any] = {}
        for phase, plan in phases.items():
            est = self.client.require_memory(plan)
            out[phase] = {"bytes_min": est.bytes_min, "bytes_max": est.bytes_max}
            out["heap_free"] = est.heap_free
        return out

    def influence(self, weighted: GraphSnapshot) -> FloatArray:
        """See :class:`ComputeEngine`."""
        rev = weighted.reverse()
        with self.client.project(rev, label=f"{self.run_id}_influence") as graph:
            return self.client.node_values(
                "pagerank",
                graph,
                {"relationshipWeightProperty": "weight", "concurrency": self.concurrency},
            )

    def communities(self, g: GraphSnapshot, *, gamma: float, random_seed: int) -> Partition:
        """See :class:`ComputeEngine`.

        GDS Leiden runs unseeded, like the Python engine; the pipeline then matches
        community ids to the previous run's by member overlap. GDS 2.13's seeded Leiden
        cannot be used for that: it fails when the seed partition is already optimal,
        refuses to run beyond a few thousand nodes (its memory estimate of the seed map
        grows with the square of the node count), and when forced returns a membership
        whose modularity is far below the one it reports (0.59 against 0.78 on the
        20,000-customer synthetic store). For the same reason every partition GDS
        returns is checked here: its modularity, recomputed over the snapshot, must
        equal GDS's figure.

        Raises
        ------
        StoreError
            GDS returned a partition that does not have the modularity it reported.
        """
        config: dict[str, Any] = {
            "gamma": gamma,
            "theta": 0.01,
            "tolerance": 1e-4,
            "maxLevels": 10,
            "randomSeed": random_seed,
            "concurrency": 1,
        }
        unweighted = GraphSnapshot(g.indptr, g.indices, None, g.ids)
        with self.client.project(
            unweighted, undirected=True, label=f"{self.run_id}_communities"
        ) as graph:
            row = self.client.call("leiden", graph, config)
        membership = np.zeros(g.n, dtype=np.int64)
        membership[np.asarray(row["node"], dtype=np.int64)] = np.asarray(row["value"])
        reported = float(row["modularity"])
        actual = modularity(g.undirected(), membership).modularity  # unweighted, as run
        if g.m and abs(actual - reported) > 1e-6:
            raise StoreError(
                f"GDS Leiden on {self.client.where} reported modularity {reported:.6f} but "
                f"returned a partition of modularity {actual:.6f}"
            )
        recorded = dict(config)
        return Partition(
            g.ids,
            membership,
            "gds.leiden",
            recorded,
            reported,
            (membership,),
            tuple(float(q) for q in row["modularities"]),
            int(row["ranLevels"]),
            bool(row["didConverge"]),
        )


def select_engine(store: GraphStore, choice: str, *, concurrency: int = 4) -> ComputeEngine:
    """The engine a ``compute_engine`` setting names for this store.

    Parameters
    ----------
    store : GraphStore
    choice : {"auto", "gds", "python"}
        ``auto``: GDS when the store is Neo4j with GDS installed, else Python.
    concurrency : int
        GDS concurrency (see :class:`GdsEngine`).

    Raises
    ------
    ConfigError
        An unknown choice, or ``gds`` on a store without GDS.
    """
    if choice not in ("auto", "gds", "python"):
        raise ConfigError(f"compute engine {choice!r} is not one of auto, gds, python")
    if choice == "python":
        return PythonEngine()
    client = store.gds()
    if client is None:
        if choice == "gds":
            raise ConfigError(
                f"compute engine 'gds' needs a Neo4j store with the Graph Data Science "
                f"library installed; {store.url} has none (use --engine python or auto)"
            )
        return PythonEngine()
    return GdsEngine(client, client.version(), concurrency=concurrency)
