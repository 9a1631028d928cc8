"""Score details kept as numbers: a run's numeric detail leaves packed row by row.

A :class:`~graph_engine.store.base.ScoreColumns` run has the same detail keys on every
row, so the keys need to be written once per run (the *layout*), not once per row. Each
row then keeps its numeric leaves (floats, integers, booleans) as one little-endian
float64 vector, and its other leaves (mappings such as the audience by platform) as one
JSON array, in layout order. Unpacking gives back exactly the row's details: the same
keys in the same order, floats bit for bit, integers as ``int`` and booleans as
``bool``.

Integers are exact in a float64 up to 2**53; an integer column with a larger value is
kept as JSON instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import numpy as np

from graph_engine.store.base import DetailColumns, detail_leaves

__all__ = ["PackedDetails", "pack", "unpack"]

#: leaf kinds: float, integer, boolean (packed as float64), JSON (the rest)
FLOAT, INT, BOOL, JSON = "f", "i", "b", "j"
_EXACT = 2.0**53


@dataclass(frozen=True, eq=False)
class PackedDetails:
    """A run's details packed: ``layout`` is ``(dotted path, kind)`` per leaf in key
    order; ``values[i]`` and ``objects[i]`` are row ``i``'s numbers and JSON array
    (``None`` when the run has no such leaves)."""

    layout: tuple[tuple[str, str], ...]
    values: list[bytes] | None
    objects: list[str] | None

    def layout_json(self) -> str:
        """The layout as stored with the run."""
        return json.dumps([list(leaf) for leaf in self.layout])


def _kind(column: Any) -> str:
    if not isinstance(column, np.ndarray):
        return JSON
    if column.dtype == np.bool_:
        return BOOL
    if np.issubdtype(column.dtype, np.integer):
        big = column.size and max(abs(int(column.min())), abs(int(column.max()))) >= _EXACT
        return JSON if big else INT
    if np.issubdtype(column.dtype, np.floating):
        return FLOAT
    return JSON


def pack(details: DetailColumns, rows: int) -> PackedDetails:
    """Pack the detail columns of ``rows`` score rows.

    Examples
    --------
    >>> p = pack({"a": np.array([1.5, 2.0]), "b": {"c": np.array([3, 4])}}, 2)
    >>> p.layout
    (('a', 'f'), ('b.c', 'i'))
    >>> unpack(p.layout_json(), p.values[1], None)
    {'a': 2.0, 'b': {'c': 4}}
    """
    leaves = detail_leaves(details)
    layout = tuple((path, _kind(column)) for path, column in leaves)
    numeric = [
        column for (_, kind), (_, column) in zip(layout, leaves, strict=True) if kind != JSON
    ]
    others = [column for (_, kind), (_, column) in zip(layout, leaves, strict=True) if kind == JSON]
    values: list[bytes] | None = None
    if numeric:
        matrix = np.empty((rows, len(numeric)), dtype="<f8")
        for j, column in enumerate(numeric):
            matrix[:, j] = column
        record = np.dtype((np.void, 8 * len(numeric)))
        values = cast("list[bytes]", matrix.view(record).ravel().tolist())  # bytes per row
    objects: list[str] | None = None
    if others:
        encoded = [_encoded(c.tolist() if isinstance(c, np.ndarray) else c) for c in others]
        objects = [f"[{', '.join(row)}]" for row in zip(*encoded, strict=True)]
    return PackedDetails(layout, values, objects)


def _encoded(column: Sequence[Any]) -> list[str]:
    """Each value as JSON (empty mappings, the common case, without the encoder)."""
    encode = json.JSONEncoder(default=float).encode
    return ["{}" if isinstance(v, dict) and not v else encode(v) for v in column]


@lru_cache(maxsize=64)
def _plan(layout_json: str) -> tuple[tuple[tuple[str, ...], str, int], ...]:
    """Per leaf: its key path, kind and index in the numbers (or in the JSON array)."""
    plan = []
    n_numeric = n_json = 0
    for path, kind in json.loads(layout_json):
        if kind == JSON:
            plan.append((tuple(path.split(".")), kind, n_json))
            n_json += 1
        else:
            plan.append((tuple(path.split(".")), kind, n_numeric))
            n_numeric += 1
    return tuple(plan)


def unpack(layout_json: str, values: bytes | None, objects: str | None) -> dict[str, Any]:
    """One row's details from its layout, numbers and JSON array (see :func:`pack`)."""
    numbers: Sequence[float] = np.frombuffer(values, dtype="<f8").tolist() if values else ()
    others = json.loads(objects) if objects else ()
    out: dict[str, Any] = {}
    for path, kind, index in _plan(layout_json):
        node = out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if kind == JSON:
            node[path[-1]] = others[index]
        elif kind == INT:
            node[path[-1]] = int(numbers[index])
        elif kind == BOOL:
            node[path[-1]] = bool(numbers[index])
        else:
            node[path[-1]] = numbers[index]
    return out
