"""Weakly connected components (GDS ``gds.wcc``)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph_engine.algorithms.community._seeds import seed_array, seeded_ids
from graph_engine.algorithms.results import Partition
from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["wcc"]


def wcc(
    g: GraphSnapshot,
    threshold: float | None = None,
    seed_property: Mapping[Hashable, Any] | None = None,
) -> Partition:
    """Weakly connected components: direction ignored.

    Parameters
    ----------
    g : GraphSnapshot
    threshold : float, optional
        Keep only relationships whose weight is strictly greater (needs weights).
    seed_property : mapping of node id to component id, optional
        Components holding seeded nodes keep the (smallest) seed; others get ids above
        the largest seed. Unseeded ids are the component's smallest node index.

    Returns
    -------
    Partition

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "c"], ["b", "d"])
    >>> wcc(g).to_dict()
    {'a': 0, 'b': 0, 'c': 2, 'd': 2}
    """
    if threshold is None:  # the snapshot's CSR is the adjacency as it is
        adjacency = sp.csr_matrix((np.ones(g.m), g.indices, g.indptr), shape=(g.n, g.n))
    else:
        if g.weights is None:
            raise ParameterError("threshold needs a snapshot with relationship weights")
        keep = g.weights > threshold
        src, dst = g.sources()[keep], g.indices[keep]
        adjacency = sp.csr_matrix((np.ones(src.size), (src, dst)), shape=(g.n, g.n))
    _, labels = connected_components(adjacency, directed=True, connection="weak")
    seeds = seed_array(g, seed_property)
    config = {
        "threshold": threshold,
        "seed_property": None if seed_property is None else dict(seed_property),
    }
    return Partition(g.ids, seeded_ids(labels, seeds), "wcc", config)
