"""What the two in-place mutation tools share (``queries.py`` and ``breakages.py``):
both rewrite tracked files, run tests, and restore the files."""

from __future__ import annotations

import pathlib
import subprocess
from collections.abc import Iterable

ROOT = pathlib.Path(__file__).resolve().parents[2]


def require_committed(files: Iterable[str]) -> None:
    """Refuse to start while any of ``files`` has uncommitted changes: a run rewrites them,
    and ``git checkout`` must be able to undo an interrupted one."""
    dirty = subprocess.run(
        ["git", "status", "--porcelain", *files], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if dirty.strip():
        raise SystemExit(f"commit these files first (a run rewrites them): {dirty}")


def pytest(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the project's pytest, stopping at the first failure, its output captured."""
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
         *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
