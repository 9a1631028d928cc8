"""Influence (centrality) algorithms with Neo4j GDS names, defaults and semantics."""

from graph_engine.algorithms.influence.betweenness import betweenness
from graph_engine.algorithms.influence.closeness import closeness
from graph_engine.algorithms.influence.degree import degree
from graph_engine.algorithms.influence.eigenvector import eigenvector
from graph_engine.algorithms.influence.hits import HitsScores, hits
from graph_engine.algorithms.influence.pagerank import article_rank, pagerank
from graph_engine.algorithms.influence.scalers import SCALERS, scale

__all__ = [
    "SCALERS",
    "HitsScores",
    "article_rank",
    "betweenness",
    "closeness",
    "degree",
    "eigenvector",
    "hits",
    "pagerank",
    "scale",
]
