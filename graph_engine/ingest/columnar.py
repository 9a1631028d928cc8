"""Columnar reading of uniform edge lists: blocks of rows as arrays, tokens parsed once.

A *uniform* edge list is one whose rows differ only in their two ends (and a
``count``): a SNAP graph, a retweet list. Such a file is read in blocks of
decompressed bytes; compiled kernels (:mod:`graph_engine.ingest._kernels`) split the
lines, number the distinct tokens and hash each row's event id, and every distinct
token is parsed into an identity key once. What the kernels cannot read exactly as
the row reader would (a line with non-ASCII bytes, too long, with too few columns)
goes through the row reader (:func:`~graph_engine.ingest.readers.edge_list_row`), so
both readers give the same rows, the same event ids and the same rejections.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph_engine.ingest import _kernels
from graph_engine.ingest.readers import (
    ProgressCounter,
    RawRow,
    Source,
    count_value,
    edge_event_ids,
    edge_id_template,
    edge_list_layout,
    edge_list_row,
    open_binary,
)
from graph_engine.model import EDGE_ENDS, parse_reference

__all__ = ["EdgeBlock", "EdgeListReader"]

_BLOCK_BYTES = 32 << 20
#: ``count`` of a row whose count is no whole number
BAD_COUNT = -1


@dataclass(frozen=True, slots=True)
class EdgeBlock:
    """The data rows of one block of an edge list, as columns (file order).

    Attributes
    ----------
    lines : ndarray of int64
        Line numbers in the file.
    first, second : ndarray of int64
        Token numbers of the two ends (see :attr:`EdgeListReader.tokens`).
    counts : ndarray of int64
        How many events each row stands for (1 without a count column);
        :data:`BAD_COUNT` where the count is no whole number.
    digests : ndarray of uint8, shape (n, 24)
        The hex digest of each row's derived event id (``d:<digest>[:<occurrence>]``).
    errors : list of RawRow
        Unreadable rows of the block (too long, too few columns), for the quarantine.
    texts : callable
        ``texts(i)``: row ``i`` as read (stripped), for the quarantine.
    count_tokens : dict
        Row -> count cell, for rows whose count is no whole number >= 1.
    """

    lines: np.ndarray
    first: np.ndarray
    second: np.ndarray
    counts: np.ndarray
    digests: np.ndarray
    errors: list[RawRow]
    texts: Callable[[int], str]
    count_tokens: dict[int, str]


class EdgeListReader:
    """Read a uniform edge list in blocks of columns.

    Parameters
    ----------
    source : Source
        An edge list of follows, shares or referrals.
    max_row_bytes : int
        Longer lines are rejected (as by the row reader).
    salt : str
        The store's identity salt, to parse references.

    Attributes
    ----------
    tokens : list of str
        Every distinct end token read so far, by number.
    keys : list of str or ValueError
        Each token's identity key, or why it is no valid reference.
    key_codes : list of int
        Each token's key number in ``key_list`` (-1: no valid reference).
    key_list : list of str
        The distinct identity keys, by number.
    fields : dict
        The fields every row has besides its ends and count (type and defaults).
    """

    def __init__(self, source: Source, max_row_bytes: int, salt: str) -> None:
        self.source = source
        self.limit = max_row_bytes
        self.salt = salt
        self.columns, self.defaults = edge_list_layout(source)
        assert source.event_type is not None
        first, second, _ = EDGE_ENDS[source.event_type]
        self.ends = (first, second)
        self.fields: dict[str, Any] = {"type": source.event_type, **self.defaults}
        template = {**self.fields, first: "", second: ""}
        (p0, p1, p2), self.order = edge_id_template(template, self.ends)
        self._event_id = edge_event_ids(template, self.ends)  # rows the kernels leave
        self._pieces = [p0.encode(), p1.encode(), p2.encode()]
        self._cuts = np.cumsum([0, *(len(p) for p in self._pieces)]).astype(np.int64)
        self._piece_bytes = np.frombuffer(b"".join(self._pieces), np.uint8)
        self._cols = [self.columns.index(e) for e in self.ends]
        self._count_col = self.columns.index("count") if "count" in self.columns else -1
        self.tokens: list[str] = []
        self.keys: list[str | ValueError] = []
        self.key_codes: list[int] = []
        self.key_list: list[str] = []
        self._token_ids: dict[str, int] = {}
        self._key_ids: dict[str, int] = {}

    def _token(self, text: str) -> int:
        code = self._token_ids.get(text)
        if code is None:
            code = self._token_ids[text] = len(self.tokens)
            self.tokens.append(text)
            try:
                key = parse_reference(text, self.salt)
            except ValueError as exc:
                self.keys.append(exc)
                self.key_codes.append(-1)
                return code
            self.keys.append(key)
            number = self._key_ids.get(key)
            if number is None:
                number = self._key_ids[key] = len(self.key_list)
                self.key_list.append(key)
            self.key_codes.append(number)
        return code

    def blocks(self, progress: Callable[[int], None] | None = None) -> Iterator[EdgeBlock]:
        """Yield the file's rows block by block."""
        line = 1
        with open_binary(self.source.path) as fh:
            counter = ProgressCounter(fh, progress)
            carry = b""
            while True:
                data = fh.read(_BLOCK_BYTES)
                last = not data
                data = carry + data
                if not last:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        carry = data
                        continue
                    data, carry = data[:cut], data[cut:]
                if data:
                    block, lines = self._block(data, line)
                    line += lines
                    yield block
                counter.tick()
                if last:
                    return

    def _block(self, data: bytes, line0: int) -> tuple[EdgeBlock, int]:
        buf = np.frombuffer(data, np.uint8)
        newlines = np.flatnonzero(buf == 10)
        status, text, spans, counts = _kernels.scan_lines(
            buf, newlines, len(self.columns), self.limit, self._count_col
        )
        # lines for the row reader, read exactly as it reads them
        errors: list[RawRow] = []
        slow: dict[int, RawRow] = {}
        for number in np.flatnonzero(status == _kernels.ROW_READER).tolist():
            s = 0 if number == 0 else int(newlines[number - 1]) + 1
            e = int(newlines[number]) + 1 if number < newlines.size else buf.size
            raw = edge_list_row(
                self.source, self.columns, self.defaults, line0 + number, data[s:e], self.limit
            )
            if raw is None:  # pragma: no cover - blank and comment lines are ASCII
                status[number] = _kernels.SKIP
            elif raw.fields is None:
                errors.append(raw)
                status[number] = _kernels.SKIP
            else:
                slow[number] = raw
        rows = np.flatnonzero(status != _kernels.SKIP)
        n = rows.size
        first = np.empty(n, np.int64)
        second = np.empty(n, np.int64)
        digests = np.empty((n, 24), np.uint8)
        row_counts = np.ones(n, np.int64)
        bad_counts: dict[int, str] = {}

        fast = np.flatnonzero(status[rows] == _kernels.OK)
        if fast.size:
            picked = spans[rows[fast]]
            a_col, b_col = self._cols
            ends = np.concatenate([picked[:, a_col], picked[:, b_col]])
            codes, intro = _kernels.intern(buf, ends[:, 0].copy(), ends[:, 1].copy())
            mapping = np.array(
                [self._token(data[s:e].decode("ascii")) for s, e in ends[intro].tolist()],
                np.int64,
            )
            first[fast] = mapping[codes[: fast.size]]
            second[fast] = mapping[codes[fast.size :]]
            by_end = (picked[:, a_col], picked[:, b_col])
            digests[fast] = self._digests(buf, by_end[self.order[0]], by_end[self.order[1]])
            if self._count_col >= 0:
                plain = counts[rows[fast]]
                row_counts[fast] = plain
                for i in fast[plain < 1].tolist():
                    s, e = spans[rows[i], self._count_col]
                    row_counts[i] = self._count(data[s:e].decode("ascii"), bad_counts, i)
        if slow:
            index = {int(number): i for i, number in enumerate(rows.tolist()) if number in slow}
            for number, raw in slow.items():
                i = index[number]
                assert raw.fields is not None
                a, b = raw.fields[self.ends[0]], raw.fields[self.ends[1]]
                first[i], second[i] = self._token(a), self._token(b)
                digest = self._event_id(a, b, None).removeprefix("d:")
                digests[i] = np.frombuffer(digest.encode(), np.uint8)
                if self._count_col >= 0:
                    row_counts[i] = self._count(raw.fields["count"], bad_counts, i)

        def texts(i: int) -> str:
            number = int(rows[i])
            if number in slow:
                return slow[number].raw
            s, e = text[number]
            return data[s:e].decode("ascii")

        block = EdgeBlock(
            lines=rows.astype(np.int64) + line0,
            first=first,
            second=second,
            counts=row_counts,
            digests=digests,
            errors=errors,
            texts=texts,
            count_tokens=bad_counts,
        )
        return block, int(status.size)

    def _digests(self, buf: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Event-id digests of rows with token spans ``first`` and ``second``.

        The rows are hashed in four parts on two threads (the kernel releases the GIL);
        a digest depends on its row only, so the split changes nothing.
        """
        n = first.shape[0]
        cuts = [n * k // 4 for k in range(5)]

        def part(k: int) -> np.ndarray:
            lo, hi = cuts[k], cuts[k + 1]
            return _kernels.sha1_ids(
                buf,
                np.ascontiguousarray(first[lo:hi]),
                np.ascontiguousarray(second[lo:hi]),
                self._piece_bytes,
                self._cuts,
            )

        if n < 50_000:
            return np.concatenate([part(k) for k in range(4)])
        with ThreadPoolExecutor(2) as pool:
            return np.concatenate(list(pool.map(part, range(4))))

    @staticmethod
    def _count(token: str, bad: dict[int, str], row: int) -> int:
        """A count cell as the row path reads it, or :data:`BAD_COUNT` (kept in ``bad``)."""
        value = count_value(token)
        if value is not None:
            return value
        bad[row] = token
        return BAD_COUNT
