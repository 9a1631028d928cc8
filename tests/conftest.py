"""Shared fixtures: a fresh SQLite store, settings with a test salt, dataset paths."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, IngestReport
from graph_engine.store import SQLiteStore
from tests import neo4j_live

# The live Neo4j connection is read before any test runs; the GRAPH_ENGINE_* variables
# are then removed so that every other test runs on its own settings.
neo4j_live.capture()

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
T0 = "2026-03-01T10:00:00+08:00"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        identity_salt="test-salt", quarantine_dir=tmp_path / "quarantine", ingest_batch_size=1000
    )


@pytest.fixture
def store(tmp_path: Path, settings: Settings) -> Iterator[SQLiteStore]:
    s = SQLiteStore(f"sqlite:///{tmp_path / 'graph.db'}", identity_salt="test-salt")
    yield s
    s.close()


def ingest(store: SQLiteStore, settings: Settings, rows: list[dict[str, Any]]) -> IngestReport:
    """Ingest rows; fill in event ids and times where a test leaves them out."""
    full = []
    for i, row in enumerate(rows):
        row = dict(row)
        row.setdefault("at", T0)
        row.setdefault("event_id", f"t-{row['type']}-{i}-{json.dumps(row, sort_keys=True)}")
        full.append(row)
    return Ingestor(store, settings).ingest_rows(full)


def quarantined(report: IngestReport) -> list[dict[str, Any]]:
    assert report.quarantine is not None, "nothing was quarantined"
    return [json.loads(line) for line in Path(report.quarantine).read_text().splitlines()]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def datasets_dir() -> Path:
    if not DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {DATASETS}")
    return DATASETS
