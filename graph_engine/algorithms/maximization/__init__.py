"""Influence maximization: certified seed selection, GDS-compatible CELF, shortlists.

- :func:`select_seeds`: k seeds or a budget with costs, targets, candidates / exclusions,
  OPIM-C with a certified approximation ratio;
- :func:`celf`: Neo4j GDS's CELF, same defaults and random numbers;
- :func:`evaluate_shortlist`: unique, marginal and overlapping reach of a candidate list.
"""

from graph_engine.algorithms.maximization.celf import CelfResult, celf
from graph_engine.algorithms.maximization.seeds import SeedSet, select_seeds
from graph_engine.algorithms.maximization.shortlist import ShortlistReport, evaluate_shortlist

__all__ = [
    "CelfResult",
    "SeedSet",
    "ShortlistReport",
    "celf",
    "evaluate_shortlist",
    "select_seeds",
]
