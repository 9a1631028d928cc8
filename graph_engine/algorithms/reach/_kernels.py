"""Compiled kernels (numba) for cascades, reverse-reachable sets and max coverage.

Every random draw comes from a SplitMix64 stream (Steele, Lea & Flood, OOPSLA 2014) whose
start is a hash of ``(seed, item)``, where ``item`` is the simulation or RR-set number:
results do not depend on chunking or on the thread that ran an item, so seeded runs are
reproducible. Kernels release the GIL (``nogil``) so independent chunks run on threads.

Why numba: the inner loops are per-edge coin flips along a BFS, which numpy cannot
vectorise without materialising every live edge. ``benchmarks/reach.py`` measures the
compiled kernels against their pure-Python form (``kernel.py_func``).

References
----------
Kempe, D., Kleinberg, J., & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD.
Borgs, C., Brautbar, M., Chayes, J., & Lucier, B. (2014). Maximizing social influence in
nearly optimal time. SODA.
Guo, Q., Wang, S., Wei, Z., & Chen, M. (2020). Influence maximization revisited:
efficient reverse reachable set generation with bound tightened. SIGMOD.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numba.core import config as _numba_config

__all__ = [
    "GAMMA",
    "bucket_order",
    "celf_world_spread",
    "covered_count",
    "first_cover",
    "greedy_cover",
    "rr_sets_ic",
    "rr_sets_lt",
    "shortlist_counts",
    "simulate",
]

F = TypeVar("F", bound=Callable[..., Any])

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_UNIT = 1.0 / 9007199254740992.0  # 2**-53
#: numba's runtime configuration (untyped: CACHE_DIR is set from NUMBA_CACHE_DIR at import).
numba_config: Any = _numba_config


def _private_cache_dir() -> str | None:
    """A per-user numba cache under the temporary directory, or None if none can be made."""
    path = Path(tempfile.gettempdir()) / f"graph_engine-numba-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    if path.stat().st_uid != os.getuid():
        return None  # someone else's directory: never load compiled code from it
    return str(path) if os.access(path, os.W_OK) else None


def _jit(fn: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, also where numba has nowhere to cache.

    numba caches compiled kernels next to the source (``__pycache__``) or in the user's
    cache directory; an install into a read-only site-packages run by a user without a
    writable home (a container's service user) has neither, and ``cache=True`` then
    raises "cannot cache function" at import. The kernels then cache in a private
    per-user directory under the temporary directory (``NUMBA_CACHE_DIR`` still wins
    when set), or, failing that, compile in memory each process.
    """
    try:
        return cast(F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError as err:
        if "cannot cache" not in str(err):
            raise
    if not numba_config.CACHE_DIR:
        fallback = _private_cache_dir()
        if fallback is not None:
            numba_config.CACHE_DIR = fallback
            try:
                return cast(F, numba.njit(cache=True, nogil=True)(fn))
            except RuntimeError as err:
                if "cannot cache" not in str(err):
                    raise
    return cast(F, numba.njit(cache=False, nogil=True)(fn))


@_jit
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 / ``java.util.SplittableRandom`` finaliser."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@_jit
def _stream(seed: np.uint64, item: int) -> np.uint64:
    """Start state of item ``item``'s stream (a hash, so streams do not overlap)."""
    return mix64(seed + GAMMA * np.uint64(item + 1)) ^ np.uint64(0x5851F42D4C957F2D)


@_jit
def _next(state: np.ndarray) -> float:
    """Next double in [0, 1) of the one-element uint64 state array."""
    state[0] += GAMMA
    return float(mix64(state[0]) >> np.uint64(11)) * _UNIT


@_jit
def simulate(
    indptr: np.ndarray,
    indices: np.ndarray,
    prob: np.ndarray,
    seeds: np.ndarray,
    count_mask: np.ndarray,
    first: int,
    n_sims: int,
    seed: np.uint64,
    max_hops: int,
    linear_threshold: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Cascades from ``seeds``; simulations ``first .. first + n_sims - 1``.

    Independent Cascade: an activated u activates each inactive out-neighbour v with
    ``prob[e]``. Linear Threshold (``linear_threshold``): ``prob`` are weights; v
    activates once the weights of its active in-neighbours exceed a threshold drawn
    uniformly in [0, 1) (lazily, at v's first exposure).

    Returns the size of every cascade (nodes with ``count_mask`` only) and the summed
    number of newly reached counted nodes per hop (hop 0 = the seeds).
    """
    n = indptr.shape[0] - 1
    active = np.full(n, -1, dtype=np.int64)
    touched = np.full(n, -1, dtype=np.int64)
    acc = np.zeros(n if linear_threshold else 0)
    threshold = np.zeros(n if linear_threshold else 0)
    queue = np.empty(n, dtype=np.int64)
    sizes = np.zeros(n_sims, dtype=np.int64)
    hops = np.zeros(n + 1, dtype=np.int64)
    state = np.zeros(1, dtype=np.uint64)
    for s in range(n_sims):
        sim = first + s
        state[0] = _stream(seed, sim)
        tail = 0
        size = 0
        for x in seeds:
            if active[x] != sim:
                active[x] = sim
                queue[tail] = x
                tail += 1
                if count_mask[x]:
                    size += 1
        hops[0] += size
        head = 0
        hop = 0
        while head < tail and hop < max_hops:
            level_end = tail
            hop += 1
            reached = 0
            while head < level_end:
                u = queue[head]
                head += 1
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    if active[v] == sim:
                        continue
                    if linear_threshold:
                        if touched[v] != sim:
                            touched[v] = sim
                            acc[v] = 0.0
                            threshold[v] = _next(state)
                        acc[v] += prob[e]
                        live = acc[v] > threshold[v]
                    else:
                        live = _next(state) < prob[e]
                    if live:
                        active[v] = sim
                        queue[tail] = v
                        tail += 1
                        if count_mask[v]:
                            reached += 1
            hops[hop] += reached
            size += reached
        sizes[s] = size
    return sizes, hops


@_jit
def _grow(buf: np.ndarray, need: int) -> np.ndarray:
    if need <= buf.shape[0]:
        return buf
    bigger = np.empty(max(need, 2 * buf.shape[0]), dtype=buf.dtype)
    bigger[: buf.shape[0]] = buf
    return bigger


@_jit
def _root(roots: np.ndarray, state: np.ndarray) -> int:
    """A uniform root: the first draw of an RR set's stream."""
    scale = roots.shape[0]
    return int(roots[min(scale - 1, int(_next(state) * scale))])


@_jit
def rr_sets_ic(
    in_ptr: np.ndarray,
    in_src: np.ndarray,
    in_prob: np.ndarray,
    uniform: np.ndarray,
    roots: np.ndarray,
    first: int,
    count: int,
    seed: np.uint64,
) -> tuple[np.ndarray, np.ndarray]:
    """RR sets ``first .. first + count - 1`` under IC, each rooted at a uniform ``roots``.

    The root is the first draw of the set's own stream, so set ``i`` depends on
    ``(seed, i)`` only. Returns ``(ptr, nodes)``: set ``j`` of the chunk is
    ``nodes[ptr[j]:ptr[j + 1]]`` (int32, root first).
    """
    n = in_ptr.shape[0] - 1
    stamp = np.full(n, -1, dtype=np.int64)
    ptr = np.zeros(count + 1, dtype=np.int64)
    nodes = np.empty(max(16, 4 * count), dtype=np.int32)
    state = np.zeros(1, dtype=np.uint64)
    pos = 0
    for i in range(count):
        state[0] = _stream(seed, first + i)
        root = _root(roots, state)
        nodes = _grow(nodes, pos + 1)
        stamp[root] = i
        nodes[pos] = root
        head = pos
        pos += 1
        while head < pos:
            v = nodes[head]
            head += 1
            lo = in_ptr[v]
            hi = in_ptr[v + 1]
            if hi == lo:
                continue
            pv = in_prob[lo]
            if uniform[v] and 0.0 < pv < 1.0:
                # all in-edges share p: jump to the next live edge with a geometric draw
                # (SUBSIM, Guo et al. SIGMOD 2020): O(1 + d p) instead of O(d) per visit
                log_q = np.log1p(-pv)
                e = lo - 1
                while True:
                    r = _next(state)
                    e += 1 + int(np.log(1.0 - r) / log_q)
                    if e >= hi:
                        break
                    u = in_src[e]
                    if stamp[u] != i:
                        stamp[u] = i
                        if pos >= nodes.shape[0]:  # checked inline: this is the hot path
                            nodes = _grow(nodes, pos + 1)
                        nodes[pos] = u
                        pos += 1
                continue
            for e in range(lo, hi):
                u = in_src[e]
                if stamp[u] != i and _next(state) < in_prob[e]:
                    stamp[u] = i
                    if pos >= nodes.shape[0]:
                        nodes = _grow(nodes, pos + 1)
                    nodes[pos] = u
                    pos += 1
        ptr[i + 1] = pos
    return ptr, nodes[:pos].copy()


@_jit
def rr_sets_lt(
    in_ptr: np.ndarray,
    in_src: np.ndarray,
    in_weight: np.ndarray,
    roots: np.ndarray,
    first: int,
    count: int,
    seed: np.uint64,
) -> tuple[np.ndarray, np.ndarray]:
    """RR sets under LT: a reverse random walk choosing one live in-edge (as for IC)."""
    n = in_ptr.shape[0] - 1
    stamp = np.full(n, -1, dtype=np.int64)
    ptr = np.zeros(count + 1, dtype=np.int64)
    nodes = np.empty(max(16, 4 * count), dtype=np.int32)
    state = np.zeros(1, dtype=np.uint64)
    pos = 0
    for i in range(count):
        state[0] = _stream(seed, first + i)
        v = _root(roots, state)
        stamp[v] = i
        nodes = _grow(nodes, pos + 1)
        nodes[pos] = v
        pos += 1
        while True:
            r = _next(state)
            chosen = -1
            total = 0.0
            for e in range(in_ptr[v], in_ptr[v + 1]):
                total += in_weight[e]
                if r < total:
                    chosen = in_src[e]
                    break
            if chosen < 0 or stamp[chosen] == i:
                break
            stamp[chosen] = i
            nodes = _grow(nodes, pos + 1)
            nodes[pos] = chosen
            pos += 1
            v = chosen
        ptr[i + 1] = pos
    return ptr, nodes[:pos].copy()


@_jit
def first_cover(ptr: np.ndarray, nodes: np.ndarray, rank: np.ndarray, k: int) -> np.ndarray:
    """``out[j]`` = RR sets whose lowest-ranked member has rank ``j`` (``rank`` k: none).

    With ``rank`` the pick order of a seed list, ``cumsum(out[:k])`` is the coverage of
    every prefix, in one pass.
    """
    out = np.zeros(k + 1, dtype=np.int64)
    for i in range(ptr.shape[0] - 1):
        best = k
        for j in range(ptr[i], ptr[i + 1]):
            r = rank[nodes[j]]
            if r < best:
                best = r
        out[best] += 1
    return out


@_jit
def shortlist_counts(
    ptr: np.ndarray, nodes: np.ndarray, slot: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per-candidate RR-set counts for a shortlist (``slot[v]`` = candidate number or -1).

    Returns ``(alone, unique, pairs, union)``: sets containing each candidate, sets
    containing only that candidate of the list, sets containing each pair, sets
    containing any candidate.
    """
    alone = np.zeros(k, dtype=np.int64)
    unique = np.zeros(k, dtype=np.int64)
    pairs = np.zeros((k, k), dtype=np.int64)
    present = np.empty(k, dtype=np.int64)
    seen = np.full(k, -1, dtype=np.int64)
    union = 0
    for i in range(ptr.shape[0] - 1):
        c = 0
        for j in range(ptr[i], ptr[i + 1]):
            s = slot[nodes[j]]
            if s >= 0 and seen[s] != i:
                seen[s] = i
                present[c] = s
                c += 1
        if c == 0:
            continue
        union += 1
        if c == 1:
            unique[present[0]] += 1
        for a in range(c):
            alone[present[a]] += 1
            for b in range(c):
                if a != b:
                    pairs[present[a], present[b]] += 1
    return alone, unique, pairs, union


@_jit
def covered_count(ptr: np.ndarray, nodes: np.ndarray, in_set: np.ndarray) -> int:
    """Number of RR sets that contain at least one node with ``in_set``."""
    hit = 0
    for i in range(ptr.shape[0] - 1):
        for j in range(ptr[i], ptr[i + 1]):
            if in_set[nodes[j]]:
                hit += 1
                break
    return hit


@_jit
def _knapsack_bound(
    gain: np.ndarray, cost: np.ndarray, eligible: np.ndarray, budget: float
) -> float:
    """Fractional-knapsack bound on the total gain of any eligible set within ``budget``."""
    idx = np.flatnonzero(eligible & (gain > 0))
    if idx.shape[0] == 0:
        return 0.0
    ratio = gain[idx] / cost[idx]
    order = np.argsort(-ratio)
    left = budget
    total = 0.0
    for j in order:
        c = cost[idx[j]]
        g = gain[idx[j]]
        if c <= left:
            total += g
            left -= c
        else:
            total += g * left / c
            break
    return total


@_jit
def greedy_cover(
    ptr: np.ndarray,
    nodes: np.ndarray,
    n: int,
    allowed: np.ndarray,
    cost: np.ndarray,
    budget: float,
    max_picks: int,
    by_ratio: bool,
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Greedy maximum coverage of RR sets, by gain (cardinality) or gain / cost (budget).

    Picks at most ``max_picks`` allowed nodes whose costs sum to at most ``budget``.

    Returns ``(picks, gains, covered, upper)``: picks in order, the RR sets each newly
    covered, the total covered, and an upper bound on the coverage of *any* allowed set
    within the constraints: ``min_i Λ(S_i) + knapsack_i`` over the greedy prefixes, where
    ``knapsack_i`` is the fractional-knapsack bound on the marginal gains at ``S_i``
    (with unit costs and budget k, the sum of the k largest; Tang et al., SIGMOD 2018).
    """
    count = ptr.shape[0] - 1
    degree = np.zeros(n, dtype=np.int64)
    for j in range(nodes.shape[0]):
        degree[nodes[j]] += 1
    node_ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        node_ptr[v + 1] = node_ptr[v] + degree[v]
    fill = node_ptr[:-1].copy()
    node_rr = np.empty(nodes.shape[0], dtype=np.int64)
    for i in range(count):
        for j in range(ptr[i], ptr[i + 1]):
            v = nodes[j]
            node_rr[fill[v]] = i
            fill[v] += 1
    gain = degree.astype(np.float64)
    covered_rr = np.zeros(count, dtype=np.bool_)
    chosen = np.zeros(n, dtype=np.bool_)
    picks = np.empty(max_picks, dtype=np.int64)
    gains = np.empty(max_picks, dtype=np.int64)
    picked = 0
    covered = 0
    left = budget
    upper = np.inf
    next_bound = 0
    while picked < max_picks:
        eligible = allowed & ~chosen & (cost <= left + 1e-12)
        if picked == next_bound:
            # bound at prefixes 0, 1, 2, 4, 8, ... (each is valid; min is the tightest)
            upper = min(upper, covered + _knapsack_bound(gain, cost, allowed & ~chosen, budget))
            next_bound = max(1, 2 * next_bound)
        best = -1
        best_score = 0.0
        for v in range(n):
            if eligible[v] and gain[v] > 0:
                score = gain[v] / cost[v] if by_ratio else gain[v]
                if score > best_score:
                    best_score = score
                    best = v
        if best < 0:
            break
        chosen[best] = True
        picks[picked] = best
        gains[picked] = int(gain[best])
        picked += 1
        covered += int(gain[best])
        left -= cost[best]
        for j in range(node_ptr[best], node_ptr[best + 1]):
            i = node_rr[j]
            if not covered_rr[i]:
                covered_rr[i] = True
                for q in range(ptr[i], ptr[i + 1]):
                    gain[nodes[q]] -= 1
    upper = min(upper, covered + _knapsack_bound(gain, cost, allowed & ~chosen, budget))
    return picks[:picked].copy(), gains[:picked].copy(), covered, upper


@_jit
def celf_world_spread(
    indptr: np.ndarray,
    indices: np.ndarray,
    p: float,
    seeds: np.ndarray,
    n_sims: int,
    random_seed: np.int64,
) -> int:
    """GDS CELF's spread estimate of ``seeds``: its live-edge worlds, seed counted.

    In simulation ``s`` the ``j``-th out-relationship of every node is live when the
    ``j``-th ``nextDouble()`` of ``java.util.SplittableRandom(random_seed + s)`` is below
    ``p`` (GDS creates that generator anew for each activated node). Returns the total
    number of active nodes over the ``n_sims`` worlds (the spread is that / ``n_sims``).
    """
    n = indptr.shape[0] - 1
    stamp = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    total = 0
    for s in range(n_sims):
        base = np.uint64(random_seed + s)
        tail = 0
        for x in seeds:
            if stamp[x] != s:
                stamp[x] = s
                queue[tail] = x
                tail += 1
        head = 0
        while head < tail:
            u = queue[head]
            head += 1
            for j in range(indptr[u + 1] - indptr[u]):
                d = float(mix64(base + GAMMA * np.uint64(j + 1)) >> np.uint64(11)) * _UNIT
                if d < p:
                    v = indices[indptr[u] + j]
                    if stamp[v] != s:
                        stamp[v] = s
                        queue[tail] = v
                        tail += 1
        total += tail
    return total


@_jit
def bucket_order(keys: np.ndarray, n: int) -> np.ndarray:
    """Stable order of ``keys`` (each in ``[0, n)``) by counting sort: O(len + n)."""
    start = np.zeros(n + 1, np.int64)
    for key in keys:
        start[key + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    order = np.empty(keys.size, np.int64)
    for i in range(keys.size):
        key = keys[i]
        order[start[key]] = i
        start[key] += 1
    return order
