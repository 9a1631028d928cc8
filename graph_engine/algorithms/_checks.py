"""Validators that name the bad argument and value, and shared helpers."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = [
    "as_generator",
    "check_int",
    "check_range",
    "edge_weights",
    "fresh_seed",
    "node_values",
    "source_vector",
]


def check_range(
    name: str,
    value: float,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` if it lies in the range, else raise naming it."""
    ok_low = value > low if low_open else value >= low
    ok_high = value < high if high_open else value <= high
    if not (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and ok_low
        and ok_high
        and np.isfinite(value)
    ):
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ParameterError(f"{name} must lie in {lo}{low}, {high}{hi}, got {value!r}")
    return float(value)


def check_int(name: str, value: int, minimum: int) -> int:
    """Return ``value`` if it is an int >= minimum, else raise naming it."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def fresh_seed() -> int:
    """A new random seed (for ``seed=None``), small enough to record and reuse."""
    return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]


def as_generator(seed: int | np.random.Generator | None) -> tuple[np.random.Generator, Any]:
    """A Generator from a seed, and the seed to record in the result."""
    if isinstance(seed, np.random.Generator):
        return seed, "generator"
    if seed is None:
        seed = fresh_seed()
    return np.random.default_rng(seed), seed


def edge_weights(g: GraphSnapshot, weighted: bool) -> npt.NDArray[np.float64]:
    """Weight per edge: the snapshot's when ``weighted`` (negatives as 0), else ones."""
    if not weighted:
        return np.ones(g.m)
    if g.weights is None:
        raise ParameterError("weighted=True but the snapshot has no relationship weights")
    return np.where(g.weights > 0, g.weights, 0.0)


def node_values(
    g: GraphSnapshot, name: str, values: Mapping[Hashable, Any], fill: float = np.nan
) -> npt.NDArray[np.float64]:
    """A per-node array from ``{original id: value}`` (missing: ``fill``)."""
    out = np.full(g.n, fill, dtype=np.float64)
    for node, value in values.items():
        try:
            out[g.index_of(node)] = value
        except NotFoundError:
            raise ParameterError(f"{name}: node {node!r} is not in the graph") from None
        except (TypeError, ValueError):
            raise ParameterError(
                f"{name}: value {value!r} of node {node!r} is not a number"
            ) from None
    return out


def source_vector(
    g: GraphSnapshot, source_nodes: Iterable[Any] | None
) -> npt.NDArray[np.float64] | None:
    """The teleport vector of ``source_nodes`` (ids, or ``(id, bias)`` pairs), or None."""
    if source_nodes is None:
        return None
    items = list(source_nodes)
    if not items:
        return None
    p = np.zeros(g.n)
    for item in items:
        node, bias = (item[0], item[1]) if isinstance(item, tuple | list) else (item, 1.0)
        try:
            index = g.index_of(node)
        except NotFoundError:
            raise ParameterError(f"source_nodes: node {node!r} is not in the graph") from None
        bias = check_range(f"source_nodes bias of {node!r}", bias, 0.0, np.inf, high_open=True)
        p[index] = bias
    return p
