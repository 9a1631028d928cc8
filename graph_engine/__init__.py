"""graph_engine: a social-CRM graph and influence engine.

Customers, their identities, follows, shares, referrals, orders and engagement go
into a store (embedded SQLite by default, Neo4j in production); graph algorithms turn
the graph into influence, reach, communities and social value.
"""

from graph_engine.config import Settings, get_settings
from graph_engine.errors import GraphEngineError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["GraphEngineError", "GraphSnapshot", "Settings", "get_settings"]
__version__ = "0.1.0"
