"""SQLiteStore: schema versions, salt, follow state, merges, stats, snapshot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.errors import SchemaVersionError, StoreUnavailableError
from graph_engine.store import SQLiteStore, open_store
from graph_engine.store.sqlite import SCHEMA_VERSION


def test_schema_is_versioned_and_newer_databases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    SQLiteStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaVersionError, match="newer than this graph_engine knows"):
        SQLiteStore(f"sqlite:///{path}")


def test_salt_is_kept_per_database_and_a_different_one_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with SQLiteStore(url) as s:
        salt = s.identity_salt()
    with SQLiteStore(url) as s:
        assert s.identity_salt() == salt
    with pytest.raises(StoreUnavailableError, match="different identity salt"):
        SQLiteStore(url, identity_salt="other")


def test_bad_urls_and_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="does not exist"):
        SQLiteStore(f"sqlite:///{tmp_path}/missing/dir/x.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreUnavailableError, match="cannot open database"):
        SQLiteStore(f"sqlite:///{junk}")
    with pytest.raises(StoreUnavailableError, match="unknown scheme 'postgres'"):
        open_store("postgres://x", Settings())


def test_stored_columns_that_no_read_returns(tmp_path: Path) -> None:
    """The audit columns of identities and referrals, read straight from the tables (no
    store method returns them; scripts/mutate found them unchecked)."""
    from tests.conftest import ingest

    store = SQLiteStore(f"sqlite:///{tmp_path / 'g.db'}", identity_salt="s")
    settings = Settings(identity_salt="s", quarantine_dir=tmp_path / "q")
    ingest(
        store,
        settings,
        [
            {"type": "customer", "customer": "external:crm:7", "name": "N", "event_id": "p1"},
            {"type": "referral", "referrer": "a", "referee": "b", "campaign_id": "spring",
             "converted": True, "order_id": "o-9", "reward": 12.5, "event_id": "ref-1",
             "at": "2026-02-01T00:00:00Z"},
        ],
    )  # fmt: skip
    db = store._db
    assert db.execute("SELECT kind FROM identities WHERE key = 'external:crm:7'").fetchone() == (
        "external",
    )
    row = db.execute(
        "SELECT event_id, converted, order_id, reward, campaign_id FROM referrals"
    ).fetchone()
    assert row == ("ref-1", 1, "o-9", 12.5, "spring")
    store.close()
