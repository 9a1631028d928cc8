"""Marginal reach of an influencer shortlist: who adds audience, who only overlaps.

Influencer platforms add up follower counts; two KOLs with the same fans reach the same
people twice. Over one pool of RR sets this module gives, for a candidate list L:

- ``alone[c]``: c's expected reach as the only seed;
- ``union``: the expected reach of the whole list;
- ``unique[c] = σ(L) - σ(L \\ {c})``: what dropping c loses (reach nobody else in L
  brings);
- ``added[c]``: c's marginal gain in greedy order (what adding c brings on top of the
  better candidates before it);
- ``overlap[a, b] = σ({a}) + σ({b}) - σ({a, b})``: expected audience they share, and its
  Jaccard form ``overlap / σ({a, b})``.

References
----------
Borgs, C., Brautbar, M., Chayes, J., & Lucier, B. (2014). Maximizing social influence in
nearly optimal time. SODA.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.algorithms._checks import check_int
from graph_engine.algorithms.reach import _kernels
from graph_engine.algorithms.reach._common import Z95, ids_of, node_list
from graph_engine.algorithms.reach.probabilities import ProbabilitySpec
from graph_engine.algorithms.reach.rrsets import RRSets, sample_rr_sets
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["ShortlistReport", "evaluate_shortlist"]


@dataclass(frozen=True, eq=False)
class ShortlistReport:
    """Unique, marginal and shared reach of a candidate list (expected people).

    Attributes
    ----------
    candidates : tuple
        Candidate ids, in the order given.
    alone, unique, added : ndarray of float64
        Per candidate: reach alone; reach lost by dropping it from the list; gain when
        added in ``greedy_order``.
    greedy_order : tuple
        Candidates ordered by greedy marginal gain.
    union : float
        Expected reach of the whole list; ``union_std_error`` its standard error.
    overlap : ndarray of float64, shape (k, k)
        Expected shared audience of each pair (diagonal: reach alone).
    rr_sets : int
    config : mapping
    seconds : float
    """

    candidates: tuple[Hashable, ...]
    alone: npt.NDArray[np.float64]
    unique: npt.NDArray[np.float64]
    added: npt.NDArray[np.float64]
    greedy_order: tuple[Hashable, ...]
    union: float
    union_std_error: float
    overlap: npt.NDArray[np.float64]
    rr_sets: int
    config: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("alone", "unique", "added", "overlap"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    @property
    def sum_of_alone(self) -> float:
        """What adding up individual reaches claims (counts shared audience repeatedly)."""
        return float(self.alone.sum())

    def jaccard(self) -> npt.NDArray[np.float64]:
        """Pairwise overlap / union of the pair's reach (1 on the diagonal)."""
        a = self.alone
        pair_union = a[:, None] + a[None, :] - self.overlap
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(pair_union > 0, self.overlap / pair_union, 0.0)
        np.fill_diagonal(out, 1.0)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        jac = self.jaccard()
        k = len(self.candidates)
        return {
            "candidates": [
                {
                    "id": c,
                    "alone": float(self.alone[i]),
                    "unique": float(self.unique[i]),
                    "added": float(self.added[i]),
                }
                for i, c in enumerate(self.candidates)
            ],
            "greedy_order": list(self.greedy_order),
            "union": self.union,
            "union_std_error": self.union_std_error,
            "sum_of_alone": self.sum_of_alone,
            "overlap": [
                {
                    "a": self.candidates[i],
                    "b": self.candidates[j],
                    "shared": float(self.overlap[i, j]),
                    "jaccard": float(jac[i, j]),
                }
                for i in range(k)
                for j in range(i + 1, k)
            ],
            "rr_sets": self.rr_sets,
            "config": dict(self.config),
            "seconds": self.seconds,
        }


def evaluate_shortlist(
    g: GraphSnapshot,
    candidates: Iterable[Hashable],
    probabilities: ProbabilitySpec = "weighted_cascade",
    model: str = "ic",
    n_rr_sets: int = 200_000,
    seed: int | None = 0,
    *,
    targets: Iterable[Hashable] | None = None,
    pool: RRSets | None = None,
) -> ShortlistReport:
    """Unique and marginal reach of each candidate and their pairwise overlap.

    Parameters
    ----------
    g : GraphSnapshot
        Influence graph.
    candidates : iterable of ids
        The shortlist (at most 1,000).
    probabilities, model, seed, targets
        As in :func:`~graph_engine.algorithms.reach.sample_rr_sets`.
    n_rr_sets : int
        RR sets to sample (ignored when ``pool`` is given). Standard errors scale as
        ``n / sqrt(n_rr_sets)``.
    pool : RRSets, optional
        Reuse an existing pool of the same graph.

    Returns
    -------
    ShortlistReport

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a", "b"], ["x", "y", "y"])
    >>> r = evaluate_shortlist(g, ["a", "b"], probabilities=1.0, n_rr_sets=3000)
    >>> round(r.union), round(r.overlap[0, 1])
    (4, 1)
    """
    started = time.perf_counter()
    idx = node_list(g, "candidates", candidates, allow_empty=False)
    k = int(idx.size)
    if k > 1000:
        raise ParameterError(f"candidates: {k} ids, at most 1000 per shortlist")
    if pool is None:
        n_rr_sets = check_int("n_rr_sets", n_rr_sets, 1)
        pool = sample_rr_sets(g, probabilities, n_rr_sets, model, seed, targets=targets)
    elif pool.graph is not g:
        raise ParameterError("pool was sampled on another graph")
    slot = np.full(g.n, -1, dtype=np.int64)
    slot[idx] = np.arange(k)
    alone, unique, pairs, union = _kernels.shortlist_counts(pool.ptr, pool.nodes, slot, k)
    theta, scale = len(pool), pool.scale
    unit = scale / theta
    overlap = pairs.astype(np.float64) * unit
    np.fill_diagonal(overlap, alone * unit)
    # greedy order: repeated max coverage restricted to the shortlist
    allowed = np.zeros(g.n, dtype=np.bool_)
    allowed[idx] = True
    picks, gains, _, _ = _kernels.greedy_cover(
        pool.ptr, pool.nodes, g.n, allowed, np.ones(g.n), float(k), k, False
    )
    added = np.zeros(k)
    added[slot[picks]] = gains * unit
    rest = [int(v) for v in idx if v not in set(picks.tolist())]
    order = [*picks.tolist(), *rest]
    x = union / theta
    return ShortlistReport(
        candidates=ids_of(g, idx),
        alone=alone * unit,
        unique=unique * unit,
        added=added,
        greedy_order=ids_of(g, order),
        union=scale * x,
        union_std_error=scale * float(np.sqrt(x * (1 - x) / theta)),
        overlap=overlap,
        rr_sets=theta,
        config={**pool.config, "rr_sets": theta, "ci_z": Z95},
        seconds=time.perf_counter() - started,
    )
