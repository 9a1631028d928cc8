"""Reverse-reachable (RR) sets: one sample, many answers.

An RR set is the set of people who would have reached a random root in one random
live-edge world (IC: each edge live with its p; LT: each node keeps at most one in-edge,
chosen with its weight). For any seed set S, ``scale * Pr[S meets a random RR set]`` is
its expected spread (Borgs et al. 2014), where ``scale`` is the number of possible roots
(everyone, or a target segment). One pool of RR sets therefore answers, without new
simulation: every person's single-seed expected reach, the spread of any seed set, and
greedy seed selection (:mod:`~graph_engine.algorithms.maximization`).

References
----------
Borgs, C., Brautbar, M., Chayes, J., & Lucier, B. (2014). Maximizing social influence in
nearly optimal time. SODA.
Tang, Y., Shi, Y., & Xiao, X. (2015). Influence maximization in near-linear time: a
martingale approach. SIGMOD.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.reach import _kernels
from graph_engine.algorithms.reach._common import (
    Z95,
    Model,
    check_model,
    check_seed,
    ids_of,
    in_csr,
    kernel_seed,
    lt_check,
    node_list,
    run_chunks,
)
from graph_engine.algorithms.reach.probabilities import ProbabilitySpec, edge_probabilities
from graph_engine.algorithms.reach.simulation import SpreadEstimate, _describe
from graph_engine.algorithms.results import NodeScores
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["RRSets", "sample_rr_sets", "single_seed_reach"]

CHUNK = 32_768


class RRSets:
    """A growing pool of RR sets over one graph, probability model and root segment.

    Create with :func:`sample_rr_sets`; grow with :meth:`extend`. Sets are stored flat
    (``nodes[ptr[i]:ptr[i + 1]]``, int32, root first). RR set ``i`` is a function of
    ``(seed, i)`` only, so a pool grown in steps equals one sampled at once.

    Attributes
    ----------
    graph : GraphSnapshot
    p : ndarray
        Edge probabilities (or LT weights), aligned with ``graph.indices``.
    model : {"ic", "lt"}
    roots : ndarray of int64
        Possible roots (all nodes, or the target segment).
    scale : int
        ``len(roots)``: spread = scale * fraction of RR sets hit.
    seed : int
    """

    def __init__(
        self,
        graph: GraphSnapshot,
        p: npt.NDArray[np.float64],
        model: Model,
        roots: npt.NDArray[np.int64],
        seed: int,
        config: dict[str, Any],
        in_edges: Any = None,
    ) -> None:
        self.graph = graph
        self.p = p
        self.model: Model = model
        self.roots = roots
        self.scale = int(roots.size)
        self.seed = seed
        self.config = config
        self.ptr = np.zeros(1, dtype=np.int64)
        self.nodes = np.zeros(0, dtype=np.int32)
        self.seconds = 0.0
        self._in = in_edges if in_edges is not None else in_csr(graph, p)
        self._kseed = kernel_seed(seed, 2)

    def sibling(self, seed: int) -> RRSets:
        """An empty, independent pool over the same graph, model and roots (another
        seed), sharing the in-edge index."""
        return RRSets(
            self.graph,
            self.p,
            self.model,
            self.roots,
            seed,
            {**self.config, "seed": seed},
            self._in,
        )

    def __len__(self) -> int:
        return int(self.ptr.size - 1)

    @property
    def theta(self) -> int:
        """Number of RR sets in the pool."""
        return len(self)

    @property
    def total_size(self) -> int:
        """Sum of RR-set sizes (the work done, and the memory in int32 entries)."""
        return int(self.nodes.size)

    def extend(self, count: int, progress: Callable[[int, int], None] | None = None) -> None:
        """Sample ``count`` more RR sets (in parallel chunks).

        Parameters
        ----------
        count : int
        progress : callable, optional
            ``progress(done, count)`` after each chunk.
        """
        count = check_int("count", count, 0)
        if count == 0 or self.scale == 0:
            return
        started = time.perf_counter()
        start = len(self)
        in_ptr, in_src, in_p, uniform = self._in
        ic = self.model == "ic"
        roots, kseed = self.roots, self._kseed
        done = [0]
        lock = threading.Lock()

        def chunk(first: int, n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
            if ic:
                out = _kernels.rr_sets_ic(
                    in_ptr, in_src, in_p, uniform, roots, start + first, n, kseed
                )
            else:
                out = _kernels.rr_sets_lt(in_ptr, in_src, in_p, roots, start + first, n, kseed)
            with lock:
                done[0] += n
                if progress is not None:
                    progress(done[0], count)
            return out

        parts = run_chunks(chunk, count, CHUNK)
        offset = int(self.ptr[-1])
        ptrs = [self.ptr]
        for part_ptr, part_nodes in parts:
            ptrs.append(part_ptr[1:] + offset)
            offset += int(part_nodes.size)
        self.ptr = np.concatenate(ptrs)
        self.nodes = np.concatenate([self.nodes, *(nodes for _, nodes in parts)])
        self.seconds += time.perf_counter() - started

    def counts(self) -> npt.NDArray[np.int64]:
        """Number of RR sets containing each node."""
        return np.bincount(self.nodes, minlength=self.graph.n).astype(np.int64)

    def _need(self) -> None:
        if len(self) == 0:
            raise ParameterError("the RR-set pool is empty; call extend(count) first")

    def estimate(self, covered: int, seeds: tuple[Hashable, ...] = ()) -> SpreadEstimate:
        """Spread estimate from ``covered`` RR sets hit (binomial standard error)."""
        self._need()
        theta = len(self)
        x = covered / theta
        mean = self.scale * x
        se = self.scale * float(np.sqrt(max(x * (1 - x), 0.0) / theta))
        return SpreadEstimate(
            seeds=seeds,
            mean=mean,
            std_error=se,
            ci_low=max(0.0, mean - Z95 * se),
            ci_high=min(float(self.scale), mean + Z95 * se),
            by_hop=(),
            sizes=None,
            method="rr_sets",
            samples=theta,
            model=self.model,
            config=dict(self.config),
            seconds=self.seconds,
        )

    def spread(self, seeds: Iterable[Hashable]) -> SpreadEstimate:
        """Expected spread of a seed set (into the root segment), from the pool."""
        idx = node_list(self.graph, "seeds", seeds)
        mask = np.zeros(self.graph.n, dtype=np.bool_)
        mask[idx] = True
        covered = int(_kernels.covered_count(self.ptr, self.nodes, mask))
        return self.estimate(covered, ids_of(self.graph, idx))

    def single_seed_reach(self) -> NodeScores:
        """Every node's expected reach as the only seed: ``scale * count / theta``.

        The standard error of node v is ``scale * sqrt(x (1 - x) / theta)`` with
        ``x = count_v / theta``; it is recorded as ``config["std_error_max"]`` (its
        largest value) and ``config["resolution"]`` (``scale / theta``).
        """
        self._need()
        theta = len(self)
        x = self.counts() / theta
        se = self.scale * np.sqrt(x * (1 - x) / theta)
        return NodeScores(
            ids=self.graph.ids,
            scores=self.scale * x,
            algorithm="single_seed_reach",
            config={
                **self.config,
                "rr_sets": theta,
                "resolution": self.scale / theta,
                "std_error_max": float(se.max()) if se.size else 0.0,
            },
        )


def sample_rr_sets(
    g: GraphSnapshot,
    probabilities: ProbabilitySpec = "weighted_cascade",
    count: int = 0,
    model: str = "ic",
    seed: int | None = 0,
    *,
    targets: Iterable[Hashable] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RRSets:
    """A pool of ``count`` RR sets (extend it later with :meth:`RRSets.extend`).

    Parameters
    ----------
    g : GraphSnapshot
        Influence graph (u -> v: u influences v).
    probabilities : float, str, ndarray or InfluenceProbabilities
    count : int
        RR sets to sample now.
    model : {"ic", "lt"}
    seed : int or None
    targets : iterable of node ids, optional
        Root RR sets in this segment only: spreads then count reach into it.
    progress : callable, optional
        ``progress(done, count)``.

    Returns
    -------
    RRSets

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "b"], ["b", "c"])
    >>> pool = sample_rr_sets(g, 1.0, count=1000)
    >>> pool.single_seed_reach().to_dict()["a"]  # a reaches everyone: in every RR set
    3.0
    """
    model = check_model(model)
    seed = check_seed(seed)
    p = edge_probabilities(g, probabilities, seed=seed)
    if model == "lt":
        lt_check(g, p)
    roots = (
        np.arange(g.n, dtype=np.int64)
        if targets is None
        else np.sort(node_list(g, "targets", targets, allow_empty=False))
    )
    config = {
        "probabilities": _describe(probabilities),
        "model": model,
        "seed": seed,
        "targets": None if targets is None else int(roots.size),
    }
    pool = RRSets(g, p, model, roots, seed, config)
    pool.extend(count, progress)
    return pool


def single_seed_reach(
    g: GraphSnapshot,
    probabilities: ProbabilitySpec = "weighted_cascade",
    model: str = "ic",
    n_rr_sets: int | None = None,
    seed: int | None = 0,
    *,
    targets: Iterable[Hashable] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NodeScores:
    """Every node's expected reach as a lone seed, in one pass over RR sets.

    Parameters
    ----------
    g, probabilities, model, seed, targets, progress
        As in :func:`sample_rr_sets`.
    n_rr_sets : int, optional
        Pool size; default ``max(100_000, 2 n)`` (resolution ``n / theta`` <= 0.5 people).

    Returns
    -------
    NodeScores
        ``scores[i]``: expected number of people (of the targets) node i reaches,
        itself included.
    """
    theta = max(100_000, 2 * g.n) if n_rr_sets is None else check_int("n_rr_sets", n_rr_sets, 1)
    pool = sample_rr_sets(g, probabilities, theta, model, seed, targets=targets, progress=progress)
    return pool.single_seed_reach()
