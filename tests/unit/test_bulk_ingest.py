"""The bulk (columnar) edge-list path gives what the row path gives, on dirty files too.

Each test ingests the same file twice into fresh SQLite stores: once through the bulk
path, once with the bulk path switched off (every row through the row reader and the
general event path), and compares everything: the report, every table, the
quarantine records. The kernels are checked against Python's own ``str.split`` and
``hashlib`` on generated inputs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source, columnar
from graph_engine.ingest import engine as engine_module
from graph_engine.ingest._kernels import OK, ROW_READER, SKIP, intern, scan_lines, sha1_ids
from graph_engine.store import SQLiteStore
from graph_engine.store import sqlite as sqlite_store
from tests.conftest import T0

_TABLES = {
    "customers": "pk",
    "identities": "key",
    "event_log": "event_id",
    "follows": "follower, followee",
    "share_events": "event_id",
    "referrals": "referrer, referee, campaign_id",
    "merges": "seq",
}

DIRTY = (
    "# comment line\n"
    "% another comment\n"
    "\n"
    "1 2 2\n"
    "2\t1  1\r\n"
    "3 3 1\n"  # self-loop
    "tiktok:9 1 1\n"  # unknown kind
    "1 2 2\n"  # duplicate of line 4
    "4 phone:12 1\n"  # malformed phone
    "5 1 x\n"  # bad count
    "5 1 0\n"  # count below 1
    "6 1 +3\n"  # a count int() reads
    "crm-7 1 1\n"
    "1 external:crm-7 1\n"  # the same person as crm-7
    "crm-7 external:crm-7 1\n"  # self-loop through the key
    "8\n"  # too few columns
    "9 10\n"  # too few columns (count missing)
    "用户甲 用户乙 1\n"  # non-ASCII tokens: the row reader's line
    "11\u00a012 1\n"  # NBSP separates, as str.split() says
    "12\x1c13\x1f1\n"  # ASCII separators str.split() splits on
    "   14 15 1 trailing cells   \n"
    + "x" * 300
    + " 1 1\n"  # over the row limit
    + "16 17 1\n"
    "\xff\xfe 18 1\n"  # undecodable bytes, replaced
    "19 20 1"  # last line without a newline
)


def _dump(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as db:
        return {
            t: db.execute(f"SELECT * FROM {t} ORDER BY {order}").fetchall()
            for t, order in _TABLES.items()
        }


def _ingest(
    tmp_path: Path,
    name: str,
    sources: list[Source],
    *,
    bulk: bool,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    before: list[dict[str, Any]] | None = None,
    times: int = 1,
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    db = tmp_path / f"{name}.db"
    with monkeypatch.context() as m:
        if not bulk:
            m.setattr(engine_module, "_uniform_edge_list", lambda source: False)
        with SQLiteStore(f"sqlite:///{db}", identity_salt="s") as store:
            if before:
                Ingestor(store, settings, tmp_path / f"{name}-before.jsonl").ingest_rows(before)
            reports = []
            for i in range(times):
                q = tmp_path / f"{name}-q{i}.jsonl"
                report = Ingestor(store, settings, q).ingest(sources).to_dict()
                report.pop("seconds")
                report["quarantine"] = (
                    [json.loads(x) for x in q.read_text().splitlines()] if q.exists() else []
                )
                reports.append(report)
    state = _dump(db)
    return reports, state, [r for rep in reports for r in rep.pop("quarantine")]


def _both(
    tmp_path: Path, sources: list[Source], monkeypatch: pytest.MonkeyPatch, **kw: Any
) -> tuple[Any, Any]:
    settings = kw.pop("settings", Settings(identity_salt="s", max_row_bytes=256))
    bulk = _ingest(
        tmp_path, "bulk", sources, bulk=True, settings=settings, monkeypatch=monkeypatch, **kw
    )
    rows = _ingest(
        tmp_path, "rows", sources, bulk=False, settings=settings, monkeypatch=monkeypatch, **kw
    )
    return bulk, rows


def _write(path: Path, text: str) -> Path:
    data = text.encode("utf-8", "surrogateescape") if "\xff" not in text else _latin(text)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def _latin(text: str) -> bytes:
    # \xff\xfe stand for two raw (undecodable) bytes; the rest is UTF-8
    head, tail = text.split("\xff\xfe", 1)
    return head.encode() + b"\xff\xfe" + tail.encode()


@pytest.mark.parametrize("suffix", [".txt", ".txt.gz"])
def test_dirty_follow_list_bulk_equals_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = _write(tmp_path / f"dirty{suffix}", DIRTY)
    source = Source(path, "edgelist", "follow", ("follower", "followee", "count"), (("at", T0),))
    bulk, rows = _both(tmp_path, [source], monkeypatch)
    assert bulk == rows
    reports, state, quarantine = bulk
    fields = [(r["line"], r["field"]) for r in quarantine]
    assert fields == [
        (6, "followee"),
        (7, "follower"),
        (9, "followee"),
        (10, "count"),
        (11, "count"),
        (15, "followee"),
        (16, "$"),
        (17, "$"),
        (22, "$"),
    ]
    assert reports[0]["accepted"] == len(state["event_log"]) == 15
    assert reports[0]["duplicates"] == 2  # line 8 repeats line 4 (both occurrences)
    assert ("external:用户甲",) in {(k[0],) for k in state["identities"]}


def test_reingest_and_earlier_merges_bulk_equals_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Known event ids are duplicates; persons merged before resolve to the survivor."""
    path = _write(tmp_path / "f.txt", "crm-1 qq:55\ncrm-1 crm-2\nqq:55 crm-3\ncrm-2 crm-1\n")
    before = [
        {"type": "identity_link", "event_id": "l1", "at": T0, "identities": ["crm-1", "qq:55"]},
        {"type": "follow", "event_id": "f0", "at": T0, "follower": "crm-9", "followee": "crm-2"},
    ]
    source = Source(path, "edgelist", "follow", (), (("at", "2026-03-01T00:00:00Z"),))
    bulk, rows = _both(tmp_path, [source], monkeypatch, before=before, times=2)
    assert bulk == rows
    reports, _, quarantine = bulk
    assert [r["accepted"] for r in reports] == [3, 0]
    assert [r["duplicates"] for r in reports] == [0, 3]
    assert [(r["line"], r["reason"]) for r in quarantine] == [
        (1, "self-follow: followee and follower are the same customer crm-1 (identities merged)"),
        (1, "self-follow: followee and follower are the same customer crm-1 (identities merged)"),
    ]


@pytest.mark.parametrize(
    ("kind", "columns", "defaults"),
    [
        ("share", ("viewer", "sharer", "count"), (("action", "click"), ("channel", "微信"))),
        ("share", ("sharer", "viewer"), (("action", "view"), ("content_id", "c{1}"))),
        (
            "referral",
            ("referrer", "_", "referee"),
            (("campaign_id", "spring"), ("converted", "true"), ("reward", "8.8")),
        ),
        ("follow", ("followee", "follower"), (("action", "unfollow"), ("channel", "web"))),
    ],
)
def test_every_edge_type_bulk_equals_row_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    columns: tuple[str, ...],
    defaults: tuple[tuple[str, str], ...],
) -> None:
    rng = np.random.default_rng(7)
    lines = [f"{a} {b} {c}" for a, b, c in rng.integers(0, 40, size=(300, 3))]
    lines[10] = "u:1 2 3"  # a bad reference
    path = _write(tmp_path / "e.edges", "\n".join(lines) + "\n")
    source = Source(path, "edgelist", kind, columns, (("at", T0), *defaults))
    monkeypatch.setattr(sqlite_store, "_REBUILD_AT", 1)  # indexes dropped and built again
    bulk, rows = _both(tmp_path, [source], monkeypatch)
    assert bulk == rows
    assert bulk[0][0]["accepted"] > 200
    with sqlite3.connect(tmp_path / "bulk.db") as db:
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"follows_followee", "share_events_pair", "share_events_viewer"} <= indexes
    assert {"share_events_campaign", "referrals_referee"} <= indexes


def test_batches_and_blocks_bulk_equals_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small blocks (lines cut across reads, one longer than a block) and small batches."""
    monkeypatch.setattr(columnar, "_BLOCK_BYTES", 37)
    rng = np.random.default_rng(3)
    lines = [f"{a} {b}" for a, b in rng.integers(0, 60, size=(500, 2))]
    lines[100] = "a" * 120 + " b"  # longer than a block, shorter than the row limit
    lines[200] = "# a comment"
    path = _write(tmp_path / "b.txt", "\n".join(lines) + "\n")
    settings = Settings(identity_salt="s", ingest_batch_size=7, ingest_bulk_batch_size=5)
    source = Source(path, "edgelist", "follow", (), (("at", T0),))
    bulk, rows = _both(tmp_path, [source], monkeypatch, settings=settings)
    assert bulk == rows
    assert bulk[0][0]["accepted"] + bulk[0][0]["duplicates"] + bulk[0][0]["rejected"] == 499


def test_invalid_default_rejects_every_row_as_the_row_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "f.txt", "1 2\n3 4\n")
    source = Source(path, "edgelist", "follow", (), (("at", "31/02/2026"),))
    bulk, rows = _both(tmp_path, [source], monkeypatch)
    assert bulk == rows
    assert [r["field"] for r in bulk[2]] == ["at", "at"]


# -- kernels ----------------------------------------------------------------------------

_WS = " \t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_line = st.lists(
    st.one_of(st.text(alphabet="ab#%9:-", min_size=1, max_size=4), st.sampled_from(list(_WS))),
    max_size=8,
).map("".join)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=20), st.integers(1, 3))
def test_scan_lines_splits_as_python(lines: list[str], ncols: int) -> None:
    data = "\n".join(lines).encode()
    buf = np.frombuffer(data, np.uint8)
    status, _, spans, _ = scan_lines(buf, np.flatnonzero(buf == 10), ncols, 1 << 20, -1)
    texts = data.split(b"\n") if data else []  # lines as iterating the file gives them
    if data.endswith(b"\n"):
        texts.pop()
    assert status.size == len(texts)
    for i, raw in enumerate(texts):
        text = raw.decode().strip()
        if not text or text[0] in "#%":
            assert status[i] == SKIP
        elif len(text.split()) < ncols:
            assert status[i] == ROW_READER
        else:
            assert status[i] == OK
            got = [data[s:e].decode() for s, e in spans[i]]
            assert got == text.split()[:ncols]


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=6), max_size=60))
def test_intern_numbers_in_order_of_first_use(words: list[bytes]) -> None:
    buf = np.frombuffer(b"".join(words) or b"\0", np.uint8)
    sizes = np.array([len(w) for w in words], np.int64)
    ends = np.cumsum(sizes)
    codes, first = intern(buf, ends - sizes, ends)
    expected: dict[bytes, int] = {}
    for w in words:
        expected.setdefault(w, len(expected))
    assert codes.tolist() == [expected[w] for w in words]
    assert [words[i] for i in first] == list(expected)


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=90), st.binary(max_size=90)), min_size=1, max_size=20))
def test_sha1_ids_match_hashlib(pairs: list[tuple[bytes, bytes]]) -> None:
    pieces = ["fo\x1e", "é\x1dbar\x1e", "\x1dtype\x1efollow"]
    piece_bytes = np.frombuffer("".join(pieces).encode(), np.uint8)
    cuts = np.cumsum([0, *(len(p.encode()) for p in pieces)]).astype(np.int64)
    data = b"".join(a + b for a, b in pairs)
    buf = np.frombuffer(data or b"\0", np.uint8)
    first, second, offset = [], [], 0
    for a, b in pairs:
        first.append((offset, offset + len(a)))
        second.append((offset + len(a), offset + len(a) + len(b)))
        offset += len(a) + len(b)
    out = sha1_ids(buf, np.array(first, np.int64), np.array(second, np.int64), piece_bytes, cuts)
    p0, p1, p2 = (p.encode() for p in pieces)
    for row, (a, b) in zip(out, pairs, strict=True):
        assert row.tobytes().decode() == hashlib.sha1(p0 + a + p1 + b + p2).hexdigest()[:24]
