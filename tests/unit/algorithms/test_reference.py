"""Algorithms against networkx / slow obvious references on random graphs, plus
invariants, empty and one-node graphs and bad configuration."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine import GraphSnapshot
from graph_engine.algorithms import community, influence
from graph_engine.errors import GraphEngineError, ParameterError

edge_lists = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, 14)), min_size=1, max_size=60
).map(lambda es: [(a, b) for a, b in es if a != b])


def simple_digraph(edges: list[tuple[int, int]]) -> tuple[GraphSnapshot, nx.DiGraph]:
    edges = sorted(set(edges))
    ref = nx.DiGraph()
    ref.add_nodes_from(range(15))
    ref.add_edges_from(edges)
    g = GraphSnapshot.from_edges([a for a, _ in edges], [b for _, b in edges], node_ids=range(15))
    return g, ref


def random_weighted(seed: int, n: int = 30, m: int = 120) -> tuple[GraphSnapshot, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, size=(m, 2)) if a != b}
    edges = sorted(pairs)
    weights = rng.uniform(0.1, 3.0, size=len(edges))
    ref = nx.DiGraph()
    ref.add_nodes_from(range(n))
    ref.add_weighted_edges_from((a, b, w) for (a, b), w in zip(edges, weights, strict=True))
    g = GraphSnapshot.from_edges(
        [a for a, _ in edges], [b for _, b in edges], weights=weights, node_ids=range(n)
    )
    return g, ref


def gds_pagerank_reference(
    g: GraphSnapshot, d: float, iterations: int, p: np.ndarray | None = None
) -> np.ndarray:
    """x <- (1-d)p + d Mᵀx from x0 = (1-d)p, applied iterations-1 times (no halting)."""
    p = np.ones(g.n) if p is None else p
    out = g.out_degree()
    x = (1 - d) * p
    for _ in range(iterations - 1):
        new = (1 - d) * p.copy()
        for u in range(g.n):
            for v in g.indices[g.indptr[u] : g.indptr[u + 1]]:
                new[v] += d * x[u] / out[u]
        x = new
    return x


@settings(max_examples=40, deadline=None)
@given(edge_lists)
def test_pagerank_equals_the_closed_form_when_nothing_halts(edges: list[tuple[int, int]]) -> None:
    g, _ = simple_digraph(edges)
    result = influence.pagerank(g, tolerance=0.0, max_iterations=12)
    assert result.scores == pytest.approx(gds_pagerank_reference(g, 0.85, 12), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(edge_lists)
def test_classic_pagerank_equals_networkx(edges: list[tuple[int, int]]) -> None:
    g, ref = simple_digraph(edges)
    ours = influence.pagerank(g, variant="classic", max_iterations=500, tolerance=1e-12)
    expected = nx.pagerank(ref, alpha=0.85, tol=1e-12, max_iter=500)
    assert ours.did_converge
    assert ours.scores == pytest.approx([expected[i] for i in range(15)], abs=1e-8)
    assert ours.scores.sum() == pytest.approx(1.0)


def test_weighted_and_personalised_pagerank_against_networkx() -> None:
    g, ref = random_weighted(3)
    ours = influence.pagerank(
        g,
        weighted=True,
        variant="classic",
        max_iterations=1000,
        tolerance=1e-13,
        source_nodes=[(0, 2.0), (5, 1.0)],
    )
    expected = nx.pagerank(
        ref, personalization={0: 2.0, 5: 1.0}, tol=1e-13, max_iter=1000, dangling={0: 2.0, 5: 1.0}
    )
    assert ours.scores == pytest.approx([expected[i] for i in range(g.n)], abs=1e-8)


def test_gds_personalised_pagerank_starts_only_at_sources_with_their_bias() -> None:
    g = GraphSnapshot.from_edges(["a", "b"], ["c", "c"], node_ids=["a", "b", "c", "d"])
    result = influence.pagerank(g, source_nodes=[("b", 2.0)], max_iterations=1)
    assert result.to_dict() == pytest.approx({"a": 0.0, "b": 0.3, "c": 0.0, "d": 0.0})
    two = influence.pagerank(g, source_nodes=["b"], max_iterations=2).to_dict()
    assert two["c"] == pytest.approx(0.85 * 0.15)


def test_tolerance_is_a_per_node_halting_threshold() -> None:
    g, _ = random_weighted(5)
    loose = influence.pagerank(g, tolerance=0.1)
    tight = influence.pagerank(g, tolerance=1e-12)
    assert loose.did_converge and loose.ran_iterations is not None
    assert loose.ran_iterations < tight.ran_iterations  # type: ignore[operator]
    assert np.all(loose.scores <= tight.scores + 1e-12)  # halting only drops mass


def test_weighted_pagerank_ignores_negative_weights() -> None:
    g = GraphSnapshot.from_edges(["a", "a"], ["b", "c"], weights=[-1.0, 2.0])
    scores = influence.pagerank(g, weighted=True).to_dict()
    assert scores["b"] == pytest.approx(0.15) and scores["c"] > scores["b"]


@pytest.mark.parametrize(
    "scaler", ["minmax", "mean", "center", "stdscore", "log", "log1p", "max", "l1", "l2"]
)
def test_scalers(scaler: str) -> None:
    g, _ = random_weighted(2)
    raw = influence.pagerank(g).scores
    scaled = influence.pagerank(g, scaler=scaler).scores
    expected = {
        "minmax": (raw - raw.min()) / (raw.max() - raw.min()),
        "mean": (raw - raw.mean()) / (raw.max() - raw.min()),
        "stdscore": (raw - raw.mean()) / raw.std(),
        "center": raw - raw.mean(),
        "log": np.log(raw),
        "log1p": np.log1p(raw),
        "max": raw / raw.max(),
        "l1": raw / raw.sum(),
        "l2": raw / np.linalg.norm(raw),
    }[scaler]
    assert scaled == pytest.approx(expected)


def test_eigenvector_converges_to_networkx() -> None:
    _, ref = random_weighted(11, n=20, m=150)
    strongly = max(nx.strongly_connected_components(ref), key=len)
    sub = ref.subgraph(strongly).copy()
    nodes = sorted(sub)
    gs = GraphSnapshot.from_edges(
        [a for a, _ in sub.edges], [b for _, b in sub.edges], node_ids=nodes
    )
    ours = influence.eigenvector(gs, max_iterations=5000, tolerance=1e-13)
    expected = nx.eigenvector_centrality(sub, max_iter=5000, tol=1e-13)  # in-edges
    assert ours.did_converge
    assert ours.scores == pytest.approx([expected[v] for v in nodes], abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(edge_lists, st.booleans())
def test_betweenness_and_closeness_equal_networkx(
    edges: list[tuple[int, int]], undirected: bool
) -> None:
    if undirected:  # networkx sees a->b plus b->a as one edge, the projection as two
        edges = [(a, b) for a, b in edges if (b, a) not in edges or a < b]
    g, ref = simple_digraph(edges)
    if undirected:
        g, ref = g.undirected(), ref.to_undirected()
    b = nx.betweenness_centrality(ref, normalized=False)
    assert influence.betweenness(g).scores == pytest.approx([b[i] for i in range(15)])
    c = nx.closeness_centrality(ref, wf_improved=False)  # incoming distances, as GDS
    assert influence.closeness(g).scores == pytest.approx([c[i] for i in range(15)])
    wf = nx.closeness_centrality(ref, wf_improved=True)
    assert influence.closeness(g, use_wasserman_faust=True).scores == pytest.approx(
        [wf[i] for i in range(15)]
    )


def test_weighted_betweenness_equals_networkx() -> None:
    g, ref = random_weighted(7)
    b = nx.betweenness_centrality(ref, normalized=False, weight="weight")
    assert influence.betweenness(g, weighted=True).scores == pytest.approx(
        [b[i] for i in range(g.n)]
    )


def test_sampled_betweenness_is_seeded_and_not_rescaled() -> None:
    g, _ = random_weighted(8)
    a = influence.betweenness(g, sampling_size=5, sampling_seed=4)
    b = influence.betweenness(g, sampling_size=5, sampling_seed=4)
    full = influence.betweenness(g)
    assert a.scores.tolist() == b.scores.tolist()
    assert a.scores.sum() < full.scores.sum()
    assert a.config["sampling_seed"] == 4


def test_hits_equals_networkx_at_convergence() -> None:
    g, ref = random_weighted(13, n=25, m=100)
    ours = influence.hits(g, hits_iterations=500)
    hubs, auths = nx.hits(nx.DiGraph(list(ref.edges)), max_iter=1000, tol=1e-14)
    h = np.array([hubs[i] for i in range(g.n)])
    a = np.array([auths[i] for i in range(g.n)])
    assert ours.hub.scores == pytest.approx(h / np.linalg.norm(h), abs=1e-6)
    assert ours.authority.scores == pytest.approx(a / np.linalg.norm(a), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(edge_lists)
def test_degree_equals_networkx(edges: list[tuple[int, int]]) -> None:
    g, ref = simple_digraph(edges)
    assert influence.degree(g).scores.tolist() == [ref.out_degree(i) for i in range(15)]
    assert influence.degree(g, "reverse").scores.tolist() == [ref.in_degree(i) for i in range(15)]
    assert influence.degree(g, "undirected").scores.tolist() == [ref.degree(i) for i in range(15)]


@settings(max_examples=30, deadline=None)
@given(edge_lists)
def test_undirected_structure_equals_networkx(edges: list[tuple[int, int]]) -> None:
    _, ref = simple_digraph(edges)
    und = ref.to_undirected()
    # the simple undirected graph: a reciprocal pair is one edge (GDS would keep both
    # relationships of a pair as parallels; see the multigraph test below)
    pairs = list(und.edges)
    g = GraphSnapshot.from_edges([a for a, _ in pairs], [b for _, b in pairs], node_ids=range(15))
    assert community.k_core(g.undirected()).scores.tolist() == [
        nx.core_number(und)[i] for i in range(15)
    ]
    tri = nx.triangles(und)
    assert community.triangle_count(g.undirected()).scores.tolist() == [tri[i] for i in range(15)]
    clustering = nx.clustering(und)
    assert community.local_clustering_coefficient(g.undirected()).scores == pytest.approx(
        [clustering[i] for i in range(15)]
    )
    components = {frozenset(c) for c in nx.weakly_connected_components(ref)}
    assert {frozenset(c) for c in community.wcc(g).communities()} == components


@settings(max_examples=25, deadline=None)
@given(edge_lists, st.integers(0, 5))
def test_modularity_equals_networkx_and_partitions_cover_every_node(
    edges: list[tuple[int, int]], k: int
) -> None:
    g, ref = simple_digraph(edges)
    und = nx.MultiGraph()  # the undirected projection keeps a->b and b->a as two edges
    und.add_nodes_from(range(15))
    und.add_edges_from(ref.edges)
    labels = {i: i % (k + 1) for i in range(15)}
    groups = [{v for v in range(15) if labels[v] == c} for c in range(k + 1)]
    groups = [c for c in groups if c]
    expected = nx.community.modularity(und, groups) if und.number_of_edges() else 0.0
    ours = community.modularity(g.undirected(), labels).modularity
    assert ours == pytest.approx(expected, abs=1e-12)
    for result in (
        community.louvain(g.undirected(), seed=1),
        community.leiden(g.undirected(), random_seed=1),
        community.label_propagation(g.undirected()),
        community.wcc(g),
    ):
        assert sorted(itertools.chain.from_iterable(result.communities())) == list(range(15))
        if result.modularity is not None:
            recomputed = community.modularity(g.undirected(), result.to_dict()).modularity
            assert result.modularity == pytest.approx(recomputed)


def test_louvain_and_leiden_find_planted_communities() -> None:
    blocks = nx.stochastic_block_model(
        [30, 30, 30], [[0.4, 0.01, 0.01], [0.01, 0.4, 0.01], [0.01, 0.01, 0.4]], seed=3
    )
    g = GraphSnapshot.from_edges(
        [a for a, _ in blocks.edges],
        [b for _, b in blocks.edges],
        node_ids=range(90),
        directed=False,
    )
    planted = {frozenset(range(i, i + 30)) for i in (0, 30, 60)}
    louvain = community.louvain(g, seed=3)
    leiden = community.leiden(g, random_seed=3)
    assert {frozenset(c) for c in louvain.communities()} == planted
    assert {frozenset(c) for c in leiden.communities()} == planted
    assert leiden.modularity == pytest.approx(louvain.modularity)
    assert louvain.modularities == tuple(sorted(louvain.modularities))  # levels improve Q
    again = community.leiden(g, random_seed=3)
    assert again.membership.tolist() == leiden.membership.tolist()


def test_wcc_threshold_and_seeds() -> None:
    g = GraphSnapshot.from_edges(["a", "b", "c"], ["b", "c", "d"], weights=[2.0, 0.5, 3.0])
    assert community.wcc(g, threshold=1.0).communities() == [{"a", "b"}, {"c", "d"}]
    assert community.wcc(g, threshold=0.5).community_count == 2  # strictly greater
    seeded = community.wcc(g, threshold=1.0, seed_property={"c": 7})
    assert seeded.to_dict() == {"a": 8, "b": 8, "c": 7, "d": 7}


def test_label_propagation_weights_and_seeds() -> None:
    # c is pulled by the heavier vote
    g = GraphSnapshot.from_edges(
        ["c", "c"], ["a", "b"], weights=[1.0, 5.0], node_ids=["a", "b", "c"]
    )
    assert community.label_propagation(g, weighted=True).to_dict()["c"] == 1
    assert community.label_propagation(g).to_dict()["c"] == 0  # tie -> smallest label
    weighted_nodes = community.label_propagation(g, node_weights={"a": 10.0})
    assert weighted_nodes.to_dict()["c"] == 0
    seeded = community.label_propagation(g, seed_property={"a": 100, "b": 50})
    assert seeded.to_dict() == {"a": 100, "b": 50, "c": 50}


def test_node_similarity_options() -> None:
    g = GraphSnapshot.from_edges(
        ["a", "a", "b", "b", "c", "d", "d", "d"],
        ["x", "y", "x", "y", "x", "x", "y", "z"],
        weights=[1, 1, 1, 1, 1, 1, 1, 4],
    )
    top1 = community.node_similarity(g, top_k=1).to_dict()
    assert top1[("a", "b")] == 1.0 and len([k for k in top1 if k[0] == "a"]) == 1
    bottom = community.node_similarity(g, bottom_k=1).to_dict()
    assert bottom[("a", "c")] == 0.5
    assert len(community.node_similarity(g, top_n=2).pairs) == 2
    capped = community.node_similarity(g, upper_degree_cutoff=2).to_dict()
    assert all("d" not in pair for pair in capped)
    weighted = community.node_similarity(g, weighted=True).to_dict()
    assert weighted[("a", "d")] == pytest.approx(2 / 6)
    assert community.node_similarity(g, similarity_cutoff=0.6).to_dict() == {
        ("a", "b"): 1.0,
        ("b", "a"): 1.0,
        ("a", "d"): 2 / 3,
        ("d", "a"): 2 / 3,
        ("b", "d"): 2 / 3,
        ("d", "b"): 2 / 3,
    }


def test_triangle_count_max_degree() -> None:
    g = GraphSnapshot.from_edges(list("abcaad"), list("bcaded"), directed=False)
    result = community.triangle_count(g, max_degree=2).to_dict()
    # d's self-loop counts twice in its degree (1 + 2 = 3 > 2), as in GDS
    assert result["a"] == -1 and result["b"] == 0 and result["d"] == -1


ALL: list[tuple[str, Any]] = [
    ("pagerank", influence.pagerank),
    ("article_rank", influence.article_rank),
    ("eigenvector", influence.eigenvector),
    ("degree", influence.degree),
    ("betweenness", influence.betweenness),
    ("closeness", influence.closeness),
    ("hits", influence.hits),
    ("louvain", community.louvain),
    ("leiden", community.leiden),
    ("label_propagation", community.label_propagation),
    ("wcc", community.wcc),
    ("k_core", community.k_core),
    ("triangle_count", community.triangle_count),
    ("lcc", community.local_clustering_coefficient),
    ("node_similarity", community.node_similarity),
]


#: what each algorithm gives a lone node (GDS semantics: PageRank and ArticleRank keep
#: the teleport share 1 - d, eigenvector normalises the single score to 1, a node is its
#: own community, no similarity pair exists)
LONE_NODE: dict[str, Any] = {
    "pagerank": {"x": pytest.approx(0.15)},
    "article_rank": {"x": pytest.approx(0.15)},
    "eigenvector": {"x": pytest.approx(1.0)},
    "degree": {"x": 0.0},
    "betweenness": {"x": 0.0},
    "closeness": {"x": 0.0},
    "hits": {"x": {"hub": 0.0, "auth": 0.0}},
    "louvain": {"x": 0},
    "leiden": {"x": 0},
    "label_propagation": {"x": 0},
    "wcc": {"x": 0},
    "k_core": {"x": 0.0},
    "triangle_count": {"x": 0.0},
    "lcc": {"x": 0.0},
    "node_similarity": {},
}


@pytest.mark.parametrize(("name", "algorithm"), ALL)
def test_empty_and_one_node_graphs(name: str, algorithm: Any) -> None:
    assert algorithm(GraphSnapshot.from_edges([], [])).to_dict() == {}, name
    lone = algorithm(GraphSnapshot.from_edges([], [], node_ids=["x"])).to_dict()
    assert lone == LONE_NODE[name], name


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: influence.pagerank(g, damping_factor=-0.1), "damping_factor must lie in"),
        (lambda g: influence.pagerank(g, damping_factor=1.0), "damping_factor must lie in"),
        (lambda g: influence.pagerank(g, max_iterations=0), "max_iterations must be"),
        (lambda g: influence.pagerank(g, source_nodes=["zz"]), "source_nodes: node 'zz'"),
        (lambda g: influence.pagerank(g, scaler="zscore"), "scaler must be one of"),
        (lambda g: influence.pagerank(g, weighted=True), "snapshot has no relationship weights"),
        (lambda g: influence.degree(g, "sideways"), "orientation must be"),
        (lambda g: community.leiden(g, gamma=0), "gamma must lie in"),
        (lambda g: community.louvain(g, seed_property={"a": -3}), "non-negative"),
        (lambda g: community.modularity(g, {"nobody": 1}), "membership: node 'nobody'"),
        (lambda g: community.node_similarity(g, top_k=0), "top_k must be an integer"),
        (lambda g: community.wcc(g, threshold=1.0), "threshold needs"),
    ],
)
def test_bad_configuration_names_the_parameter(call: Any, message: str) -> None:
    g = GraphSnapshot.from_edges(["a", "b"], ["b", "c"])
    with pytest.raises(GraphEngineError, match=message) as info:
        call(g)
    assert isinstance(info.value, ParameterError)


def test_results_record_their_configuration_even_from_generators() -> None:
    g = GraphSnapshot.from_edges(["a", "b"], ["c", "c"])
    result = influence.pagerank(g, source_nodes=(n for n in ["a"]), scaler="l1")
    assert result.config["source_nodes"] == ["a"] and result.config["scaler"] == "l1"
    assert result.to_dict()["a"] > 0 and result.to_dict()["b"] == 0
    leiden = community.leiden(g.undirected())
    assert isinstance(leiden.config["random_seed"], int)  # drawn, recorded, replayable
    again = community.leiden(g.undirected(), random_seed=leiden.config["random_seed"])
    assert again.membership.tolist() == leiden.membership.tolist()


def test_k_core_and_clustering_count_a_multigraph_as_gds_does() -> None:
    """Parallel relationships each add to the k-core degree, a self-loop adds two and
    stays with its node; the clustering coefficient counts distinct neighbours, the
    node itself included when it has a self-loop (checked against GDS on real graphs
    by tests/oracle)."""
    # a-b twice, b-c once, c-c self-loop
    g = GraphSnapshot.from_edges(["a", "b", "b", "c", "a"], ["b", "a", "c", "c", "c"])
    und = g.undirected()
    # degrees: a 3 (b, b, c), b 3 (a, a, c), c 4 (b, a, c, c): all stay in the 3-core
    assert community.k_core(und).to_dict() == {"a": 3.0, "b": 3.0, "c": 3.0}
    lcc = community.local_clustering_coefficient(und).to_dict()
    # one triangle a-b-c; c's distinct neighbours are a, b and c itself: 2 * 1 / (3 * 2)
    assert lcc["c"] == pytest.approx(1 / 3)
    assert lcc["a"] == pytest.approx(1.0)
