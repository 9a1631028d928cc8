"""Typed, frozen algorithm results keyed by the snapshot's original node ids."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ParameterError

__all__ = ["NodeScores", "Partition"]


def _freeze(values: npt.ArrayLike, dtype: Any) -> npt.NDArray[Any]:
    arr = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class NodeScores:
    """One score per node.

    Attributes
    ----------
    ids : tuple
        Original node ids (the snapshot's).
    scores : ndarray of float64
        ``scores[i]`` belongs to ``ids[i]``.
    algorithm : str
    config : mapping
        The configuration that produced the scores (seed included).
    ran_iterations, did_converge : int or None, bool or None
        Where the algorithm iterates, as GDS reports them.
    """

    ids: tuple[Hashable, ...]
    scores: npt.NDArray[np.float64]
    algorithm: str
    config: Mapping[str, Any] = field(default_factory=dict)
    ran_iterations: int | None = None
    did_converge: bool | None = None

    def __post_init__(self) -> None:
        scores = _freeze(self.scores, np.float64)
        if scores.shape != (len(self.ids),):
            raise ParameterError(f"{len(scores)} scores for {len(self.ids)} nodes")
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    def to_dict(self) -> dict[Hashable, float]:
        """``{node id: score}``."""
        return dict(zip(self.ids, self.scores.tolist(), strict=True))

    def top(self, k: int) -> list[tuple[Hashable, float]]:
        """The ``k`` highest scores, ties broken by node order."""
        order = np.argsort(-self.scores, kind="stable")[:k]
        return [(self.ids[i], float(self.scores[i])) for i in order.tolist()]


@dataclass(frozen=True, eq=False)
class Partition:
    """A community id per node (ids are arbitrary; compare partitions, not ids).

    Attributes
    ----------
    ids : tuple
        Original node ids.
    membership : ndarray of int64
        Community id of each node.
    algorithm : str
    config : mapping
    modularity : float or None
        Modularity of the final partition, where the algorithm optimises it.
    levels : tuple of ndarray
        Intermediate memberships (Louvain / Leiden levels), last one final.
    modularities : tuple of float
        Modularity per level.
    ran_iterations, did_converge : int or None, bool or None
    """

    ids: tuple[Hashable, ...]
    membership: npt.NDArray[np.int64]
    algorithm: str
    config: Mapping[str, Any] = field(default_factory=dict)
    modularity: float | None = None
    levels: tuple[npt.NDArray[np.int64], ...] = ()
    modularities: tuple[float, ...] = ()
    ran_iterations: int | None = None
    did_converge: bool | None = None

    def __post_init__(self) -> None:
        membership = _freeze(self.membership, np.int64)
        if membership.shape != (len(self.ids),):
            raise ParameterError(f"{len(membership)} labels for {len(self.ids)} nodes")
        object.__setattr__(self, "membership", membership)
        object.__setattr__(self, "levels", tuple(_freeze(x, np.int64) for x in self.levels))
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    @property
    def community_count(self) -> int:
        """Number of distinct communities."""
        return int(np.unique(self.membership).size)

    def to_dict(self) -> dict[Hashable, int]:
        """``{node id: community id}``."""
        return dict(zip(self.ids, self.membership.tolist(), strict=True))

    def communities(self) -> list[set[Hashable]]:
        """The communities as sets of node ids, largest first."""
        groups: dict[int, set[Hashable]] = {}
        for node, label in zip(self.ids, self.membership.tolist(), strict=True):
            groups.setdefault(label, set()).add(node)
        return sorted(groups.values(), key=lambda c: (-len(c), sorted(map(repr, c))))
