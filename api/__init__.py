"""HTTP API (FastAPI) over graph_engine: one router per file under ``api/routes/``.

The API holds no business logic: every endpoint calls :mod:`graph_engine`.
"""
