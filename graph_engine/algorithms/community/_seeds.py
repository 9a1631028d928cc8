"""Seeded community ids (GDS ``seedProperty``)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import node_values
from graph_engine.algorithms.community._graph import relabel
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["seed_array", "seeded_ids"]


def seed_array(
    g: GraphSnapshot, seed_property: Mapping[Hashable, Any] | None
) -> npt.NDArray[np.int64] | None:
    """Seed community per node (-1: unseeded), or None without seeds."""
    if seed_property is None:
        return None
    values = node_values(g, "seed_property", seed_property, fill=-1)
    if np.any(values[values != -1] < 0) or not np.all(values == np.round(values)):
        raise ParameterError("seed_property: seeds must be non-negative integers")
    return values.astype(np.int64)


def seeded_ids(
    membership: npt.ArrayLike, seeds: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    """Name communities: by their (smallest) seed where they hold a seeded node, else by
    ids above the largest seed (GDS); without seeds, by their smallest node index.

    Examples
    --------
    >>> seeded_ids([0, 0, 1, 2], np.array([42, -1, -1, -1])).tolist()
    [42, 42, 43, 44]
    """
    canonical = relabel(membership)
    if seeds is None or not np.any(seeds >= 0):
        return canonical
    big = np.iinfo(np.int64).max
    best = np.full(canonical.size, big, dtype=np.int64)  # min seed per community
    seeded = seeds >= 0
    np.minimum.at(best, canonical[seeded], seeds[seeded])
    communities = np.unique(canonical)
    fresh = communities[best[communities] == big]
    best[fresh] = int(seeds.max()) + 1 + np.arange(fresh.size)
    return best[canonical]
