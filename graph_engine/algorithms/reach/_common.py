"""Shared plumbing: node lists, masks, model checks, seeds, threaded chunks."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import fresh_seed
from graph_engine.algorithms.reach import _kernels
from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.snapshot import GraphSnapshot

Model = Literal["ic", "lt"]
T = TypeVar("T")

Z95 = 1.959963984540054


def check_model(model: str) -> Model:
    """``model`` if it is "ic" or "lt", else a ParameterError naming it."""
    if model not in ("ic", "lt"):
        raise ParameterError(f"model must be 'ic' or 'lt', got {model!r}")
    return "ic" if model == "ic" else "lt"


def node_list(
    g: GraphSnapshot, name: str, nodes: Iterable[Hashable], *, allow_empty: bool = True
) -> npt.NDArray[np.int64]:
    """Dense indices of original ids (order kept, duplicates dropped); unknown ids named."""
    if isinstance(nodes, str | bytes):
        raise ParameterError(f"{name} must be a list of node ids, got the string {nodes!r}")
    out: dict[int, None] = {}
    unknown = []
    index = g.index_of
    for node in nodes:
        try:
            out[index(node)] = None
        except NotFoundError:
            unknown.append(node)
        except TypeError:
            raise ParameterError(f"{name}: {node!r} is not a valid node id") from None
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ParameterError(f"{name}: unknown node ids {shown}{more}")
    if not out and not allow_empty:
        raise ParameterError(f"{name} must not be empty")
    return np.fromiter(out, dtype=np.int64, count=len(out))


def node_mask(
    g: GraphSnapshot, name: str, nodes: Iterable[Hashable] | None
) -> npt.NDArray[np.bool_]:
    """Boolean mask of ``nodes`` (all True when None)."""
    mask = np.ones(g.n, dtype=np.bool_) if nodes is None else np.zeros(g.n, dtype=np.bool_)
    if nodes is not None:
        mask[node_list(g, name, nodes)] = True
    return mask


def kernel_seed(seed: int, stream: int) -> np.uint64:
    """A 64-bit kernel seed for ``(seed, stream)`` (independent streams per purpose)."""
    state = np.random.SeedSequence([seed & 0xFFFFFFFFFFFFFFFF, stream]).generate_state(1, np.uint64)
    return np.uint64(state[0])


def check_seed(seed: int | None) -> int:
    """The seed to use and record (None: a fresh random one)."""
    if seed is None:
        return fresh_seed()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ParameterError(f"seed must be an integer or None, got {seed!r}")
    return int(seed)


def threads() -> int:
    """Worker threads for compiled chunks (the kernels release the GIL)."""
    return max(1, min(8, os.cpu_count() or 1))


def run_chunks(fn: Callable[[int, int], T], total: int, chunk: int) -> list[T]:
    """``fn(first, count)`` over ``[0, total)`` in chunks, in parallel, results in order."""
    spans = [(first, min(chunk, total - first)) for first in range(0, total, chunk)]
    if len(spans) <= 1:
        return [fn(a, b) for a, b in spans]
    with ThreadPoolExecutor(max_workers=threads()) as pool:
        return list(pool.map(lambda span: fn(*span), spans))


def lt_check(g: GraphSnapshot, p: npt.NDArray[np.float64]) -> None:
    """LT needs every node's in-weights to sum to at most 1; name the first that does not."""
    incoming = np.bincount(g.indices, weights=p, minlength=g.n)
    bad = np.flatnonzero(incoming > 1.0 + 1e-9)
    if bad.size:
        v = int(bad[0])
        raise ParameterError(
            f"model='lt': in-weights of node {g.ids[v]!r} sum to {incoming[v]:.6g} > 1 "
            f"({bad.size} such nodes); use 'weighted_cascade' or normalise the weights"
        )


def in_csr(
    g: GraphSnapshot, p: npt.NDArray[np.float64]
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_]
]:
    """In-edge CSR ``(ptr, source, p, uniform)`` of ``g`` (cached per p array).

    ``uniform[v]``: every in-edge of v has the same p (weighted cascade, a constant), so
    RR sampling may skip geometrically between live edges.
    """
    cache: dict[int, Any] = g.__dict__.setdefault("_in_csr", {})
    hit = cache.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]  # type: ignore[no-any-return]
    order = _kernels.bucket_order(np.ascontiguousarray(g.indices, dtype=np.int64), g.n)
    ptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(g.indices, minlength=g.n), out=ptr[1:])
    in_p = np.ascontiguousarray(p[order])
    uniform = np.ones(g.n, dtype=np.bool_)
    has = np.flatnonzero(np.diff(ptr) > 0)
    if has.size:
        lo = np.minimum.reduceat(in_p, ptr[has])
        hi = np.maximum.reduceat(in_p, ptr[has])
        uniform[has] = lo == hi
    out = (ptr, np.ascontiguousarray(g.sources()[order]), in_p, uniform)
    cache.clear()
    cache[id(p)] = (p, out)
    return out


def ids_of(g: GraphSnapshot, idx: Sequence[int] | npt.NDArray[np.int64]) -> tuple[Hashable, ...]:
    """Original ids of dense indices."""
    return tuple(g.ids[int(i)] for i in idx)
