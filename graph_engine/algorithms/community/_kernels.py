"""Compiled kernels (numba) for modularity optimisation: Louvain and Leiden.

Every kernel works on the CSR adjacency of an undirected multigraph in which each
relationship is stored in both directions (a self-loop twice), so a node's strength is
the sum of its row and ``2m`` is the sum of all stored weights. Communities are
integers in ``0..n-1``. Moving node ``v`` (strength ``k_v``) into community ``C``
changes the objective ``Σ_c (I_c − γ K_c² / 2m) / 2m`` by ``(w(v, C) − γ k_v K_C / 2m)
/ m``, where ``w(v, C)`` is the weight between ``v`` and ``C`` and ``K_C`` excludes
``v``; the kernels compare ``w(v, C) − r k_v K_C`` with ``r = γ / 2m``.

The kernels draw nothing: random visiting orders and the refinement's uniform numbers
come from the caller (a seeded numpy Generator), so a run is reproducible from its seed.
Node and community ids are 32-bit (``int32``): halving the bytes of the arrays read at
random while moving nodes (the communities of neighbours) makes local moving about twice
as fast on a million-node graph.

Why numba: local moving is a per-node loop over neighbours whose state changes after
every move, which numpy cannot vectorise; igraph's C version needs the graph converted
into an igraph object first (seconds at millions of edges). ``benchmarks/communities.py``
measures these kernels against igraph and networkit.

References
----------
Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast unfolding
of communities in large networks. J. Stat. Mech. P10008.
Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden:
guaranteeing well-connected communities. Scientific Reports 9, 5233 (Algorithm A.2).
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms.reach._kernels import _jit

__all__ = [
    "aggregate",
    "compact",
    "fast_local_moving",
    "permute",
    "quality",
    "refine",
    "sweep_local_moving",
]


@_jit
def compact(labels: np.ndarray) -> tuple[np.ndarray, int]:  # pragma: no cover - numba
    """Labels in ``0..n-1`` renumbered ``0..count-1`` in order of first appearance."""
    n = labels.size
    fresh = np.full(n, -1, dtype=np.int32)
    out = np.empty(n, dtype=np.int32)
    count = 0
    for v in range(n):
        c = labels[v]
        if fresh[c] < 0:
            fresh[c] = count
            count += 1
        out[v] = fresh[c]
    return out, count


@_jit
def _copy_row(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    v: int,
    rename: np.ndarray,
    out_idx: np.ndarray,
    out_w: np.ndarray,
    at: int,
) -> int:  # pragma: no cover - numba
    """Write node ``v``'s adjacency from position ``at``, targets renamed; returns the
    position after it."""
    for e in range(indptr[v], indptr[v + 1]):
        out_idx[at] = rename[indices[e]]
        out_w[at] = w[e]
        at += 1
    return at


@_jit
def permute(
    indptr: np.ndarray, indices: np.ndarray, w: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """The same graph with node ``order[i]`` renamed ``i``.

    Visiting a randomly renamed graph in index order visits the original nodes in a
    random order while reading the adjacency front to back, which keeps memory reads
    sequential (twice as fast as jumping between rows on a graph of a million edges).
    """
    n = indptr.size - 1
    rename = np.empty(n, dtype=np.int32)
    for i in range(n):
        rename[order[i]] = i
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        v = order[i]
        out_ptr[i + 1] = out_ptr[i] + indptr[v + 1] - indptr[v]
    out_idx = np.empty(indices.size, dtype=np.int32)
    out_w = np.empty(indices.size)
    for i in range(n):
        _copy_row(indptr, indices, w, order[i], rename, out_idx, out_w, out_ptr[i])
    return out_ptr, out_idx, out_w


@_jit
def quality(
    indptr: np.ndarray, indices: np.ndarray, w: np.ndarray, labels: np.ndarray, gamma: float
) -> float:  # pragma: no cover - numba
    """``Σ_c (I_c − γ K_c² / 2m) / 2m`` of ``labels`` (non-negative integers; 0 on a
    graph without weight)."""
    n = indptr.size - 1
    total = np.zeros(labels.max() + 1 if n else 0)
    inside = 0.0
    two_m = 0.0
    for v in range(n):
        c = labels[v]
        for e in range(indptr[v], indptr[v + 1]):
            two_m += w[e]
            total[c] += w[e]
            if labels[indices[e]] == c:
                inside += w[e]
    if two_m <= 0.0:
        return 0.0
    squares = 0.0
    for c in range(total.size):
        squares += total[c] * total[c]
    return (inside - gamma * squares / two_m) / two_m


@_jit
def _links(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    labels: np.ndarray,
    v: int,
    seen: np.ndarray,
    link: np.ndarray,
    listed: np.ndarray,
    groups: np.ndarray,
    group: int,
) -> int:  # pragma: no cover - numba
    """The labels next to ``v`` (its own first) into ``listed`` and the weight from
    ``v`` to each into ``link``, self-loops left out, and with ``group >= 0`` only
    neighbours ``u`` with ``groups[u] == group``; returns how many were listed."""
    own = labels[v]
    count = 0
    seen[own] = v
    link[own] = 0.0
    listed[count] = own
    count += 1
    for e in range(indptr[v], indptr[v + 1]):
        u = indices[e]
        if u == v or (group >= 0 and groups[u] != group):
            continue
        c = labels[u]
        if seen[c] != v:
            seen[c] = v
            link[c] = 0.0
            listed[count] = c
            count += 1
        link[c] += w[e]
    return count


@_jit
def _best(
    listed: np.ndarray,
    count: int,
    link: np.ndarray,
    tot: np.ndarray,
    kv: float,
    resolution: float,
) -> tuple[int, float, float]:  # pragma: no cover - numba
    """The listed community that gains most for a node of strength ``kv`` taken out of
    its own (``listed[0]``, kept on a tie), its gain, and the runner-up's gain (at least
    0, being alone)."""
    best = listed[0]
    best_gain = link[best] - resolution * kv * tot[best]
    second = 0.0
    for j in range(1, count):
        c = listed[j]
        gain = link[c] - resolution * kv * tot[c]
        if gain > best_gain:
            second = max(second, best_gain)
            best_gain = gain
            best = c
        else:
            second = max(second, gain)
    return best, best_gain, second


@_jit
def sweep_local_moving(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    k: np.ndarray,
    comm: np.ndarray,
    order: np.ndarray,
    resolution: float,
    max_sweeps: int,
    tolerance: float,
    two_m: float,
) -> int:  # pragma: no cover - numba
    """Louvain's local moving, in place on ``comm``: sweeps over the nodes in ``order``,
    each node moved to the neighbouring community that gains most (staying on a tie),
    until a sweep moves nobody, gains at most ``tolerance`` in modularity, or
    ``max_sweeps`` sweeps. Returns the number of nodes moved."""
    n = indptr.size - 1
    tot = np.zeros(n)
    for v in range(n):
        tot[comm[v]] += k[v]
    link = np.zeros(n)
    seen = np.full(n, -1, dtype=np.int32)
    listed = np.empty(n, dtype=np.int32)
    moved = 0
    for _ in range(max_sweeps):
        moves = 0
        gained = 0.0
        for i in range(n):
            v = order[i]
            cv = comm[v]
            count = _links(indptr, indices, w, comm, v, seen, link, listed, comm, -1)
            kv = k[v]
            tot[cv] -= kv
            stay = link[cv] - resolution * kv * tot[cv]
            best, best_gain, _ = _best(listed, count, link, tot, kv, resolution)
            tot[best] += kv
            if best != cv:
                comm[v] = best
                moves += 1
                gained += best_gain - stay
        moved += moves
        if moves == 0 or 2.0 * gained / two_m <= tolerance:
            break
    return moved


@_jit
def fast_local_moving(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    k: np.ndarray,
    comm: np.ndarray,
    order: np.ndarray,
    resolution: float,
    tolerance: float,
    two_m: float,
) -> int:  # pragma: no cover - numba
    """Leiden's fast local moving, in place on ``comm``: a queue starting with every node
    in ``order``; a popped node goes to the community that gains most (an empty one when
    every neighbouring community loses, staying on a tie), and a move queues the node's
    neighbours outside its new community whose choice it can change: a node remembers by
    how much its choice led the runner-up (being alone included) when last visited, and
    each neighbour's move spends at most twice its link weight plus ``r k_u k_v`` of that
    lead, so a node is queued again only once its lead could be gone (a hub, whose lead
    is large, is not rescanned after every one of its many neighbours moves). The queue
    is worked in rounds (a round: the
    nodes queued when it starts) and stops when empty or when a round gains at most
    ``tolerance`` in modularity: without that bound, a million-node power-law graph
    spends most of its time in rounds of tiny gains. Returns the number of moves."""
    n = indptr.size - 1
    tot = np.zeros(n)
    size = np.zeros(n, dtype=np.int32)
    for v in range(n):
        tot[comm[v]] += k[v]
        size[comm[v]] += 1
    empty = np.empty(n, dtype=np.int32)  # a stack of unused community ids
    empties = 0
    for c in range(n - 1, -1, -1):
        if size[c] == 0:
            empty[empties] = c
            empties += 1
    queue = order.copy()
    queued = np.ones(n, dtype=np.bool_)
    head = 0
    pending = n
    round_left = n
    gained = 0.0
    link = np.zeros(n)
    seen = np.full(n, -1, dtype=np.int32)
    listed = np.empty(n, dtype=np.int32)
    slack = np.zeros(n)  # how far a node's best choice led when it was last visited
    moves = 0
    while pending > 0:
        if round_left == 0:
            if 2.0 * gained / two_m <= tolerance:
                break
            round_left = pending
            gained = 0.0
        round_left -= 1
        v = queue[head]
        head = head + 1 if head + 1 < n else 0
        pending -= 1
        queued[v] = False
        cv = comm[v]
        count = _links(indptr, indices, w, comm, v, seen, link, listed, comm, -1)
        kv = k[v]
        tot[cv] -= kv
        size[cv] -= 1
        stay = link[cv] - resolution * kv * tot[cv]
        best, best_gain, second = _best(listed, count, link, tot, kv, resolution)
        if best_gain < 0.0 and size[cv] > 0 and empties > 0:
            empties -= 1  # alone beats every community in reach
            best = empty[empties]
            second = best_gain
            best_gain = 0.0
        slack[v] = best_gain - second if best_gain > second else 0.0
        tot[best] += kv
        size[best] += 1
        if best != cv:
            if size[cv] == 0:
                empty[empties] = cv
                empties += 1
            comm[v] = best
            moves += 1
            gained += best_gain - stay
            for e in range(indptr[v], indptr[v + 1]):
                u = indices[e]
                if queued[u] or u == v:
                    continue
                # the move changes u's gain for two communities (v's old and new one) by
                # at most w + r k_u k_v each: u's choice holds until its lead is spent
                slack[u] -= 2.0 * (w[e] + resolution * k[u] * kv)
                if slack[u] < 0.0 and comm[u] != best:
                    queued[u] = True
                    tail = head + pending
                    if tail >= n:
                        tail -= n
                    queue[tail] = u
                    pending += 1
    return moves


@_jit
def refine(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    k: np.ndarray,
    comm: np.ndarray,
    order: np.ndarray,
    uniform: np.ndarray,
    resolution: float,
    theta: float,
) -> np.ndarray:  # pragma: no cover - numba
    """Leiden's refinement of ``comm``: within each community, starting from singletons,
    each well-connected node still alone joins a well-connected refined community of
    its own community, drawn with probability ``∝ exp(gain / theta)`` among those that
    do not lose (staying alone gains 0). ``uniform[v]`` is node ``v``'s draw. Returns the
    refined community of every node (ids in ``0..n-1``)."""
    n = indptr.size - 1
    total = np.zeros(n)  # strength of each community of comm
    for v in range(n):
        total[comm[v]] += k[v]
    ref = np.arange(n).astype(np.int32)
    ref_tot = k.copy()
    ref_size = np.ones(n, dtype=np.int32)
    ext = np.zeros(n)  # weight from a refined community to the rest of its community
    for v in range(n):
        cv = comm[v]
        for e in range(indptr[v], indptr[v + 1]):
            u = indices[e]
            if u != v and comm[u] == cv:
                ext[v] += w[e]
    link = np.zeros(n)
    seen = np.full(n, -1, dtype=np.int32)
    listed = np.empty(n, dtype=np.int32)
    gains = np.empty(n)
    for i in range(n):
        v = order[i]
        if ref_size[ref[v]] != 1:
            continue  # joined by another node: no longer a singleton
        cv = comm[v]
        kv = k[v]
        if ext[v] < resolution * kv * (total[cv] - kv):
            continue  # not well connected to its community
        own = ref[v]
        count = _links(indptr, indices, w, ref, v, seen, link, listed, comm, cv)
        ref_tot[own] -= kv
        best = own
        best_gain = 0.0
        candidates = 0
        for j in range(count):
            t = listed[j]
            if j > 0 and ext[t] < resolution * ref_tot[t] * (total[cv] - ref_tot[t]):
                gains[j] = -1.0
                continue  # not well connected itself
            gain = link[t] - resolution * kv * ref_tot[t] if j > 0 else 0.0
            gains[j] = gain
            if gain >= 0.0:
                candidates += 1
                if gain > best_gain:
                    best_gain = gain
                    best = t
        chosen = best
        if candidates > 1:
            weight = 0.0  # relative to the best's exp(gain / theta), which is 1
            for j in range(count):
                if gains[j] >= 0.0:
                    x = (gains[j] - best_gain) / theta
                    # below e^-40 a weight vanishes next to the best's 1 in float64
                    gains[j] = np.exp(x) if x > -40.0 else 0.0
                    weight += gains[j]
                else:
                    gains[j] = 0.0
            target = uniform[v] * weight
            running = 0.0
            for j in range(count):
                if gains[j] > 0.0:
                    running += gains[j]
                    if running >= target:
                        chosen = listed[j]
                        break
        ref_tot[chosen] += kv
        if chosen != own:
            ext[chosen] = ext[chosen] + ext[v] - 2.0 * link[chosen]
            ref_size[own] -= 1
            ref_size[chosen] += 1
            ref[v] = chosen
    return ref


@_jit
def aggregate(
    indptr: np.ndarray, indices: np.ndarray, w: np.ndarray, groups: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """The graph of ``count`` groups (``groups[v]`` in ``0..count-1``): one stored entry
    per ordered pair of groups holding the sum of the weights between them, the
    weight inside a group as its self-loop (so strengths and ``2m`` are kept).

    Two passes: the adjacency is read front to back, each entry's target group copied
    into its source group's bucket; then each bucket is summed by target in place.
    (Reading the rows group by group instead jumps between rows: twice as slow.)
    """
    n = indptr.size - 1
    start = np.zeros(count + 1, dtype=np.int64)
    for v in range(n):
        start[groups[v] + 1] += indptr[v + 1] - indptr[v]
    for c in range(count):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    targets = np.empty(indices.size, dtype=np.int32)
    weights = np.empty(indices.size)
    for v in range(n):
        c = groups[v]
        fill[c] = _copy_row(indptr, indices, w, v, groups, targets, weights, fill[c])
    out_ptr = np.zeros(count + 1, dtype=np.int64)
    acc = np.zeros(count)
    seen = np.full(count, -1, dtype=np.int32)
    listed = np.empty(count, dtype=np.int32)
    written = 0
    for c in range(count):
        found = 0
        for i in range(start[c], start[c + 1]):
            d = targets[i]
            if seen[d] != c:
                seen[d] = c
                acc[d] = 0.0
                listed[found] = d
                found += 1
            acc[d] += weights[i]
        for j in range(found):  # written <= start[c]: never over an unread entry
            d = listed[j]
            targets[written] = d
            weights[written] = acc[d]
            written += 1
        out_ptr[c + 1] = written
    return out_ptr, targets[:written].copy(), weights[:written].copy()
