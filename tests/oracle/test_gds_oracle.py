"""Real GDS as the oracle: every algorithm of :mod:`graph_engine.algorithms` against the
matching GDS procedure, on real graphs (marked ``neo4j``; runs in CI against the server
of ``scripts/neo4j``).

Each dataset of ``../shared/datasets`` is read as its file lists it (self-loops and
repeated rows kept: GDS keeps them too) and projected into GDS three ways, with a
deterministic relationship weight in ``[0.5, 4.5]`` and a node ``seed`` property
(node id // 10): NATURAL, REVERSE and UNDIRECTED. Our side runs on the same snapshot in
the same orientation. Deterministic algorithms must agree to 1e-9 relative;
randomised ones on quality and structure.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from graph_engine import GraphSnapshot
from graph_engine.algorithms import community, influence
from graph_engine.store.gds import GdsClient, GdsGraph
from graph_engine.store.neo4j import Neo4jStore
from tests import neo4j_live
from tests.conftest import datasets_dir
from tests.partitions import nmi

pytestmark = pytest.mark.neo4j

DATASETS = {
    "email-Eu-core": "email-Eu-core.txt",
    "ego-Facebook": "facebook_combined.txt.gz",
    "wiki-Vote": "wiki-Vote.txt",
}
RTOL = 1e-9
Arr = npt.NDArray[Any]


@dataclass
class Oracle:
    """One dataset, on both sides."""

    name: str
    g: GraphSnapshot  # the file's rows as directed edges, weighted
    gds: GdsClient
    graphs: dict[str, GdsGraph]  # natural / reverse / undirected

    def ours(self, orientation: str) -> GraphSnapshot:
        return {"natural": self.g, "reverse": self.g.reverse(), "undirected": self.g.undirected()}[
            orientation
        ]

    def values(
        self, algorithm: str, orientation: str, config: dict[str, Any], col: str = "value"
    ) -> Arr:
        return self.gds.node_values(algorithm, self.graphs[orientation], config, column=col)

    def call(self, algorithm: str, orientation: str, config: dict[str, Any]) -> dict[str, Any]:
        return self.gds.call(algorithm, self.graphs[orientation], config)

    @property
    def seeds(self) -> dict[int, int]:
        return {i: i // 10 for i in range(self.g.n)}


def load(name: str) -> GraphSnapshot:
    path = datasets_dir() / DATASETS[name]
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        rows = [line.split()[:2] for line in fh if line.strip() and line[0] not in "#%"]
    raw = np.asarray(rows, dtype=np.int64)
    ids, inverse = np.unique(raw, return_inverse=True)
    edges = inverse.reshape(-1, 2)
    src, dst = edges[:, 0], edges[:, 1]
    weights = 0.5 + ((src * 7919 + dst * 104729) % 9) / 2.0
    return GraphSnapshot.from_index_edges(src, dst, list(range(ids.size)), weights=weights)


@pytest.fixture(scope="module")
def client() -> Iterator[GdsClient]:
    server = neo4j_live.require()
    from graph_engine.config import Settings

    store = Neo4jStore(server.uri, server.settings(Settings()))
    gds = store.gds()
    assert gds is not None, "GDS is not installed in the live server"
    yield gds
    store.close()


@pytest.fixture(scope="module", params=list(DATASETS))
def oracle(request: pytest.FixtureRequest, client: GdsClient) -> Iterator[Oracle]:
    g = load(request.param)
    seeds = np.arange(g.n) // 10
    with ExitStack() as stack:
        graphs = {
            "natural": stack.enter_context(client.project(g, seeds=seeds, label="oracle")),
            "reverse": stack.enter_context(
                client.project(g.reverse(), seeds=seeds, label="oracle")
            ),
            "undirected": stack.enter_context(
                client.project(g, seeds=seeds, undirected=True, label="oracle")
            ),
        }
        assert graphs["natural"].relationship_count == g.m
        assert graphs["undirected"].relationship_count == 2 * g.m
        yield Oracle(request.param, g, client, graphs)


def close(ours: Arr, theirs: Arr, rtol: float = RTOL) -> None:
    """Equal to ``rtol`` relative (an absolute floor of rtol x the largest value for zeros)."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * scale * 1e-3)


def same_partition(a: Arr, b: Arr) -> bool:
    """The same grouping of nodes, whatever the labels."""
    pairs = set(zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True))
    return len(pairs) == len(set(np.asarray(a).tolist())) == len(set(np.asarray(b).tolist()))


# -- centralities -------------------------------------------------------------------------
RANK_CASES = [
    ("natural", {}, {}),
    ("reverse", {}, {}),
    ("undirected", {}, {}),
    ("natural", {"relationshipWeightProperty": "weight"}, {"weighted": True}),
    ("undirected", {"relationshipWeightProperty": "weight"}, {"weighted": True}),
    ("natural", {"maxIterations": 3}, {"max_iterations": 3}),
    (
        "natural",
        {"maxIterations": 100, "tolerance": 1e-10},
        {"max_iterations": 100, "tolerance": 1e-10},
    ),
    ("natural", {"tolerance": 0.01}, {"tolerance": 0.01}),
    ("natural", {"dampingFactor": 0.5}, {"damping_factor": 0.5}),
    ("natural", {"sourceNodes": [0, 3, 7, 11]}, {"source_nodes": [0, 3, 7, 11]}),
    ("undirected", {"sourceNodes": [5]}, {"source_nodes": [5]}),
    ("natural", {"scaler": "MinMax"}, {"scaler": "minmax"}),
    ("natural", {"scaler": "StdScore"}, {"scaler": "stdscore"}),
    ("natural", {"scaler": "Log"}, {"scaler": "log"}),
    ("natural", {"scaler": "Center"}, {"scaler": "center"}),
]


def _rank_id(case: tuple[str, dict[str, Any], dict[str, Any]]) -> str:
    return f"{case[0]}-{'-'.join(f'{k}={v}' for k, v in case[1].items()) or 'defaults'}"


@pytest.mark.parametrize("case", RANK_CASES, ids=_rank_id)
def test_pagerank(oracle: Oracle, case: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    orientation, theirs, ours = case
    expected = oracle.values("pagerank", orientation, theirs)
    close(influence.pagerank(oracle.ours(orientation), **ours).scores, expected)


@pytest.mark.parametrize("case", RANK_CASES, ids=_rank_id)
def test_article_rank(oracle: Oracle, case: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    orientation, theirs, ours = case
    expected = oracle.values("articlerank", orientation, theirs)
    close(influence.article_rank(oracle.ours(orientation), **ours).scores, expected)


EIGEN_CASES = [case for case in RANK_CASES if "dampingFactor" not in case[1]]


@pytest.mark.parametrize("case", EIGEN_CASES, ids=_rank_id)
def test_eigenvector(oracle: Oracle, case: tuple[str, dict[str, Any], dict[str, Any]]) -> None:
    orientation, theirs, ours = case
    expected = oracle.values("eigenvector", orientation, theirs)
    close(influence.eigenvector(oracle.ours(orientation), **ours).scores, expected)


@pytest.mark.parametrize("orientation", ["NATURAL", "REVERSE", "UNDIRECTED"])
@pytest.mark.parametrize("weighted", [False, True])
def test_degree(oracle: Oracle, orientation: str, weighted: bool) -> None:
    config: dict[str, Any] = {"orientation": orientation}
    if weighted:
        config["relationshipWeightProperty"] = "weight"
    expected = oracle.values("degree", "natural", config)
    ours = influence.degree(oracle.g, orientation=orientation.lower(), weighted=weighted)  # type: ignore[arg-type]
    close(ours.scores, expected)


@pytest.mark.parametrize("orientation", ["natural", "reverse"])
@pytest.mark.parametrize("iterations", [20, 3])
def test_hits(oracle: Oracle, orientation: str, iterations: int) -> None:
    row = oracle.call("hits", orientation, {"hitsIterations": iterations})
    node = np.asarray(row["node"])
    auth, hub = np.zeros(oracle.g.n), np.zeros(oracle.g.n)
    auth[node], hub[node] = row["auth"], row["hub"]
    ours = influence.hits(oracle.ours(orientation), hits_iterations=iterations)
    close(ours.authority.scores, auth)
    close(ours.hub.scores, hub)


@pytest.mark.parametrize(
    ("orientation", "weighted"), [("natural", False), ("undirected", False), ("natural", True)]
)
def test_betweenness_unsampled(oracle: Oracle, orientation: str, weighted: bool) -> None:
    config = {"relationshipWeightProperty": "weight"} if weighted else {}
    expected = oracle.values("betweenness", orientation, config)
    close(influence.betweenness(oracle.ours(orientation), weighted=weighted).scores, expected)


def test_betweenness_sampled_estimates_as_well_as_gds(oracle: Oracle) -> None:
    """Sampled sources differ: GDS scans nodes in id order, keeping each with probability
    degree / max degree until it has enough (so low ids are favoured); ours draws them
    with probability proportional to out-degree. Neither rescales. Both totals must
    estimate size / n of the exact total, and ours must follow the exact scores at
    least as closely as GDS's do."""
    size = 200
    exact = influence.betweenness(oracle.g).scores
    expected_total = exact.sum() * size / oracle.g.n
    fidelity = {}
    for seed in (7, 8):
        theirs = oracle.values(
            "betweenness", "natural", {"samplingSize": size, "samplingSeed": seed}
        )
        ours = influence.betweenness(oracle.g, sampling_size=size, sampling_seed=seed).scores
        for who, sampled in (("ours", ours), ("gds", theirs)):
            assert 0.5 < sampled.sum() / expected_total < 2.0, (who, sampled.sum(), expected_total)
            fidelity.setdefault(who, []).append(np.corrcoef(sampled, exact)[0, 1])
    assert np.mean(fidelity["ours"]) >= np.mean(fidelity["gds"]) - 0.02, fidelity
    assert min(fidelity["ours"]) > 0.9, fidelity


@pytest.mark.parametrize("orientation", ["natural", "undirected"])
@pytest.mark.parametrize("wf", [False, True])
def test_closeness(oracle: Oracle, orientation: str, wf: bool) -> None:
    expected = oracle.values("closeness", orientation, {"useWassermanFaust": wf})
    close(influence.closeness(oracle.ours(orientation), use_wasserman_faust=wf).scores, expected)


# -- components, cores, triangles, similarity ------------------------------------------------
def test_wcc(oracle: Oracle) -> None:
    expected = oracle.values("wcc", "natural", {}, col="value")
    assert same_partition(community.wcc(oracle.g).membership, expected)


def test_wcc_threshold(oracle: Oracle) -> None:
    config = {"relationshipWeightProperty": "weight", "threshold": 2.0}
    expected = oracle.values("wcc", "natural", config)
    assert same_partition(community.wcc(oracle.g, threshold=2.0).membership, expected)


def test_wcc_seeded_keeps_seed_ids(oracle: Oracle) -> None:
    expected = oracle.values("wcc", "natural", {"seedProperty": "seed"})
    ours = community.wcc(oracle.g, seed_property=oracle.seeds).membership
    np.testing.assert_array_equal(ours, expected)


def test_k_core(oracle: Oracle) -> None:
    expected = oracle.values("kcore", "undirected", {})
    close(community.k_core(oracle.ours("undirected")).scores, expected)


@pytest.mark.parametrize("max_degree", [None, 50])
def test_triangles(oracle: Oracle, max_degree: int | None) -> None:
    config = {} if max_degree is None else {"maxDegree": max_degree}
    expected = oracle.values("triangles", "undirected", config)
    ours = community.triangle_count(oracle.ours("undirected"), max_degree=max_degree)
    close(ours.scores, expected)


def test_local_clustering_coefficient(oracle: Oracle) -> None:
    expected = oracle.values("lcc", "undirected", {})
    close(community.local_clustering_coefficient(oracle.ours("undirected")).scores, expected)


SIMILARITY_CASES = [
    ({}, {}),
    ({"relationshipWeightProperty": "weight"}, {"weighted": True}),
    ({"topK": 3, "similarityCutoff": 0.2}, {"top_k": 3, "similarity_cutoff": 0.2}),
    ({"degreeCutoff": 5, "upperDegreeCutoff": 40}, {"degree_cutoff": 5, "upper_degree_cutoff": 40}),
    ({"bottomK": 2}, {"bottom_k": 2}),
]


@pytest.mark.parametrize("case", SIMILARITY_CASES, ids=lambda c: str(c[0]) or "defaults")
def test_node_similarity(oracle: Oracle, case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Per node, the kept similarities agree (which of several equally similar
    neighbours fills the last top-k place is an arbitrary tie-break on both sides)."""
    theirs_config, ours_config = case
    row = oracle.call("node_similarity", "natural", {"concurrency": 1, **theirs_config})
    theirs: dict[int, list[float]] = {}
    pairs_theirs = {}
    for a, b, s in zip(row["node1"], row["node2"], row["similarity"], strict=True):
        theirs.setdefault(a, []).append(s)
        pairs_theirs[(a, b)] = s
    ours: dict[int, list[float]] = {}
    pairs_ours = {}
    for a, b, s in community.node_similarity(oracle.g, **ours_config).pairs:
        ours.setdefault(a, []).append(s)  # type: ignore[arg-type]
        pairs_ours[(a, b)] = s
    assert ours.keys() == theirs.keys()
    for node, values in theirs.items():
        close(np.sort(ours[node]), np.sort(values))
    common = pairs_ours.keys() & pairs_theirs.keys()
    assert len(common) >= 0.8 * len(pairs_theirs)
    close(np.array([pairs_ours[p] for p in common]), np.array([pairs_theirs[p] for p in common]))


# -- partitions: quality metrics ------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_modularity_and_conductance_of_a_partition(oracle: Oracle, weighted: bool) -> None:
    config: dict[str, Any] = {"communityProperty": "seed"}
    if weighted:
        config["relationshipWeightProperty"] = "weight"
    und = oracle.ours("undirected")
    row = oracle.call("modularity", "undirected", config)
    ours = community.modularity(und, oracle.seeds, weighted=weighted)
    theirs = dict(zip(row["community"], row["modularity"], strict=True))
    assert ours.per_community.keys() == theirs.keys()
    close(np.array([ours.per_community[c] for c in theirs]), np.array(list(theirs.values())))
    row = oracle.call("conductance", "undirected", config)
    ours_c = community.conductance(und, oracle.seeds, weighted=weighted)
    theirs_c = dict(zip(row["community"], row["conductance"], strict=True))
    assert ours_c.keys() == theirs_c.keys()
    close(np.array([ours_c[c] for c in theirs_c]), np.array(list(theirs_c.values())))


# -- randomised community detection ---------------------------------------------------------
def _levels(row: dict[str, Any], n: int) -> list[Arr]:
    values = row["value"]
    node = np.asarray(row["node"])
    depth = len(values[0]) if values and isinstance(values[0], list) else 0
    if not depth:
        out = np.zeros(n, dtype=np.int64)
        out[node] = values
        return [out]
    levels = []
    for level in range(depth):
        out = np.zeros(n, dtype=np.int64)
        out[node] = [v[level] for v in values]
        levels.append(out)
    return levels


def _nested(levels: list[Arr]) -> bool:
    """Each level merges whole communities of the one below it."""
    return all(
        len(set(zip(fine.tolist(), coarse.tolist(), strict=True))) == len(set(fine.tolist()))
        for fine, coarse in itertools.pairwise(levels)
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_louvain_quality_and_levels(oracle: Oracle, weighted: bool) -> None:
    config: dict[str, Any] = {
        "includeIntermediateCommunities": True,
        "concurrency": 1,
    }
    if weighted:
        config["relationshipWeightProperty"] = "weight"
    row = oracle.call("louvain", "undirected", config)
    und = oracle.ours("undirected")
    ours = community.louvain(und, weighted=weighted, include_intermediate_communities=True, seed=1)
    # as good as GDS: the mean over three seeds never worse by more than 0.005 (one seed
    # is not enough: on weighted wiki-Vote single runs of either land 0.42 or 0.43)
    mean = np.mean(
        [community.louvain(und, weighted=weighted, seed=s).modularity for s in (1, 2, 3)]
    )  # type: ignore[arg-type]
    assert mean >= row["modularity"] - 0.005, (mean, row["modularity"])
    theirs_levels = _levels(row, oracle.g.n)
    # the same level semantics: one level per (local moving, aggregation) round, a level
    # kept only when it improves modularity by more than the tolerance; nested levels;
    # each reported modularity is that of its level's partition
    assert len(theirs_levels) == row["ranLevels"] == len(row["modularities"])
    assert len(ours.levels) == ours.ran_iterations == len(ours.modularities)
    assert abs(len(ours.levels) - len(theirs_levels)) <= 1, (ours.modularities, row["modularities"])
    for levels, qs in (
        (theirs_levels, row["modularities"]),
        (list(ours.levels), ours.modularities),
    ):
        assert _nested(levels)
        assert all(b - a > 1e-4 for a, b in itertools.pairwise(qs)), qs
        for level, q in zip(levels, qs, strict=True):
            assert abs(community.modularity(und, level, weighted=weighted).modularity - q) < 1e-9
    assert same_partition(ours.levels[-1], ours.membership)
    assert ours.modularities[0] >= row["modularities"][0] - 0.02


def test_louvain_max_levels_one(oracle: Oracle) -> None:
    config = {"maxLevels": 1, "concurrency": 1}
    row = oracle.call("louvain", "undirected", config)
    ours = community.louvain(oracle.ours("undirected"), max_levels=1, seed=1)
    assert row["ranLevels"] == 1 == len(ours.levels)
    assert ours.modularity >= row["modularity"] - 0.02  # type: ignore[operator]


def _resolution_modularity(und: GraphSnapshot, labels: Arr, weighted: bool, gamma: float) -> float:
    plain = community.modularity(und, labels, weighted=weighted).modularity
    w = und.weights if weighted and und.weights is not None else np.ones(und.m)
    strength = np.bincount(und.sources(), weights=w, minlength=und.n)
    _, inverse = np.unique(labels, return_inverse=True)
    share = np.bincount(inverse, weights=strength) / w.sum()
    return float(plain - (gamma - 1.0) * (share**2).sum())


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("gamma", [1.0, 2.0])
def test_leiden_quality(oracle: Oracle, weighted: bool, gamma: float) -> None:
    config: dict[str, Any] = {
        "concurrency": 1,
        "randomSeed": 1,
        "gamma": gamma,
    }
    if weighted:
        config["relationshipWeightProperty"] = "weight"
    row = oracle.call("leiden", "undirected", config)
    und = oracle.ours("undirected")
    runs = [community.leiden(und, weighted=weighted, gamma=gamma, random_seed=s) for s in (1, 2, 3)]
    theirs = _levels(row, oracle.g.n)[-1]
    # both partitions scored by the objective Leiden optimises, modularity at resolution
    # gamma: sum_c e_c / 2m - gamma sum_c (K_c / 2m)^2; ours as the mean over three seeds
    # (on weighted wiki-Vote single runs of either land 0.42 or 0.43)
    q_theirs = _resolution_modularity(und, theirs, weighted, gamma)
    q_ours = float(
        np.mean([_resolution_modularity(und, r.membership, weighted, gamma) for r in runs])
    )
    assert q_ours >= q_theirs - 0.005, (q_ours, q_theirs)
    if gamma == 1.0:
        assert abs(q_theirs - row["modularity"]) < 1e-9


@pytest.mark.xfail(
    strict=True,
    reason="GDS 2.13 seeded Leiden returns a membership whose modularity is far below the "
    "one it reports (and refuses larger graphs on a quadratic seed-map estimate); "
    "graph_engine's GDS engine runs Leiden unseeded for this reason",
)
def test_gds_seeded_leiden_returns_the_partition_it_reports(oracle: Oracle) -> None:
    config = {
        "seedProperty": "seed",
        "concurrency": 1,
        "randomSeed": 1,
        "sudo": True,
    }
    row = oracle.call("leiden", "undirected", config)
    membership = _levels(row, oracle.g.n)[-1]
    q = community.modularity(oracle.ours("undirected"), membership).modularity
    assert abs(q - row["modularity"]) < 1e-6, (q, row["modularity"])


@pytest.mark.parametrize(
    ("theirs_config", "ours_config"),
    [
        ({}, {}),
        ({"relationshipWeightProperty": "weight"}, {"weighted": True}),
        ({"seedProperty": "seed"}, {"seeded": True}),
        ({"maxIterations": 2}, {"max_iterations": 2}),
    ],
    ids=["defaults", "weighted", "seeded", "maxIterations=2"],
)
def test_label_propagation(
    oracle: Oracle, theirs_config: dict[str, Any], ours_config: dict[str, Any]
) -> None:
    """Single-threaded GDS label propagation is deterministic (asynchronous, in node-id
    order, ties to the smallest label): the same partition, with the same labels."""
    expected = oracle.values("label_propagation", "natural", {"concurrency": 1, **theirs_config})
    kw = dict(ours_config)
    if kw.pop("seeded", False):
        kw["seed_property"] = oracle.seeds
    ours = community.label_propagation(oracle.g, **kw).membership
    agreement = nmi(ours, expected)
    assert agreement >= 0.9, agreement
    np.testing.assert_array_equal(ours, expected)
