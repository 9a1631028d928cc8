"""Ingest: readers, validation, identity resolution, atomic batches and quarantine."""

from graph_engine.ingest.engine import Ingestor, IngestReport, default_quarantine_path
from graph_engine.ingest.quarantine import Quarantine
from graph_engine.ingest.readers import (
    EDGE_LIST_COLUMNS,
    RawRow,
    Source,
    derive_event_id,
    detect_format,
    expand_paths,
    read_rows,
)

__all__ = [
    "EDGE_LIST_COLUMNS",
    "IngestReport",
    "Ingestor",
    "Quarantine",
    "RawRow",
    "Source",
    "default_quarantine_path",
    "derive_event_id",
    "detect_format",
    "expand_paths",
    "read_rows",
]
