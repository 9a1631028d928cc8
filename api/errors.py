"""One handler: the GraphEngineError tree (and validation errors) -> JSON error bodies."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_engine.errors import (
    AuthenticationError,
    BusyError,
    ConflictError,
    GraphEngineError,
    InputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    StoreUnavailableError,
)

log = logging.getLogger("graph_engine.api")

#: Most specific first.
STATUS: tuple[tuple[type[GraphEngineError], int], ...] = (
    (PayloadTooLargeError, 413),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (RateLimitedError, 429),
    (NotFoundError, 404),
    (ConflictError, 409),
    (BusyError, 503),
    (StoreUnavailableError, 503),
    (InputError, 400),
)


def status_of(exc: GraphEngineError) -> int:
    """HTTP status of a library error (500 for anything unexpected)."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def body(code: str, message: str, details: dict[str, object] | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(GraphEngineError)
    async def graph_engine_error(request: Request, exc: GraphEngineError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s %s -> %s: %s", request.method, request.url.path, status, exc.message)
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
        if status == 429 and "retry_after_seconds" in exc.details:
            headers["Retry-After"] = str(exc.details["retry_after_seconds"])
        return JSONResponse(
            body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "reason": err.get("msg", ""),
                "value": repr(err.get("input"))[:200],
            }
            for err in exc.errors()
        ]
        first = problems[0] if problems else {"field": "", "reason": "invalid request"}
        return JSONResponse(
            body(
                "invalid_request",
                f"{first['field'] or 'request'}: {first['reason']}",
                {"problems": problems},
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            body("internal_error", "internal error; it was logged"), status_code=500
        )
