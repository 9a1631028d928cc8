"""Quarantine: every rejected row, with where it came from and why, as JSON lines."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from graph_engine.errors import EventValidationError

__all__ = ["Quarantine"]


class Quarantine:
    """Append rejected rows to a JSONL file, created on the first rejection.

    Each line holds ``source``, ``line``, ``field``, ``value``, ``reason`` and the raw
    ``row`` as read, so a fixed row can be re-ingested from it.

    Parameters
    ----------
    path : Path
        The quarantine file (its directory is created when needed).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.by_reason: Counter[str] = Counter()
        self._fh: IO[str] | None = None

    def add(self, error: EventValidationError, raw: str, event_type: Any = None) -> None:
        """Record one rejected row."""
        self.record(
            error.field, error.value, error.reason, error.source, error.line, raw, event_type
        )

    def record(
        self,
        field: str,
        value: Any,
        reason: str,
        source: str | None,
        line: int | None,
        raw: str,
        event_type: Any = None,
    ) -> None:
        """Record one rejected row from its parts (what :meth:`add` takes from an error)."""
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        record = {
            "source": source,
            "line": line,
            "type": event_type,
            "field": field,
            "value": value,
            "reason": reason,
            "row": raw,
        }
        self._fh.write(_ENCODER.encode(record) + "\n")
        self.count += 1
        self.by_reason[f"{field}: {_category(reason)}"] += 1

    def flush(self) -> None:
        """Make what was written so far durable."""
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def written_path(self) -> Path | None:
        """The file, if any row was quarantined."""
        return self.path if self.count else None


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=repr)


def _category(reason: str) -> str:
    """The reason without row-specific values, for counting.

    Examples
    --------
    >>> _category("unparseable timestamp '31/02' (expected ISO 8601)")
    'unparseable timestamp'
    >>> _category("row is 70143 bytes, over the limit of 65536 bytes")
    'row is N bytes, over the limit of N bytes'
    """
    return _category_of_head(reason.split(" (")[0])


@lru_cache(maxsize=1024)
def _category_of_head(head: str) -> str:
    head = re.sub(r"'[^']*'|\"[^\"]*\"", "", head)
    head = re.sub(r"\d+", "N", " ".join(head.split()))
    return head if len(head) <= 80 else head[:77] + "..."
