"""HTTP API (FastAPI) over graph_engine: one router per file under ``api/routes/``.

The API holds no business logic: every endpoint calls :mod:`graph_engine`.
``create_app(settings)`` builds the app; ``graph-engine serve`` runs it with uvicorn.
"""

from .app import create_app

__all__ = ["create_app"]
