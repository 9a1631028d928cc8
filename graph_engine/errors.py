"""One error tree for graph_engine.

Every error the library raises on purpose derives from :class:`GraphEngineError`;
the API maps this tree to HTTP status codes in one handler, the CLI to exit codes.

::

    GraphEngineError
    ├── ConfigError                  bad or missing settings (e.g. a default secret in production)
    ├── InputError                   bad input from a user or a file; names field, value, where
    │   ├── EventValidationError     one ingest row failed its schema (quarantined, never raised
    │   │                            out of a whole-file ingest)
    │   ├── IdentityConflictError    an identity link that the merge rules refuse
    │   ├── SourceError              an input file that is missing, unreadable or of unknown format
    │   └── ParameterError           a bad argument to a public function (name and value)
    │   └── PayloadTooLargeError     a request or batch beyond the configured limits
    ├── AccessError                  API access refused
    │   ├── AuthenticationError      no key, unknown or revoked key (HTTP 401)
    │   ├── PermissionDeniedError    the key's role does not allow this (HTTP 403)
    │   └── RateLimitedError         too many requests for this key (HTTP 429)
    ├── NotFoundError                a customer, run or object that does not exist
    ├── ConflictError                the request conflicts with the current state (HTTP 409)
    ├── BusyError                    over a time or capacity budget; try later (HTTP 503)
    └── StoreError                   the store failed
        ├── StoreUnavailableError    cannot open / connect (bad URL, bad path, server down)
        ├── SchemaVersionError       the database schema is newer than this code
        └── InsufficientMemoryError  the server's free memory cannot hold a planned computation

``is_retryable`` says whether repeating the same call may succeed (as in the Neo4j driver).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BusyError",
    "ConfigError",
    "ConflictError",
    "EventValidationError",
    "GraphEngineError",
    "IdentityConflictError",
    "InputError",
    "InsufficientMemoryError",
    "NotFoundError",
    "ParameterError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitedError",
    "SchemaVersionError",
    "SourceError",
    "StoreError",
    "StoreUnavailableError",
]


class GraphEngineError(Exception):
    """Root of every error graph_engine raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong, in words a user can act on.
    details : dict, optional
        Machine-readable context (field, value, source, line, ...).
    """

    code = "graph_engine_error"
    is_retryable = False

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})


class ConfigError(GraphEngineError):
    """Settings are missing, inconsistent or unsafe."""

    code = "config_error"


class InputError(GraphEngineError):
    """Input from a user or a file is invalid."""

    code = "invalid_input"


class EventValidationError(InputError):
    """One ingest row failed validation.

    Parameters
    ----------
    field : str
        The offending field (``"$"`` for the whole row).
    value : object
        The offending value, as read.
    reason : str
        Why it was rejected.
    source, line : str, int, optional
        Where the row came from.
    """

    code = "invalid_event"

    def __init__(
        self,
        field: str,
        value: Any,
        reason: str,
        *,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        where = f" ({source}, line {line})" if source is not None else ""
        super().__init__(
            f"field {field!r} value {_short(value)}: {reason}{where}",
            details={
                "field": field,
                "value": value,
                "reason": reason,
                "source": source,
                "line": line,
            },
        )
        self.field = field
        self.value = value
        self.reason = reason
        self.source = source
        self.line = line


class IdentityConflictError(InputError):
    """An identity link that the configured merge rules refuse."""

    code = "identity_conflict"


class SourceError(InputError):
    """An input file is missing, unreadable or of an unknown format."""

    code = "bad_source"


class ParameterError(InputError, ValueError):
    """A bad argument to a public function; the message names it and its value."""

    code = "bad_parameter"


class PayloadTooLargeError(InputError):
    """A request body, batch or list beyond the configured limits."""

    code = "payload_too_large"


class AccessError(GraphEngineError):
    """API access refused."""

    code = "access_denied"


class AuthenticationError(AccessError):
    """No API key, or an unknown or revoked one."""

    code = "unauthenticated"


class PermissionDeniedError(AccessError):
    """The API key's role does not allow the action."""

    code = "forbidden"


class RateLimitedError(AccessError):
    """Too many requests for this key in the current window."""

    code = "rate_limited"
    is_retryable = True


class ConflictError(GraphEngineError):
    """The request conflicts with the current state (e.g. a recompute already running)."""

    code = "conflict"
    is_retryable = True


class BusyError(GraphEngineError):
    """Over a time or capacity budget (e.g. a seed selection past its deadline)."""

    code = "busy"
    is_retryable = True


class NotFoundError(GraphEngineError, LookupError):
    """The requested object does not exist."""

    code = "not_found"


class StoreError(GraphEngineError):
    """The store failed."""

    code = "store_error"


class StoreUnavailableError(StoreError):
    """The store cannot be opened or reached."""

    code = "store_unavailable"
    is_retryable = True


class SchemaVersionError(StoreError):
    """The database was written by a newer schema than this code knows."""

    code = "schema_version"


class InsufficientMemoryError(StoreError):
    """The store's server cannot hold a planned in-database computation (e.g. a GDS
    projection and its algorithms); ``details`` holds the estimate and the free memory."""

    code = "insufficient_memory"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
