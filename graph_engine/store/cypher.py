"""The Cypher library: every statement the Neo4j store runs, loaded by name from files.

Statements live in ``graph_engine/cypher/<group>/<name>.cypher``, shipped in the wheel
as package data and found with :mod:`importlib.resources` (override the directory with
``GRAPH_ENGINE_CYPHER_DIR``). Each file starts with a header comment saying what
it does and listing its parameters (``$name: ...`` lines after ``Parameters:``); the
body uses parameters only. ``tools/cypher-lint`` checks every file with Neo4j's own
Cypher tooling, and a test checks that no Python code builds Cypher from strings.

Schema files (``cypher/schema/``) hold several statements separated by ``;`` at line
ends; every other file holds exactly one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from graph_engine.errors import StoreError

__all__ = ["CYPHER_DIR", "Statement", "cypher_dir", "statement", "statement_names"]

#: The package's ``cypher/`` directory (package data, in the wheel too).
CYPHER_DIR = Path(str(resources.files("graph_engine").joinpath("cypher")))
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class Statement:
    """One named Cypher file.

    Attributes
    ----------
    name : str
        Path under ``cypher/`` without the suffix, e.g. ``"ingest/follow"``.
    texts : tuple of str
        The statements (one, except in schema files), header comment included in the
        first so that ``SHOW TRANSACTIONS`` tells which file a query came from.
    parameters : tuple of str
        Parameters declared in the header.
    """

    name: str
    texts: tuple[str, ...]
    parameters: tuple[str, ...]

    @property
    def text(self) -> str:
        """The statement of a single-statement file."""
        if len(self.texts) != 1:
            raise StoreError(f"Cypher file {self.name!r} holds {len(self.texts)} statements")
        return self.texts[0]


def cypher_dir() -> Path:
    """Where statements are read from (``GRAPH_ENGINE_CYPHER_DIR`` or the package's)."""
    override = os.environ.get("GRAPH_ENGINE_CYPHER_DIR")
    root = Path(override) if override else CYPHER_DIR
    if not root.is_dir():
        raise StoreError(
            f"Cypher directory {root} not found"
            + (" (GRAPH_ENGINE_CYPHER_DIR)" if override else " (is graph_engine installed whole?)")
        )
    return root


@cache
def _load(root: Path, name: str) -> Statement:
    path = root / f"{name}.cypher"
    if not path.is_file():
        raise StoreError(f"no Cypher statement {name!r} (looked for {path})")
    lines = path.read_text(encoding="utf-8").splitlines()
    header_end = 0
    while header_end < len(lines) and lines[header_end].lstrip().startswith("//"):
        header_end += 1
    if header_end == 0:
        raise StoreError(f"{path}: missing header comment")
    header = lines[:header_end]
    marks = [i for i, line in enumerate(header) if "Parameters:" in line]
    declared = (
        tuple(dict.fromkeys(m for line in header[marks[0] :] for m in _PARAM.findall(line)))
        if marks
        else ()
    )
    texts: list[str] = []
    chunk: list[str] = []
    for line in lines[header_end:]:
        chunk.append(line)
        if line.rstrip().endswith(";"):
            texts.append("\n".join(chunk).rstrip().removesuffix(";"))
            chunk = []
    if any(line.strip() for line in chunk):
        texts.append("\n".join(chunk).rstrip())
    if not texts:
        raise StoreError(f"{path}: no statement")
    first = "\n".join([*header, texts[0]])
    return Statement(name, (first, *texts[1:]), declared)


def statement(name: str) -> Statement:
    """The statement stored as ``cypher/<name>.cypher``.

    Raises
    ------
    StoreError
        No such file, or it has no header or no statement.

    Examples
    --------
    >>> s = statement("ingest/follow")
    >>> s.parameters
    ('rows',)
    >>> "UNWIND $rows AS row" in s.text
    True
    """
    return _load(cypher_dir(), name)


def statement_names() -> list[str]:
    """Every statement name under the Cypher directory, sorted."""
    root = cypher_dir()
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.rglob("*.cypher"))
