"""Readers: JSONL, CSV, Parquet and SNAP-style edge lists, into raw rows.

A reader yields one :class:`RawRow` per input row: the row as a dict, or the error
that made it unreadable (bad JSON, oversize, a bad cell), always with the source file
and line number, so nothing is lost between the file and the quarantine.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from graph_engine.errors import EventValidationError, SourceError
from graph_engine.model import EVENT_TYPES

__all__ = [
    "EDGE_LIST_COLUMNS",
    "RawRow",
    "Source",
    "count_value",
    "derive_event_id",
    "detect_format",
    "edge_event_ids",
    "edge_id_template",
    "edge_list_layout",
    "edge_list_row",
    "expand_paths",
    "read_rows",
]

Format = Literal["jsonl", "csv", "parquet", "edgelist"]
#: Default column meaning of an edge list, per event type.
EDGE_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "follow": ("follower", "followee"),
    "share": ("sharer", "viewer"),
    "referral": ("referrer", "referee"),
}
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
_LIST_FIELDS = frozenset({"identities", "tags"})
_MAP_FIELDS = frozenset({"external_followers"})
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "edgelist",
    ".edgelist": "edgelist",
    ".edges": "edgelist",
    ".el": "edgelist",
}


@dataclass(frozen=True, slots=True)
class RawRow:
    """One input row, parsed into fields, or the reason it could not be."""

    source: str
    line: int
    fields: dict[str, Any] | None
    error: EventValidationError | None
    raw: str


@dataclass(frozen=True, slots=True)
class Source:
    """An input file and how to read it.

    Attributes
    ----------
    path : Path
    format : {"jsonl", "csv", "parquet", "edgelist"}
    event_type : str or None
        Event type for rows without a ``type`` field (CSV, Parquet) or for every row
        of an edge list.
    columns : tuple of str
        Edge lists: what each whitespace-separated column is, e.g.
        ``("viewer", "sharer", "count")``; ``count`` repeats the row.
    defaults : dict
        Fields added to every row that lacks them (edge lists: ``at``, ``action``;
        a share edge list without a content column gets the file name as ``content_id``).
    """

    path: Path
    format: Format
    event_type: str | None = None
    columns: tuple[str, ...] = ()
    defaults: tuple[tuple[str, Any], ...] = ()


def detect_format(path: Path) -> Format:
    """Guess the format from the file name (``.gz`` is looked through).

    Raises
    ------
    SourceError
        Unknown suffix.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    if not suffixes:
        return "edgelist"
    raise SourceError(
        f"{path}: cannot tell the format from suffix {''.join(path.suffixes)!r} "
        "(expected .jsonl, .csv, .parquet or an edge list .txt/.edges, optionally .gz)"
    )


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files named, with directories expanded to their files (sorted).

    Raises
    ------
    SourceError
        A path does not exist or is not readable.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SourceError(f"{path}: no such file or directory")
        if path.is_dir():
            out.extend(
                sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            )
        else:
            out.append(path)
    for path in out:
        try:
            with path.open("rb") as fh:
                fh.read(1)
        except OSError as exc:
            raise SourceError(f"{path}: cannot read ({exc.strerror})") from None
    return out


def derive_event_id(fields: dict[str, Any], occurrence: int | None = None) -> str:
    """A deterministic event id from a row's content (for sources without one).

    The id hashes every field but ``event_id`` (sorted by name), so the same row gives
    the same id in every run and a re-ingest is recognised as duplicate.

    Examples
    --------
    >>> derive_event_id({"type": "follow", "follower": "a", "followee": "b"})
    'd:e005b211c7840b1be2a86bfe'
    """
    parts = []
    for key in sorted(fields):
        if key == "event_id":
            continue
        value = fields[key]
        if isinstance(value, str):
            parts.append(f"{key}\x1e{value}")
        else:  # numbers, lists, maps: their canonical JSON
            parts.append(f"{key}\x1f{_CANONICAL.encode(value)}")
    body = "\x1d".join(parts)
    digest = hashlib.sha1(body.encode()).hexdigest()[:24]
    return f"d:{digest}" if occurrence is None else f"d:{digest}:{occurrence}"


def count_value(cell: Any) -> int | None:
    """A ``count`` cell as a number of events: a whole number >= 1, else None.

    Examples
    --------
    >>> count_value("3"), count_value("+2"), count_value("0"), count_value("x")
    (3, 2, None, None)
    """
    try:
        value = int(cell)
    except (TypeError, ValueError):
        return None
    return value if value >= 1 else None


def edge_id_template(
    fields: dict[str, Any], ends: tuple[str, str]
) -> tuple[tuple[str, str, str], tuple[int, int]]:
    """The text :func:`derive_event_id` hashes, for rows that differ only in ``ends``.

    Returns ``(pieces, order)``: the hashed text of a row is ``pieces[0] +
    value[order[0]] + pieces[1] + value[order[1]] + pieces[2]``, where ``value`` is the
    row's ``(ends[0], ends[1])`` cells.

    Examples
    --------
    >>> row = {"type": "follow", "follower": "a", "followee": "b"}
    >>> pieces, order = edge_id_template(row, ("follower", "followee"))
    >>> order
    (1, 0)
    """
    pieces: list[str] = []
    order: list[int] = []
    text = ""
    for i, key in enumerate(k for k in sorted(fields) if k != "event_id"):
        text += "\x1d" if i else ""
        if key in ends:
            pieces.append(text + f"{key}\x1e")
            order.append(ends.index(key))
            text = ""
        else:
            value = fields[key]
            encoded = value if isinstance(value, str) else _CANONICAL.encode(value)
            text += f"{key}{chr(0x1E) if isinstance(value, str) else chr(0x1F)}{encoded}"
    pieces.append(text)
    if len(order) != 2:
        raise ValueError(f"fields must hold both ends {ends}")
    return (pieces[0], pieces[1], pieces[2]), (order[0], order[1])


def edge_event_ids(
    fields: dict[str, Any], ends: tuple[str, str]
) -> Callable[[str, str, int | None], str]:
    """A fast :func:`derive_event_id` for rows that differ from ``fields`` only in ``ends``.

    Examples
    --------
    >>> row = {"type": "follow", "follower": "a", "followee": "b"}
    >>> edge_event_ids(row, ("follower", "followee"))("a", "b", None) == derive_event_id(row)
    True
    """
    (p0, p1, p2), (o0, o1) = edge_id_template(fields, ends)
    sha1 = hashlib.sha1

    def event_id(first: str, second: str, occurrence: int | None) -> str:
        values = (first, second)
        text = p0 + values[o0] + p1 + values[o1] + p2
        digest = sha1(text.encode()).hexdigest()[:24]
        return f"d:{digest}" if occurrence is None else f"d:{digest}:{occurrence}"

    return event_id


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, decompressing ``.gz``."""
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(filename=path, mode="rb")  # type: ignore[return-value]
    return path.open("rb")


class ProgressCounter:
    """Reports bytes read from the underlying (compressed) file."""

    def __init__(self, fh: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self._raw = getattr(fh, "fileobj", fh)
        self._progress = progress
        self._last = 0

    def tick(self) -> None:
        if self._progress is not None:
            pos = self._raw.tell()
            if pos != self._last:
                self._progress(pos - self._last)
                self._last = pos


def read_rows(
    source: Source,
    *,
    max_row_bytes: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[RawRow]:
    """Yield every row of a source as a :class:`RawRow`.

    Raises
    ------
    SourceError
        The file cannot be opened or decoded as a whole (a bad row never raises).
    """
    readers = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet, "edgelist": _edgelist}
    try:
        yield from readers[source.format](source, max_row_bytes, progress)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise SourceError(f"{source.path}: cannot read ({exc})") from None


def _oversize(source: str, line: int, size: int, limit: int, raw: str) -> RawRow:
    err = EventValidationError(
        "$",
        raw[:80],
        f"row is {size} bytes, over the limit of {limit} bytes",
        source=source,
        line=line,
    )
    return RawRow(source, line, None, err, raw)


def _jsonl(source: Source, limit: int, progress: Callable[[int], None] | None) -> Iterator[RawRow]:
    name = str(source.path)
    defaults = dict(source.defaults)
    with open_binary(source.path) as fh:
        counter = ProgressCounter(fh, progress)
        for number, data in enumerate(fh, start=1):
            if number % 4096 == 0:
                counter.tick()
            if len(data) > limit:
                yield _oversize(
                    name, number, len(data), limit, data.decode("utf-8", "replace").rstrip("\r\n")
                )
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                err = EventValidationError(
                    "$", data[:80], f"not UTF-8 ({exc.reason})", source=name, line=number
                )
                yield RawRow(name, number, None, err, data.decode("utf-8", "replace"))
                continue
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
            except json.JSONDecodeError as exc:
                err = EventValidationError(
                    "$",
                    text.strip()[:80],
                    f"invalid JSON ({exc.msg} at column {exc.colno})",
                    source=name,
                    line=number,
                )
                yield RawRow(name, number, None, err, text.rstrip("\n"))
                continue
            if not isinstance(fields, dict):
                err = EventValidationError(
                    "$", fields, "a row must be a JSON object", source=name, line=number
                )
                yield RawRow(name, number, None, err, text.rstrip("\n"))
                continue
            if source.event_type is not None:
                fields.setdefault("type", source.event_type)
            for key, value in defaults.items():
                fields.setdefault(key, value)
            yield RawRow(name, number, fields, None, text.rstrip("\n"))
        counter.tick()


def _csv_cell(name: str, value: str) -> Any:
    if name in _LIST_FIELDS:
        if value.startswith("["):
            return json.loads(value)
        return [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
    if name in _MAP_FIELDS:
        if value.startswith("{"):
            return json.loads(value)
        out: dict[str, str] = {}
        for pair in value.split(";"):
            if pair.strip():
                key, sep, count = pair.partition("=")
                if not sep:
                    raise ValueError(
                        f"expected platform=count pairs separated by ';', got {pair!r}"
                    )
                out[key.strip()] = count.strip()
        return out
    return value


def _type_from_name(path: Path) -> str | None:
    stem = path.name.split(".")[0].lower()
    for candidate in (stem, stem.removesuffix("s")):
        if candidate in EVENT_TYPES:
            return candidate
    return None


def _csv(source: Source, limit: int, progress: Callable[[int], None] | None) -> Iterator[RawRow]:
    name = str(source.path)
    default_type = source.event_type or _type_from_name(source.path)
    delimiter = "\t" if ".tsv" in [s.lower() for s in source.path.suffixes] else ","
    with open_binary(source.path) as fh:
        counter = ProgressCounter(fh, progress)
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SourceError(f"{name}: cannot read the CSV header ({exc})") from None
        start = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                line = reader.line_num
                err = EventValidationError(
                    "$", None, f"unreadable CSV row ({exc})", source=name, line=line
                )
                yield RawRow(name, line, None, err, "")
                continue
            line, start = start + 1, reader.line_num
            if line % 4096 == 0:
                counter.tick()
            raw = delimiter.join(cells)
            if not any(c.strip() for c in cells):
                continue
            if len(raw.encode()) > limit:
                yield _oversize(name, line, len(raw.encode()), limit, raw)
                continue
            if len(cells) != len(header):
                err = EventValidationError(
                    "$",
                    raw[:80],
                    f"row has {len(cells)} cells but the header has {len(header)}",
                    source=name,
                    line=line,
                )
                yield RawRow(name, line, None, err, raw)
                continue
            fields: dict[str, Any] = {}
            bad: EventValidationError | None = None
            for column, value in zip(header, cells, strict=True):
                value = value.strip()
                if not value:
                    continue
                try:
                    fields[column] = _csv_cell(column, value)
                except (ValueError, json.JSONDecodeError) as exc:
                    bad = EventValidationError(
                        column, value, f"unreadable cell ({exc})", source=name, line=line
                    )
                    break
            if bad is None and "type" not in fields and default_type is not None:
                fields["type"] = default_type
            yield RawRow(name, line, None if bad else fields, bad, raw)
        counter.tick()


def _parquet(
    source: Source, limit: int, progress: Callable[[int], None] | None
) -> Iterator[RawRow]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError(
            f"{source.path}: reading Parquet needs pyarrow: pip install 'graph-engine[parquet]'"
        ) from None
    name = str(source.path)
    try:
        parquet = pq.ParquetFile(source.path)
    except Exception as exc:  # pyarrow raises its own error types for bad files
        raise SourceError(f"{name}: not a readable Parquet file ({exc})") from None
    line = 0
    total = source.path.stat().st_size
    groups = max(parquet.num_row_groups, 1)
    for group in range(parquet.num_row_groups):
        for record in parquet.read_row_group(group).to_pylist():
            line += 1
            fields = {k: v for k, v in record.items() if v is not None and v != ""}
            raw = json.dumps(fields, default=str)
            if len(raw) > limit:
                yield _oversize(name, line, len(raw), limit, raw)
                continue
            if "type" not in fields and source.event_type is not None:
                fields["type"] = source.event_type
            yield RawRow(name, line, fields, None, raw)
        if progress is not None:
            progress(total // groups)


def edge_list_layout(source: Source) -> tuple[tuple[str, ...], dict[str, Any]]:
    """An edge list's column names and the fields every row gets (``at``, ...).

    Raises
    ------
    SourceError
        The source has no edge event type.
    """
    name = str(source.path)
    if source.event_type not in EDGE_LIST_COLUMNS:
        raise SourceError(
            f"{name}: an edge list needs an event type, one of "
            f"{', '.join(EDGE_LIST_COLUMNS)} (--type)"
        )
    columns = source.columns or EDGE_LIST_COLUMNS[source.event_type]
    defaults = dict(source.defaults)
    if source.event_type == "share" and "content_id" not in columns:
        # an edge list says who shared to whom, not what: the file stands for the content
        defaults.setdefault("content_id", source.path.name)
    if "at" not in defaults:
        mtime = datetime.fromtimestamp(source.path.stat().st_mtime, tz=UTC)
        defaults["at"] = mtime.isoformat(timespec="seconds")
    return columns, defaults


def edge_list_row(
    source: Source,
    columns: tuple[str, ...],
    defaults: dict[str, Any],
    number: int,
    data: bytes,
    limit: int,
) -> RawRow | None:
    """Line ``number`` of an edge list (``data``, as read, newline included) as a row.

    None for a blank or comment line (``#`` or ``%``).
    """
    name = str(source.path)
    if len(data) > limit:
        return _oversize(
            name, number, len(data), limit, data.decode("utf-8", "replace").rstrip("\r\n")
        )
    text = data.decode("utf-8", "replace").strip()
    if not text or text[0] in "#%":
        return None
    cells = text.split()
    if len(cells) < len(columns):
        err = EventValidationError(
            "$",
            text[:80],
            f"expected {len(columns)} columns ({' '.join(columns)}), got {len(cells)}",
            source=name,
            line=number,
        )
        return RawRow(name, number, None, err, text)
    fields: dict[str, Any] = {"type": source.event_type}
    fields.update(zip(columns, cells, strict=False))
    fields.pop("_", None)
    fields.update({k: v for k, v in defaults.items() if k not in fields})
    return RawRow(name, number, fields, None, text)


def _edgelist(
    source: Source, limit: int, progress: Callable[[int], None] | None
) -> Iterator[RawRow]:
    columns, defaults = edge_list_layout(source)
    with open_binary(source.path) as fh:
        counter = ProgressCounter(fh, progress)
        for number, data in enumerate(fh, start=1):
            if number % 8192 == 0:
                counter.tick()
            row = edge_list_row(source, columns, defaults, number, data, limit)
            if row is not None:
                yield row
        counter.tick()
