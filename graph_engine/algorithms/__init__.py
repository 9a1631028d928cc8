"""Graph algorithms: pure functions over :class:`~graph_engine.GraphSnapshot`.

Families are packages (:mod:`.influence`, :mod:`.community`), algorithms are modules.
Names and defaults follow Neo4j Graph Data Science (see ``GDS-SEMANTICS.md``).
"""

from graph_engine.algorithms.results import NodeScores, Partition

__all__ = ["NodeScores", "Partition"]
