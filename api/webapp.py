"""The web explorer's files, served at ``/`` beside the API (which stays under ``/v1``).

The files are built from ``web/`` (TypeScript, Vite) into ``api/web/`` by
``scripts/install`` and ship in the wheel as package data. The explorer routes in the
browser (``/communities/7``, ``/customers/crm-1``...), so any path that is not a file
gets ``index.html``; paths under ``/v1`` never do (an unknown API path stays a JSON 404).
Hashed assets are cached for good; ``index.html`` is revalidated. The content security
policy allows this origin only: the explorer works offline and loads nothing else.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from .errors import body

__all__ = ["WEB_ROOT", "ExplorerFiles", "NotBuilt", "explorer_app", "explorer_built"]

#: Where ``vite build`` writes the explorer (``web/vite.config.ts``).
WEB_ROOT = Path(__file__).parent / "web"

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def _api_not_found(path: str) -> JSONResponse:
    return JSONResponse(body("not_found", f"no API operation at /{path}"), status_code=404)


class ExplorerFiles(StaticFiles):
    """Static files with the single-page fallback and the explorer's headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == "v1" or path.startswith("v1/"):
            return _api_not_found(path)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise
            response = await super().get_response("index.html", scope)
            path = "index.html"
        immutable = path.startswith("assets/")
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class NotBuilt:
    """What ``/`` answers when the explorer was not built (e.g. no npm on the machine)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")).lstrip("/")
        if path == "v1" or path.startswith("v1/"):
            response: Response = _api_not_found(path)
        else:
            response = HTMLResponse(
                "<!doctype html><title>graph_engine</title><h1>The explorer is not built</h1>"
                "<p>Run <code>scripts/install</code> (needs Node.js 20 and npm) and restart "
                "<code>graph-engine serve</code>. The API is at <a href='/docs'>/docs</a>.</p>",
                status_code=503,
            )
        await response(scope, receive, send)


def explorer_built(root: Path = WEB_ROOT) -> bool:
    """Whether ``root`` holds a build of the explorer."""
    return (root / "index.html").is_file()


def explorer_app(root: Path = WEB_ROOT) -> ExplorerFiles | NotBuilt:
    """The files under ``root`` if it holds a build, else the not-built page."""
    if explorer_built(root):
        return ExplorerFiles(directory=root, html=True)
    return NotBuilt()
