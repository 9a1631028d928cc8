"""Leiden's resolution and weights change the answer the way modularity says they must.

Guards against a resolution hard-coded to 1 or weights silently dropped: on graphs whose
best partition is known by hand, each parameter moves the result the way the modularity
(computed here from its definition, with the resolution) says it must.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from graph_engine import GraphSnapshot
from graph_engine.algorithms.community import leiden


def ring_of_cliques(cliques: int, size: int) -> GraphSnapshot:
    src, dst = [], []
    for c in range(cliques):
        members = [c * size + i for i in range(size)]
        for a, b in itertools.combinations(members, 2):
            src.append(a)
            dst.append(b)
        src.append(c * size)  # one edge to the next clique
        dst.append(((c + 1) % cliques) * size + 1)
    return GraphSnapshot.from_edges(src, dst, directed=False)


def modularity_by_hand(
    edges: list[tuple[int, int, float]], membership: list[int], gamma: float
) -> float:
    """Q = sum over communities of L_c / m - gamma (d_c / 2m)^2 (Newman-Girvan, with a
    resolution), from the weighted edge list."""
    m = sum(w for _, _, w in edges)
    inside: dict[int, float] = {}
    degree: dict[int, float] = {}
    for a, b, w in edges:
        degree[membership[a]] = degree.get(membership[a], 0.0) + w
        degree[membership[b]] = degree.get(membership[b], 0.0) + w
        if membership[a] == membership[b]:
            inside[membership[a]] = inside.get(membership[a], 0.0) + w
    return sum(inside.get(c, 0.0) / m - gamma * (d / (2 * m)) ** 2 for c, d in degree.items())


def test_resolution_moves_the_number_of_communities() -> None:
    g = ring_of_cliques(8, 5)
    counts = {
        gamma: leiden(g, gamma=gamma, random_seed=1).community_count for gamma in (0.05, 1.0, 12.0)
    }
    assert counts[1.0] == 8  # the cliques
    assert counts[0.05] < 8  # a low resolution merges cliques
    assert counts[12.0] > 8  # a high one splits them
    # each partition is at least as good as the cliques under its own resolution, and the
    # reported modularity is the standard one (resolution 1) of the partition found
    edges = [(int(a), int(b), 1.0) for a, b in zip(g.sources(), g.indices, strict=True)]
    cliques = [i // 5 for i in range(g.n)]
    for gamma in (0.05, 1.0, 12.0):
        found = leiden(g, gamma=gamma, random_seed=1)
        membership = found.membership.tolist()
        assert (
            modularity_by_hand(edges, membership, gamma)
            >= modularity_by_hand(edges, cliques, gamma) - 1e-12
        )
        assert found.modularity == pytest.approx(modularity_by_hand(edges, membership, 1.0))


def test_weights_decide_between_two_partitions() -> None:
    """Two triangles joined by a perfect matching: unweighted, the triangles are the
    communities; with the matching ten times heavier, the matched pairs are."""
    triangles = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)]
    matching = [(0, 3), (1, 4), (2, 5)]
    pairs = triangles + matching
    weights = [1.0] * len(triangles) + [10.0] * len(matching)
    g = GraphSnapshot.from_edges(
        [a for a, _ in pairs], [b for _, b in pairs], weights=weights, directed=False
    )
    plain = leiden(g, random_seed=1).membership.tolist()
    heavy = leiden(g, weighted=True, random_seed=1).membership.tolist()
    assert plain[0] == plain[1] == plain[2] != plain[3] == plain[4] == plain[5]
    assert heavy[0] == heavy[3] and heavy[1] == heavy[4] and heavy[2] == heavy[5]
    assert len(set(heavy)) == 3
    edges = [(a, b, w) for (a, b), w in zip(pairs, weights, strict=True)]
    q = leiden(g, weighted=True, random_seed=1).modularity
    assert q == pytest.approx(modularity_by_hand(edges, heavy, 1.0), abs=1e-9)
    assert q > modularity_by_hand(edges, plain, 1.0)  # the weighted optimum is better


def test_the_pipeline_passes_its_configured_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """compute() calls Leiden with GRAPH_ENGINE_LEIDEN_RESOLUTION (recorded in the run)."""
    from graph_engine import engines, pipeline

    seen: list[float] = []
    real = engines.leiden

    def spy(g: GraphSnapshot, **kw: object) -> object:
        seen.append(float(kw["gamma"]))  # type: ignore[arg-type]
        return real(g, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(engines, "leiden", spy)
    from graph_engine.config import Settings
    from graph_engine.ingest import Ingestor
    from graph_engine.store import SQLiteStore

    store = SQLiteStore("sqlite:///:memory:", identity_salt="s")
    settings = Settings(identity_salt="s", leiden_resolution=2.5)
    rows = [
        {"type": "follow", "follower": f"c{i}", "followee": f"c{(i + 1) % 6}",
         "at": "2026-01-01T00:00:00Z", "event_id": f"f{i}"}
        for i in range(6)
    ]  # fmt: skip
    Ingestor(store, settings).ingest_rows(rows)
    run = pipeline.compute(store, settings)
    assert seen == [2.5]
    assert np.isclose(run.config["leiden_resolution"], 2.5)
