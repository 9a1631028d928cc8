"""Compiled kernels of the columnar edge-list reader: line scan, token interning, SHA-1.

Everything here works on one decompressed block of the file as a ``uint8`` array and
returns arrays; the caller (:mod:`graph_engine.ingest.columnar`) turns them into
strings once per distinct token. Lines the kernels cannot read exactly as the row
reader would (non-ASCII bytes, too long, too few columns) are flagged for the row
reader instead of being guessed at.

References
----------
.. [1] FIPS PUB 180-4, *Secure Hash Standard*, NIST, 2015 (SHA-1, section 6.1).
.. [2] G. Fowler, L. C. Noll, K.-P. Vo, *The FNV non-cryptographic hash algorithm*,
   IETF draft, 2019 (FNV-1a, for the interning table only).
"""

from __future__ import annotations

import numpy as np

from graph_engine.algorithms.reach._kernels import _jit

#: line status
OK, ROW_READER, SKIP = 0, 1, 2


@_jit
def _space(c: int) -> bool:
    # the ASCII characters str.split() and str.strip() treat as whitespace
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


@_jit
def scan_lines(
    buf: np.ndarray, newlines: np.ndarray, ncols: int, limit: int, count_col: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Classify and split every line of ``buf``.

    ``newlines`` holds the offsets of the ``\\n`` bytes; a last line without one ends
    at ``len(buf)``. Returns ``status`` (OK, ROW_READER, SKIP), ``text`` (the stripped
    line's start and end), ``spans`` (start and end of the first ``ncols`` tokens)
    and ``counts`` (the ``count_col`` token as a plain decimal >= 0, else -1).
    """
    n = newlines.size + (1 if newlines.size == 0 or newlines[-1] != buf.size - 1 else 0)
    if buf.size == 0:
        n = 0
    status = np.full(n, SKIP, np.int8)
    text = np.zeros((n, 2), np.int64)
    spans = np.zeros((n, max(ncols, 1), 2), np.int64)
    counts = np.full(n, -1, np.int64)
    start = 0
    for i in range(n):
        end = newlines[i] if i < newlines.size else buf.size
        size = end - start + (1 if i < newlines.size else 0)
        if size > limit:
            status[i] = ROW_READER
            start = end + 1
            continue
        ascii_only = True
        for j in range(start, end):
            if buf[j] >= 128:
                ascii_only = False
                break
        if not ascii_only:
            status[i] = ROW_READER
            start = end + 1
            continue
        a, b = start, end
        while a < b and _space(buf[a]):
            a += 1
        while b > a and _space(buf[b - 1]):
            b -= 1
        if a == b or buf[a] == 35 or buf[a] == 37:  # blank, '#' or '%'
            start = end + 1
            continue
        text[i, 0], text[i, 1] = a, b
        found = 0
        j = a
        while j < b and found < ncols:
            while j < b and _space(buf[j]):
                j += 1
            if j >= b:
                break
            k = j
            while k < b and not _space(buf[k]):
                k += 1
            spans[i, found, 0], spans[i, found, 1] = j, k
            found += 1
            j = k
        if found < ncols:
            status[i] = ROW_READER
        else:
            status[i] = OK
            if count_col >= 0:
                s, e = spans[i, count_col, 0], spans[i, count_col, 1]
                value = 0
                plain = e - s <= 15
                for q in range(s, e):
                    c = buf[q]
                    if c < 48 or c > 57:
                        plain = False
                        break
                    value = value * 10 + (c - 48)
                if plain:
                    counts[i] = value
        start = end + 1
    return status, text, spans, counts


@_jit
def intern(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Number the distinct byte strings ``buf[starts[i]:ends[i]]`` in order of first use.

    Returns ``codes`` (one per string) and ``first`` (for each code, the index of the
    string that introduced it).
    """
    n = starts.size
    size = 16
    while size < 2 * n:
        size *= 2
    table = np.full(size, -1, np.int64)
    codes = np.empty(n, np.int64)
    first = np.empty(n, np.int64)
    distinct = 0
    mask = size - 1
    for i in range(n):
        s, e = starts[i], ends[i]
        h = np.uint64(14695981039346656037)
        for q in range(s, e):
            h = (h ^ np.uint64(buf[q])) * np.uint64(1099511628211)
        slot = np.int64(h & np.uint64(mask))
        while True:
            code = table[slot]
            if code < 0:
                table[slot] = distinct
                codes[i] = distinct
                first[distinct] = i
                distinct += 1
                break
            r = first[code]
            rs, re_ = starts[r], ends[r]
            same = re_ - rs == e - s
            if same:
                for q in range(e - s):
                    if buf[rs + q] != buf[s + q]:
                        same = False
                        break
            if same:
                codes[i] = code
                break
            slot = (slot + 1) & mask
    return codes, first[:distinct]


@_jit
def _rotl(x: np.int64, n: int) -> np.int64:
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


@_jit
def _sha1_24(msg: np.ndarray, length: int, w: np.ndarray, out: np.ndarray) -> None:
    """Write the first 24 hex digits of SHA-1(``msg[:length]``) into ``out`` [1]_."""
    total = ((length + 8) // 64 + 1) * 64
    msg[length] = 0x80
    for q in range(length + 1, total - 8):
        msg[q] = 0
    bits = np.int64(length) * 8
    for q in range(8):
        msg[total - 1 - q] = (bits >> (8 * q)) & 0xFF
    h0, h1, h2 = np.int64(0x67452301), np.int64(0xEFCDAB89), np.int64(0x98BADCFE)
    h3, h4 = np.int64(0x10325476), np.int64(0xC3D2E1F0)
    for block in range(0, total, 64):
        for t in range(16):
            o = block + 4 * t
            w[t] = (
                (np.int64(msg[o]) << 24)
                | (np.int64(msg[o + 1]) << 16)
                | (np.int64(msg[o + 2]) << 8)
                | np.int64(msg[o + 3])
            )
        for t in range(16, 80):
            w[t] = _rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
        a, b, c, d, e = h0, h1, h2, h3, h4
        for t in range(80):
            if t < 20:
                f = (b & c) | ((~b) & d & 0xFFFFFFFF)
                k = 0x5A827999
            elif t < 40:
                f = b ^ c ^ d
                k = 0x6ED9EBA1
            elif t < 60:
                f = (b & c) | (b & d) | (c & d)
                k = 0x8F1BBCDC
            else:
                f = b ^ c ^ d
                k = 0xCA62C1D6
            temp = (_rotl(a, 5) + f + e + k + w[t]) & 0xFFFFFFFF
            e = d
            d = c
            c = _rotl(b, 30)
            b = a
            a = temp
        h0 = (h0 + a) & 0xFFFFFFFF
        h1 = (h1 + b) & 0xFFFFFFFF
        h2 = (h2 + c) & 0xFFFFFFFF
        h3 = (h3 + d) & 0xFFFFFFFF
        h4 = (h4 + e) & 0xFFFFFFFF
    digits = b"0123456789abcdef"
    for j, h in enumerate((h0, h1, h2)):
        for q in range(8):
            out[8 * j + q] = digits[(h >> (28 - 4 * q)) & 0xF]


@_jit
def sha1_ids(
    buf: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    pieces: np.ndarray,
    cuts: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Hex digests (24 digits) of ``p0 + token0 + p1 + token1 + p2`` for every row.

    ``first`` and ``second`` are ``(n, 2)`` token spans in ``buf``, in the order the
    text uses them; ``pieces[cuts[i]:cuts[i + 1]]`` is piece ``i`` (UTF-8).
    """
    n = first.shape[0]
    out = np.empty((n, 24), np.uint8)
    longest = 0
    for i in range(n):
        size = first[i, 1] - first[i, 0] + second[i, 1] - second[i, 0]
        longest = max(longest, size)
    msg = np.empty(pieces.size + longest + 72, np.uint8)
    w = np.empty(80, np.int64)
    for i in range(n):
        _sha1_row(buf, first, second, pieces, cuts, i, msg, w, out)
    return out


@_jit
def _sha1_row(
    buf: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    pieces: np.ndarray,
    cuts: np.ndarray,
    i: int,
    msg: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write row ``i``'s digest into ``out[i]`` (``msg`` and ``w``: scratch)."""
    m = 0
    for part in range(3):
        for q in range(cuts[part], cuts[part + 1]):
            msg[m] = pieces[q]
            m += 1
        if part < 2:
            span = first if part == 0 else second
            for q in range(span[i, 0], span[i, 1]):
                msg[m] = buf[q]
                m += 1
    _sha1_24(msg, m, w, out[i])
