"""GraphSnapshot: CSR construction, projections, conversions, invariants."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_engine import GraphSnapshot
from graph_engine.errors import NotFoundError, ParameterError


def test_parallel_edges_weights_and_properties_follow_the_sort() -> None:
    g = GraphSnapshot.from_edges(
        ["b", "a", "a", "a"],
        ["a", "c", "b", "b"],
        weights=[1.0, 2.0, 3.0, 4.0],
        edge_properties={"kind": [10, 20, 30, 40]},
    )
    assert g.ids == ("a", "b", "c")
    assert g.indptr.tolist() == [0, 3, 4, 4]
    assert g.indices.tolist() == [1, 1, 2, 0]
    assert g.weights is not None and g.weights.tolist() == [3.0, 4.0, 2.0, 1.0]
    assert g.edge_properties["kind"].tolist() == [30, 40, 20, 10]
    assert g.m == 4  # parallel edges kept


def test_arrays_are_read_only() -> None:
    g = GraphSnapshot.from_edges([0], [1])
    with pytest.raises(ValueError, match="read-only"):
        g.indices[0] = 0


def test_reverse_and_undirected() -> None:
    g = GraphSnapshot.from_edges([1, 1, 2], [2, 3, 3], weights=[1, 2, 3])
    r = g.reverse()
    assert r.out_degree().tolist() == g.in_degree().tolist()
    assert r.weights is not None and sorted(r.weights.tolist()) == [1, 2, 3]
    u = g.undirected()
    assert not u.directed and u.m == 6 and u.undirected() is u
    assert u.out_degree().tolist() == [2, 2, 2]
    assert g.undirected() is u  # built once per snapshot


def test_node_ids_fix_order_and_keep_isolated_nodes() -> None:
    g = GraphSnapshot.from_edges(
        [(1, "x")], ["z"], node_ids=["z", "iso", (1, "x")], node_properties={"age": [1, 2, 3]}
    )
    assert g.n == 3 and g.index_of("iso") == 1 and g.out_degree().tolist() == [0, 0, 1]
    assert g.node_properties["age"].tolist() == [1, 2, 3]
    with pytest.raises(NotFoundError, match="'nope' is not in the graph"):
        g.index_of("nope")


def test_empty_and_one_node_graphs() -> None:
    empty = GraphSnapshot.from_edges([], [])
    assert (empty.n, empty.m, empty.indptr.tolist()) == (0, 0, [0])
    one = GraphSnapshot.from_edges([], [], node_ids=["solo"])
    assert (one.n, one.m) == (1, 0)
    assert one.to_igraph().vcount() == 1 and one.to_networkx().number_of_nodes() == 1


def test_bad_input_names_the_problem() -> None:
    with pytest.raises(ParameterError, match="src has 2 items but dst has 1"):
        GraphSnapshot.from_edges([1, 2], [3])
    with pytest.raises(ParameterError, match="edge end 9 is not in node_ids"):
        GraphSnapshot.from_edges([1], [9], node_ids=[1, 2])
    with pytest.raises(ParameterError, match="duplicate"):
        GraphSnapshot.from_edges([1], [2], node_ids=[1, 2, 2])
    with pytest.raises(ParameterError, match=r"edge ends must lie in \[0, 2\)"):
        GraphSnapshot.from_index_edges([0], [5], ["a", "b"])
    with pytest.raises(ParameterError, match="weights has length 1"):
        GraphSnapshot(np.array([0, 1, 2]), np.array([1, 0]), np.array([1.0]), ("a", "b"))


edges = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=50)


@settings(max_examples=60, deadline=None)
@given(edges, st.booleans())
def test_matches_networkx_on_random_multigraphs(
    pairs: list[tuple[int, int]], directed: bool
) -> None:
    src = [a for a, _ in pairs]
    dst = [b for _, b in pairs]
    g = GraphSnapshot.from_edges(src, dst, node_ids=range(13), directed=directed)
    ref = nx.MultiDiGraph() if directed else nx.MultiGraph()
    ref.add_nodes_from(range(13))
    ref.add_edges_from(pairs)
    out = g.to_networkx()
    assert sorted(map(tuple, out.edges())) == sorted(map(tuple, ref.edges()))
    if directed:
        assert g.out_degree().tolist() == [ref.out_degree(i) for i in range(13)]
        assert g.in_degree().tolist() == [ref.in_degree(i) for i in range(13)]
    else:
        assert g.out_degree().tolist() == [ref.degree(i) for i in range(13)]
    ig = g.to_igraph()
    assert ig.ecount() == len(pairs) and ig.is_directed() == directed
    assert sorted(g.reverse().reverse().indices.tolist()) == sorted(g.indices.tolist())
    # CSR invariant: each row sorted
    for i in range(g.n):
        row = g.indices[g.indptr[i] : g.indptr[i + 1]]
        assert (np.diff(row) >= 0).all()
