"""One router per file; every endpoint calls graph_engine (no business logic here)."""
