"""Compiled breadth-first kernels (numba) for closeness and unweighted betweenness.

Both run one breadth-first search per source over the snapshot's CSR arrays, with no
conversion to another library's graph. Sources are split into a fixed number of chunks
that run on threads (the kernels release the GIL); each chunk sums into arrays of its
own, added up afterwards in chunk order, so a result depends neither on the threads nor
on the machine's cores.

References
----------
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
Mathematical Sociology 25(2), 163-177. doi:10.1080/0022250X.2001.9990249
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms.reach._kernels import _jit

__all__ = ["brandes", "distance_sums"]


@_jit
def _distance_sums(
    indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """For every node t: how many of ``sources`` reach it, and the sum of their hop
    distances to it (a source itself not counted)."""
    n = indptr.size - 1
    reached = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    dist = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    for s in sources:
        dist[s] = 0
        queue[0] = s
        head, tail = 0, 1
        while head < tail:
            v = queue[head]
            head += 1
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if dist[u] < 0:
                    dist[u] = dist[v] + 1
                    queue[tail] = u
                    tail += 1
                    reached[u] += 1
                    total[u] += dist[u]
        for i in range(tail):
            dist[queue[i]] = -1
    return reached, total


@_jit
def _brandes(
    indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray
) -> np.ndarray:  # pragma: no cover - numba
    """Brandes's dependency sums from ``sources`` over hop-count shortest paths; a
    parallel relationship is a path of its own."""
    n = indptr.size - 1
    score = np.zeros(n)
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    order = np.empty(n, dtype=np.int64)
    for s in sources:
        dist[s] = 0
        sigma[s] = 1.0
        order[0] = s
        head, tail = 0, 1
        while head < tail:
            v = order[head]
            head += 1
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if dist[u] < 0:
                    dist[u] = dist[v] + 1
                    order[tail] = u
                    tail += 1
                if dist[u] == dist[v] + 1:
                    sigma[u] += sigma[v]
        for i in range(tail - 1, -1, -1):  # farthest first
            v = order[i]
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if dist[u] == dist[v] + 1:
                    delta[v] += sigma[v] / sigma[u] * (1.0 + delta[u])
            if v != s:
                score[v] += delta[v]
        for i in range(tail):
            v = order[i]
            dist[v] = -1
            sigma[v] = 0.0
            delta[v] = 0.0
    return score


#: chunks of sources, whatever the cores: the float sums are then the same on any machine
CHUNKS = 4


def _chunks(sources: npt.NDArray[np.int64]) -> list[npt.NDArray[np.int64]]:
    size = max(1, -(-sources.size // CHUNKS))
    return [sources[i : i + size] for i in range(0, sources.size, size)]


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, CHUNKS))


def distance_sums(
    indptr: npt.NDArray[np.int64], indices: npt.NDArray[np.int64], sources: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per node: the sources reaching it and their summed hop distances (exact
    integers, so the chunking cannot change them)."""
    parts = _chunks(sources)
    with ThreadPoolExecutor(_threads()) as pool:
        found = list(pool.map(lambda c: _distance_sums(indptr, indices, c), parts))
    n = indptr.size - 1
    reached = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    for r, t in found:
        reached += r
        total += t
    return reached, total


def brandes(
    indptr: npt.NDArray[np.int64], indices: npt.NDArray[np.int64], sources: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Brandes's dependency sums from ``sources``, chunks added up in order."""
    parts = _chunks(sources)
    with ThreadPoolExecutor(_threads()) as pool:
        found = list(pool.map(lambda c: _brandes(indptr, indices, c), parts))
    score = np.zeros(indptr.size - 1)
    for part in found:
        score += part
    return score
