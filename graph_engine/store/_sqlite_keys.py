"""API keys (stored hashed) and the audit log, for :class:`SQLiteStore`.

A key is shown once, at creation: ``ge_<key id>_<secret>``. The store keeps the key id,
its role, flags and ``sha256(secret)``; verification recomputes the hash and compares
in constant time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.store._common import now_iso, secret_hash, verify_secret
from graph_engine.store.base import ROLES, ApiKey

MIGRATION = """
CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, role TEXT NOT NULL,
    pii INTEGER NOT NULL DEFAULT 0, name TEXT, created_at TEXT NOT NULL, revoked_at TEXT,
    last_used_at TEXT
) WITHOUT ROWID;
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, key_id TEXT, action TEXT NOT NULL,
    detail TEXT NOT NULL
)
"""


class KeysMixin:
    """API keys and audit log for :class:`SQLiteStore`."""

    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def create_key(
        self, role: str, *, name: str | None = None, pii: bool = False
    ) -> tuple[ApiKey, str]:
        """Create a key; returns the record and the full key (shown only this once)."""
        if role not in ROLES:
            raise ParameterError(f"role: unknown role {role!r} (known: {', '.join(ROLES)})")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO api_keys (key_id, secret_hash, role, pii, name, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, secret_hash(secret), role, int(pii), name, now_iso()),
            )
        return self._key(key_id), f"ge_{key_id}_{secret}"

    def _key(self, key_id: str) -> ApiKey:
        row = self._db.execute(
            "SELECT key_id, role, pii, name, created_at, revoked_at, last_used_at "
            "FROM api_keys WHERE key_id = ?",
            (key_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no API key {key_id!r}")
        return ApiKey(row[0], row[1], bool(row[2]), row[3], row[4], row[5], row[6])

    def list_keys(self) -> list[ApiKey]:
        """Every key (revoked ones too), oldest first; secrets are never stored."""
        ids = [r[0] for r in self._db.execute("SELECT key_id FROM api_keys ORDER BY created_at")]
        return [self._key(k) for k in ids]

    def revoke_key(self, key_id: str) -> ApiKey:
        """Revoke a key (it stops working at once)."""
        self._key(key_id)
        with self._transaction() as db:
            db.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?",
                (now_iso(), key_id),
            )
        return self._key(key_id)

    def verify_key(self, presented: str) -> ApiKey:
        """The active key ``presented`` belongs to.

        Raises
        ------
        AuthenticationError
            Malformed, unknown or revoked key (one message for all, no oracle).
        """

        def stored(key_id: str) -> tuple[str, str | None] | None:
            return self._db.execute(  # type: ignore[no-any-return]
                "SELECT secret_hash, revoked_at FROM api_keys WHERE key_id = ?", (key_id,)
            ).fetchone()

        return self._key(verify_secret(presented, stored))

    def audit(self, key_id: str | None, action: str, detail: dict[str, Any]) -> None:
        """Append to the audit log."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO audit_log (at, key_id, action, detail) VALUES (?, ?, ?, ?)",
                (now_iso(), key_id, action, json.dumps(detail, default=str)),
            )

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest audit entries, newest first."""
        rows = self._db.execute(
            "SELECT seq, at, key_id, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?",
            (limit,),
        )
        return [
            {"seq": r[0], "at": r[1], "key_id": r[2], "action": r[3], "detail": json.loads(r[4])}
            for r in rows
        ]
