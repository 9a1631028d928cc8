"""Every documented Neo4j GDS example of this issue's algorithms, within its tolerance."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pytest

from graph_engine.algorithms import community, influence
from graph_engine.algorithms.results import NodeScores, Partition
from tests.gds import cases, snapshot


def close(result: Mapping[Hashable, float], expected: Mapping[str, float], tol: float) -> None:
    assert set(result) == set(expected)
    for node, value in expected.items():
        assert result[node] == pytest.approx(value, abs=max(tol, 1e-15)), node


def partition_of(result: Partition) -> set[frozenset[Hashable]]:
    return {frozenset(c) for c in result.communities()}


def expected_partition(case: dict[str, Any]) -> set[frozenset[str]]:
    return {frozenset(c) for c in case["expected"]["partition"]}


@pytest.mark.parametrize(
    ("case_id", "algorithm"),
    [
        ("pagerank_unweighted", influence.pagerank),
        ("articlerank_unweighted", influence.article_rank),
        ("eigenvector_unweighted", influence.eigenvector),
    ],
)
def test_rank_family(case_id: str, algorithm: Any) -> None:
    case = cases()[case_id]
    result: NodeScores = algorithm(snapshot(case))
    close(result.to_dict(), case["expected"]["node_scores"], case["tolerance"]["float_abs"])
    assert result.ran_iterations == case["expected"]["ranIterations"]
    assert result.did_converge == case["expected"]["didConverge"]


def test_degree_on_the_reversed_projection() -> None:
    case = cases()["degree_natural"]
    close(influence.degree(snapshot(case)).to_dict(), case["expected"]["node_scores"], 0)


def test_betweenness() -> None:
    case = cases()["betweenness_unweighted"]
    close(influence.betweenness(snapshot(case)).to_dict(), case["expected"]["node_scores"], 1e-9)


def test_closeness() -> None:
    case = cases()["closeness_default"]
    close(influence.closeness(snapshot(case)).to_dict(), case["expected"]["node_scores"], 1e-9)


def test_hits() -> None:
    case = cases()["hits_20"]
    result = influence.hits(snapshot(case), hits_iterations=20)
    close(result.authority.to_dict(), case["expected"]["auth"], 1e-9)
    close(result.hub.to_dict(), case["expected"]["hub"], 1e-9)


def test_louvain() -> None:
    case = cases()["louvain_unweighted"]
    result = community.louvain(snapshot(case), seed=0)
    assert partition_of(result) == expected_partition(case)
    assert result.modularity == pytest.approx(case["expected"]["modularity"], abs=1e-12)
    assert list(result.modularities) == pytest.approx(
        case["expected"]["modularities_per_level"], abs=1e-12
    )


def test_louvain_seeded_keeps_the_seed_id() -> None:
    case = cases()["louvain_unweighted"]
    seeds = {
        n["name"]: n["properties"]["seed"]
        for n in case["graph"]["nodes"]
        if "seed" in n["properties"]
    }
    result = community.louvain(snapshot(case), seed_property=seeds, seed=0)
    labels = result.to_dict()
    assert {labels[name] for name in seeds} == {42}
    assert all(labels[n] > 42 for n in ("Doug", "Mark", "Michael"))
    assert partition_of(result) == expected_partition(case)


def test_leiden() -> None:
    case = cases()["leiden_unweighted"]
    result = community.leiden(snapshot(case), random_seed=19)
    documented = community.modularity(
        snapshot(case),
        {node: i for i, members in enumerate(case["expected"]["partition"]) for node in members},
    ).modularity
    assert partition_of(result) == expected_partition(case) or (
        result.modularity is not None and result.modularity >= documented - 1e-9
    )
    assert result.config["random_seed"] == 19


def test_label_propagation_partition_and_documented_ids() -> None:
    case = cases()["lpa_unweighted"]
    result = community.label_propagation(snapshot(case))
    assert partition_of(result) == expected_partition(case)
    # GDS labels unseeded nodes by their Neo4j id and visits them in its internal order
    order = case["expected"]["reproduction_hints"]["gds_internal_node_order_inferred"]
    neo4j_ids = {n["name"]: n["creation_index"] for n in case["graph"]["nodes"]}
    exact = community.label_propagation(snapshot(case, order=order), seed_property=neo4j_ids)
    assert exact.to_dict() == case["expected"]["doc_community_ids"]
    assert (exact.ran_iterations, exact.did_converge) == (
        case["expected"]["ranIterations"],
        case["expected"]["didConverge"],
    )


def test_wcc() -> None:
    case = cases()["wcc_unweighted"]
    result = community.wcc(snapshot(case))
    assert partition_of(result) == expected_partition(case)
    assert result.to_dict() == case["expected"]["doc_community_ids"]


def test_k_core() -> None:
    case = cases()["kcore_default"]
    result = community.k_core(snapshot(case))
    assert result.to_dict() == case["expected"]["core_values"]
    assert result.config["degeneracy"] == case["expected"]["degeneracy"]


def test_triangle_count_and_lcc() -> None:
    case = cases()["triangle_count_default"]
    result = community.triangle_count(snapshot(case))
    assert result.to_dict() == case["expected"]["triangle_counts"]
    assert result.config["global_triangle_count"] == case["expected"]["globalTriangleCount"]
    assert len(community.triangles(snapshot(case))) == 3
    lcc_case = cases()["lcc_default"]
    lcc = community.local_clustering_coefficient(snapshot(lcc_case))
    close(lcc.to_dict(), lcc_case["expected"]["local_clustering_coefficient"], 1e-12)
    assert lcc.config["average"] == pytest.approx(
        lcc_case["expected"]["averageClusteringCoefficient"], abs=1e-12
    )


def _communities(case: dict[str, Any]) -> dict[str, int]:
    return {n["name"]: n["properties"]["community"] for n in case["graph"]["nodes"]}


def test_modularity_metric() -> None:
    case = cases()["modularity_weighted"]
    g = snapshot(case, weight="weight")
    assert g.m == case["expected"]["relationshipCount"]
    result = community.modularity(g, _communities(case), weighted=True)
    assert result.modularity == pytest.approx(case["expected"]["modularity"], abs=1e-12)
    expected = {int(k): v for k, v in case["expected"]["per_community_modularity"].items()}
    assert result.per_community == pytest.approx(expected, abs=1e-12)


def test_conductance() -> None:
    case = cases()["conductance_weighted"]
    result = community.conductance(
        snapshot(case, weight="weight"), _communities(case), weighted=True
    )
    expected = {int(k): v for k, v in case["expected"]["conductance_per_community"].items()}
    assert result == pytest.approx(expected, abs=1e-12)


def test_node_similarity() -> None:
    case = cases()["nodesim_jaccard_default"]
    result = community.node_similarity(snapshot(case))
    expected = {(a, b): s for a, b, s in case["expected"]["pairs"]}
    assert result.to_dict() == pytest.approx(expected, abs=1e-9)
    assert [p[2] for p in result.pairs] == sorted((p[2] for p in result.pairs), reverse=True)
