"""Exact expected spread by enumerating live-edge worlds (tiny graphs; test helper)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from graph_engine import GraphSnapshot


def _reach(n: int, live: Iterable[tuple[int, int]], seeds: Iterable[int]) -> set[int]:
    adj: dict[int, list[int]] = {}
    for u, v in live:
        adj.setdefault(u, []).append(v)
    seen = set(seeds)
    stack = list(seen)
    while stack:
        u = stack.pop()
        for v in adj.get(u, []):
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


def ic_worlds(g: GraphSnapshot, p: Sequence[float]) -> list[tuple[float, list[tuple[int, int]]]]:
    """Every IC live-edge world with its probability (2^m of them)."""
    src, dst = g.sources().tolist(), g.indices.tolist()
    out = []
    for bits in itertools.product((0, 1), repeat=g.m):
        prob = 1.0
        live = []
        for e, b in enumerate(bits):
            prob *= p[e] if b else 1 - p[e]
            if b:
                live.append((src[e], dst[e]))
        if prob > 0:
            out.append((prob, live))
    return out


def lt_worlds(g: GraphSnapshot, w: Sequence[float]) -> list[tuple[float, list[tuple[int, int]]]]:
    """Every LT live-edge world: each node keeps one in-edge with its weight, or none."""
    src, dst = g.sources().tolist(), g.indices.tolist()
    choices: list[list[tuple[float, int | None]]] = []
    for v in range(g.n):
        edges = [e for e in range(g.m) if dst[e] == v]
        opts: list[tuple[float, int | None]] = [(w[e], e) for e in edges]
        opts.append((1.0 - sum(w[e] for e in edges), None))
        choices.append(opts)
    out = []
    for combo in itertools.product(*choices):
        prob = float(np.prod([c[0] for c in combo]))
        if prob > 1e-15:
            out.append((prob, [(src[e], dst[e]) for _, e in combo if e is not None]))
    return out


def exact_spread(
    g: GraphSnapshot,
    worlds: list[tuple[float, list[tuple[int, int]]]],
    seeds: Iterable[int],
    targets: set[int] | None = None,
) -> float:
    """Expected number of (target) nodes reached from ``seeds`` (dense indices)."""
    seeds = list(seeds)
    total = 0.0
    for prob, live in worlds:
        reached = _reach(g.n, live, seeds)
        total += prob * len(reached if targets is None else reached & targets)
    return total
