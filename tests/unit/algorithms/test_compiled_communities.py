"""The compiled Louvain and Leiden: each kernel against its definition, and GDS's semantics.

The kernels (``community/_kernels.py``) are checked one by one on random multigraphs
with self-loops and weights: the quality they compute is the modularity of the
definition, aggregation and renaming keep it, local moving ends in a partition no single
move improves, refinement splits communities into connected parts. Then the algorithms:
Leiden's communities are connected (its guarantee over Louvain), levels never lose
modularity, the tolerance and level limits stop a run where GDS's do, seeds keep their
ids, a seed reproduces a run, and a directed snapshot is its undirected multigraph.
"""

from __future__ import annotations

import itertools
from collections import deque

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine import GraphSnapshot
from graph_engine.algorithms import community
from graph_engine.algorithms.community import _kernels as kernels
from graph_engine.algorithms.community._graph import ModularityGraph, modularity_graph, relabel
from graph_engine.algorithms.community.modularity import modularity_of_labels

Labels = npt.NDArray[np.int64]


def random_graph(seed: int, n: int = 60, m: int = 200, weighted: bool = True) -> GraphSnapshot:
    """A random undirected multigraph: parallel edges, self-loops, weights in (0, 3]."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = np.where(rng.random(m) < 0.05, src, rng.integers(0, n, m))  # some self-loops
    weights = rng.uniform(0.1, 3.0, m) if weighted else None
    return GraphSnapshot.from_index_edges(src, dst, list(range(n)), weights=weights, directed=False)


def by_definition(g: GraphSnapshot, labels: Labels, gamma: float) -> float:
    """Σ_c L_c / m − γ (d_c / 2m)² from the relationship list (a self-loop adds its weight
    to L_c and twice its weight to d_c)."""
    src, dst = g.sources(), g.indices
    w = g.weights if g.weights is not None else np.ones(g.m)
    # each relationship is stored twice: both ways, or twice as (v, v) for a self-loop
    m = w.sum() / 2
    inside: dict[int, float] = {}
    degree: dict[int, float] = {}
    for a, b, x in zip(src.tolist(), dst.tolist(), (w / 2).tolist(), strict=True):
        degree[labels[a]] = degree.get(labels[a], 0.0) + x
        degree[labels[b]] = degree.get(labels[b], 0.0) + x
        if labels[a] == labels[b]:
            inside[labels[a]] = inside.get(labels[a], 0.0) + x
    return sum(inside.get(c, 0.0) / m - gamma * (d / (2 * m)) ** 2 for c, d in degree.items())


def objective_gain(graph: ModularityGraph, comm: Labels, v: int, target: int, r: float) -> float:
    """Gain (in edge weight) of moving ``v`` into ``target`` minus that of staying."""
    rows = slice(graph.indptr[v], graph.indptr[v + 1])
    nbrs, w = graph.indices[rows], graph.weights[rows]
    others = nbrs != v
    link = {c: 0.0 for c in (comm[v], target)}
    for u, x in zip(nbrs[others].tolist(), w[others].tolist(), strict=True):
        if comm[u] in link:
            link[comm[u]] += x
    tot = np.bincount(comm, weights=graph.strength, minlength=graph.n)
    k = graph.strength[v]
    stay = link[comm[v]] - r * k * (tot[comm[v]] - k)
    move = link[target] - r * k * tot[target] if target != comm[v] else stay
    return float(move - stay)


def components_inside(g: GraphSnapshot, labels: Labels) -> int:
    """Communities that do not induce a connected subgraph."""
    graph = nx.Graph()
    graph.add_nodes_from(range(g.n))
    graph.add_edges_from(zip(g.sources().tolist(), g.indices.tolist(), strict=True))
    broken = 0
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c).tolist()
        if not nx.is_connected(graph.subgraph(members)):
            broken += 1
    return broken


# -- the kernels ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 12), gamma=st.sampled_from([0.5, 1.0, 2.0]))
def test_quality_is_the_modularity_of_the_definition(seed: int, k: int, gamma: float) -> None:
    g = random_graph(seed)
    labels = np.random.default_rng(seed).integers(0, k, g.n)
    graph = modularity_graph(g, weighted=True)
    assert graph.quality(labels, gamma) == pytest.approx(by_definition(g, labels, gamma), abs=1e-12)
    total, _ = modularity_of_labels(g, labels, graph.weights)
    assert graph.quality(labels) == pytest.approx(total, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 20))
def test_aggregation_and_renaming_keep_strengths_and_quality(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    graph = modularity_graph(random_graph(seed), weighted=True)
    groups, count = kernels.compact(rng.integers(0, k, graph.n))
    coarse = graph.aggregated(groups, count)
    assert coarse.n == count
    assert coarse.two_m == pytest.approx(graph.two_m)
    rows = np.repeat(np.arange(count), np.diff(coarse.indptr))
    np.testing.assert_allclose(np.bincount(rows, coarse.weights, count), coarse.strength)
    for c in range(count):  # one entry per neighbouring group
        targets = coarse.indices[coarse.indptr[c] : coarse.indptr[c + 1]]
        assert np.unique(targets).size == targets.size
    # a partition of the groups scores the same on the coarse graph as lifted onto nodes
    top = rng.integers(0, 3, count)
    assert coarse.quality(top, 1.5) == pytest.approx(graph.quality(top[groups], 1.5), abs=1e-12)
    # symmetric: weight from a to b equals weight from b to a
    dense = np.zeros((count, count))
    np.add.at(dense, (np.repeat(np.arange(count), np.diff(coarse.indptr)), coarse.indices),
              coarse.weights)  # fmt: skip
    np.testing.assert_allclose(dense, dense.T)
    order = rng.permutation(graph.n)
    renamed = graph.permuted(order)
    labels = rng.integers(0, 5, graph.n)
    assert renamed.quality(labels[order]) == pytest.approx(graph.quality(labels), abs=1e-12)
    np.testing.assert_allclose(renamed.strength, graph.strength[order])


def reference_fast_moving(graph: ModularityGraph, order: Labels, r: float, tol: float) -> Labels:
    """Traag et al.'s MoveNodesFast written plainly: a FIFO queue of nodes; a popped node
    joins the neighbouring community that gains most (an empty one when all lose, staying
    on a tie); a move queues the neighbours outside the new community. Worked in rounds
    (the nodes queued at a round's start), it stops after a round gaining at most ``tol``
    in modularity. A neighbour is queued only once the moves around it may have spent its
    lead: its best gain over the runner-up (0, alone, included) when last visited, less
    ``2 (w + r k_u k_v)`` per neighbour move since."""
    n = graph.n
    comm = list(range(n))
    tot = graph.strength.astype(float).tolist()
    size = [1] * n
    queue = deque(order.tolist())
    queued = [True] * n
    lead = [0.0] * n
    while queue:
        gained = 0.0
        for _ in range(len(queue)):
            v = queue.popleft()
            queued[v] = False
            rows = range(graph.indptr[v], graph.indptr[v + 1])
            link: dict[int, float] = {comm[v]: 0.0}
            for e in rows:
                u = int(graph.indices[e])
                if u != v:
                    link[comm[u]] = link.get(comm[u], 0.0) + float(graph.weights[e])
            k, cv = float(graph.strength[v]), comm[v]
            tot[cv] -= k
            size[cv] -= 1
            gains = {c: x - r * k * tot[c] for c, x in link.items()}
            stay = gains[cv]
            best = max(gains, key=lambda c: (gains[c], c == cv))  # stay on a tie
            best_gain = gains[best]
            runner_up = max([0.0] + [g for c, g in gains.items() if c != best])
            if best_gain < 0 and size[cv] > 0:  # alone: the best community is runner-up
                best, best_gain, runner_up = size.index(0), 0.0, best_gain
            lead[v] = max(0.0, best_gain - runner_up)
            tot[best] += k
            size[best] += 1
            if best != cv:
                comm[v] = best
                gained += best_gain - stay
                for e in rows:
                    u = int(graph.indices[e])
                    if queued[u] or u == v:
                        continue
                    lead[u] -= 2 * (float(graph.weights[e]) + r * float(graph.strength[u]) * k)
                    if lead[u] < 0 and comm[u] != best:
                        queued[u] = True
                        queue.append(u)
        if 2 * gained / graph.two_m <= tol:
            break
    return np.asarray(comm, dtype=np.int64)


@pytest.mark.parametrize("tolerance", [0.0, 1e-3])
@pytest.mark.parametrize("seed", range(8))
def test_fast_local_moving_is_move_nodes_fast(seed: int, tolerance: float) -> None:
    graph = modularity_graph(random_graph(seed, n=80, m=300), weighted=True)
    r = 1.0 / graph.two_m
    order = np.random.default_rng(seed).permutation(graph.n)
    comm = np.arange(graph.n, dtype=np.int32)
    start = graph.quality(comm)
    moves = kernels.fast_local_moving(
        graph.indptr, graph.indices, graph.weights, graph.strength, comm,
        order.astype(np.int32), r, tolerance, graph.two_m,
    )  # fmt: skip
    assert moves > 0 and graph.quality(comm) > start
    expected = reference_fast_moving(graph, order, r, tolerance)
    assert np.array_equal(relabel(comm), relabel(expected))


def test_the_round_bound_stops_local_moving_early() -> None:
    graph = modularity_graph(random_graph(1, n=400, m=1500), weighted=True)
    order = np.random.default_rng(1).permutation(graph.n).astype(np.int32)
    moved = {}
    for tolerance in (0.0, 0.05):
        comm = np.arange(graph.n, dtype=np.int32)
        moved[tolerance] = kernels.fast_local_moving(
            graph.indptr, graph.indices, graph.weights, graph.strength, comm, order,
            1.0 / graph.two_m, tolerance, graph.two_m,
        )  # fmt: skip
    assert 0 < moved[0.05] < moved[0.0]


@pytest.mark.parametrize("seed", range(6))
def test_sweeps_end_where_no_single_move_helps_with_no_limit(seed: int) -> None:
    graph = modularity_graph(random_graph(seed, n=80, m=300), weighted=True)
    r = 1.0 / graph.two_m
    comm = np.arange(graph.n, dtype=np.int64)
    kernels.sweep_local_moving(
        graph.indptr, graph.indices, graph.weights, graph.strength, comm,
        np.random.default_rng(seed).permutation(graph.n), r, 10_000, 0.0, graph.two_m,
    )  # fmt: skip
    for v in range(graph.n):
        for u in graph.indices[graph.indptr[v] : graph.indptr[v + 1]].tolist():
            assert objective_gain(graph, comm, v, int(comm[u]), r) <= 1e-9
    # one sweep at most: fewer moves than sweeping to the end
    once = np.arange(graph.n, dtype=np.int64)
    kernels.sweep_local_moving(
        graph.indptr, graph.indices, graph.weights, graph.strength, once,
        np.random.default_rng(seed).permutation(graph.n), r, 1, 0.0, graph.two_m,
    )  # fmt: skip
    assert graph.quality(once) <= graph.quality(comm) + 1e-12


@pytest.mark.parametrize("theta", [0.001, 0.01, 1.0])
@pytest.mark.parametrize("seed", range(4))
def test_refinement_splits_communities_into_connected_parts(seed: int, theta: float) -> None:
    g = random_graph(seed, n=120, m=260)
    graph = modularity_graph(g, weighted=True)
    rng = np.random.default_rng(seed)
    comm = rng.integers(0, 4, graph.n)  # coarse, often disconnected communities
    refined = kernels.refine(
        graph.indptr, graph.indices, graph.weights, graph.strength, comm,
        rng.permutation(graph.n), rng.random(graph.n), 1.0 / graph.two_m, theta,
    )  # fmt: skip
    for part in np.unique(refined):
        assert np.unique(comm[refined == part]).size == 1  # inside one community
    assert components_inside(g, refined) == 0
    assert np.unique(refined).size < graph.n  # it merged something


# -- the algorithms ----------------------------------------------------------------------


def planted(seed: int, blocks: int = 6, size: int = 40) -> GraphSnapshot:
    sizes = [size] * blocks
    p = np.full((blocks, blocks), 0.01)
    np.fill_diagonal(p, 0.25)
    sbm = nx.stochastic_block_model(sizes, p.tolist(), seed=seed)
    edges = np.asarray(list(sbm.edges), dtype=np.int64)
    return GraphSnapshot.from_index_edges(
        edges[:, 0], edges[:, 1], list(range(blocks * size)), directed=False
    )


@pytest.mark.parametrize("seed", range(5))
def test_leiden_communities_are_connected_and_levels_never_lose(seed: int) -> None:
    g = random_graph(seed, n=300, m=700)
    result = community.leiden(g, weighted=True, random_seed=seed)
    assert components_inside(g, result.membership) == 0
    assert len(result.levels) == len(result.modularities) == result.ran_iterations
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(result.modularities))
    for level, q in zip(result.levels, result.modularities, strict=True):
        assert community.modularity(g, level, weighted=True).modularity == pytest.approx(q)
    assert np.array_equal(result.levels[-1], result.membership)


def test_leiden_recovers_planted_blocks_and_is_reproducible() -> None:
    g = planted(1)
    truth = [set(range(b * 40, (b + 1) * 40)) for b in range(6)]
    for seed in (1, 2, 3):
        result = community.leiden(g, random_seed=seed)
        assert sorted(map(sorted, result.communities())) == sorted(map(sorted, truth))
        again = community.leiden(g, random_seed=seed)
        assert np.array_equal(again.membership, result.membership)
        assert again.modularities == result.modularities


def test_tolerance_and_max_levels_stop_leiden_as_gds_does() -> None:
    g = planted(7)
    free = community.leiden(g, random_seed=3, tolerance=0.0, max_levels=50)
    assert free.did_converge and free.ran_iterations > 2
    # a tolerance above any gain: the first level's gain falls short, the run ends there
    one = community.leiden(g, random_seed=3, tolerance=1.0)
    assert one.ran_iterations == 1 and one.did_converge
    capped = community.leiden(g, random_seed=3, tolerance=0.0, max_levels=2)
    assert capped.ran_iterations == 2 and not capped.did_converge
    noisy = community.leiden(random_graph(7, n=400, m=1200), random_seed=3, tolerance=0.0)
    assert noisy.ran_iterations == 10 and not noisy.did_converge  # still gaining
    assert capped.modularities == free.modularities[:2]  # the same first levels
    assert free.modularity >= capped.modularity


def test_leiden_seeds_keep_their_ids_and_directed_is_undirected() -> None:
    g = planted(2, blocks=3)
    seeds = {0: 42, 1: 42, 40: 7}
    result = community.leiden(g, seed_property=seeds, random_seed=1)
    labels = result.to_dict()
    assert labels[0] == labels[1] == 42 and labels[40] == 7
    assert all(v in (7, 42) or v > 42 for v in labels.values())
    src, dst = g.sources(), g.indices
    one_way = GraphSnapshot.from_index_edges(src[src < dst], dst[src < dst], list(g.ids))
    directed = community.leiden(one_way, random_seed=5)
    undirected = community.leiden(one_way.undirected(), random_seed=5)
    assert np.array_equal(directed.membership, undirected.membership)


def test_louvain_levels_nest_and_sweeps_follow_max_iterations() -> None:
    g = random_graph(11, n=400, m=1200, weighted=False)
    result = community.louvain(g, seed=2)
    for fine, coarse in itertools.pairwise(result.levels):
        assert len(set(zip(fine.tolist(), coarse.tolist(), strict=True))) == np.unique(fine).size
    assert all(b - a > 1e-4 for a, b in itertools.pairwise(result.modularities))
    again = community.louvain(g, seed=2)
    assert np.array_equal(again.membership, result.membership)
    assert isinstance(community.louvain(g).config["seed"], int)  # drawn and recorded
    single = community.louvain(g, seed=2, max_iterations=1, max_levels=1)
    assert single.modularities[0] <= result.modularities[0] + 1e-12


def test_weights_below_zero_count_as_zero() -> None:
    g = random_graph(3, n=50, m=150)
    assert g.weights is not None
    negative = GraphSnapshot(
        g.indptr, g.indices, np.where(g.sources() % 7 == 0, -g.weights, g.weights), g.ids,
        directed=False,
    )  # fmt: skip
    zeroed = GraphSnapshot(
        g.indptr, g.indices, np.where(g.sources() % 7 == 0, 0.0, g.weights), g.ids,
        directed=False,
    )  # fmt: skip
    for algorithm in (
        lambda x: community.leiden(x, weighted=True, random_seed=4),
        lambda x: community.louvain(x, weighted=True, seed=4),
    ):
        assert np.array_equal(algorithm(negative).membership, algorithm(zeroed).membership)


@pytest.mark.parametrize(
    ("name", "directed"), [("email-Eu-core.txt", True), ("facebook_combined.txt.gz", False)]
)
def test_leiden_is_as_good_as_igraphs_on_real_graphs(name: str, directed: bool) -> None:
    """Mean modularity over three seeds at least igraph Leiden's at its defaults
    (modularity objective, two iterations), less 0.001 (``benchmarks/communities.py``
    compares the larger graphs)."""
    import gzip
    import random

    import igraph

    from tests.conftest import datasets_dir

    path = datasets_dir() / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        raw = np.asarray([line.split()[:2] for line in fh if line.strip()], dtype=np.int64)
    ids, inverse = np.unique(raw, return_inverse=True)
    edges = inverse.reshape(-1, 2)
    g = GraphSnapshot.from_index_edges(edges[:, 0], edges[:, 1], ids.tolist(), directed=directed)
    ours = [community.leiden(g, random_seed=seed).modularity for seed in (1, 2, 3)]
    graph = igraph.Graph(n=ids.size, edges=edges.tolist(), directed=False)
    state = random.getstate()
    theirs = []
    try:
        for seed in (1, 2, 3):
            random.seed(seed)
            theirs.append(graph.community_leiden("modularity").modularity)
    finally:
        random.setstate(state)
    assert np.mean(ours) >= np.mean(theirs) - 0.001, (ours, theirs)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_degree", [None, 6, 12])
@pytest.mark.parametrize("seed", range(5))
def test_compiled_triangles_are_networkx_triangles(seed: int, max_degree: int | None) -> None:
    """On random multigraphs with self-loops: triangles of the simple graph left when the
    nodes of multigraph degree over ``max_degree`` are removed (those get -1)."""
    g = random_graph(seed, n=70, m=300, weighted=False)
    degree = np.diff(g.indptr)  # each relationship of the undirected multigraph
    simple = nx.Graph()
    simple.add_nodes_from(range(g.n))
    simple.add_edges_from(
        (a, b) for a, b in zip(g.sources().tolist(), g.indices.tolist(), strict=True) if a != b
    )
    if max_degree is not None:
        simple.remove_nodes_from([v for v in range(g.n) if degree[v] > max_degree])
    expected = nx.triangles(simple)
    result = community.triangle_count(g, max_degree=max_degree)
    for v in range(g.n):
        assert result.scores[v] == expected.get(v, -1), v
    assert result.config["global_triangle_count"] == sum(expected.values()) // 3
    if max_degree is None:
        listed = {tuple(sorted(t)) for t in community.triangles(g)}
        cliques = {tuple(sorted(c)) for c in nx.enumerate_all_cliques(simple) if len(c) == 3}
        assert listed == cliques and len(community.triangles(g)) == len(cliques)
        loops = {int(a) for a, b in zip(g.sources(), g.indices, strict=True) if a == b}
        for v in range(g.n):  # GDS counts a node's own self-loop among its neighbours
            d = simple.degree(v) + (v in loops)
            want = 2 * expected[v] / (d * (d - 1)) if d > 1 else 0.0
            assert community.local_clustering_coefficient(g).scores[v] == pytest.approx(want)
