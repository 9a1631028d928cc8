"""Community algorithms with Neo4j GDS names, defaults and semantics."""

from graph_engine.algorithms.community.k_core import k_core
from graph_engine.algorithms.community.label_propagation import label_propagation
from graph_engine.algorithms.community.leiden import leiden
from graph_engine.algorithms.community.louvain import louvain
from graph_engine.algorithms.community.modularity import (
    ModularityResult,
    conductance,
    modularity,
)
from graph_engine.algorithms.community.node_similarity import SimilarityPairs, node_similarity
from graph_engine.algorithms.community.triangles import (
    local_clustering_coefficient,
    triangle_count,
    triangles,
)
from graph_engine.algorithms.community.wcc import wcc

__all__ = [
    "ModularityResult",
    "SimilarityPairs",
    "conductance",
    "k_core",
    "label_propagation",
    "leiden",
    "local_clustering_coefficient",
    "louvain",
    "modularity",
    "node_similarity",
    "triangle_count",
    "triangles",
    "wcc",
]
