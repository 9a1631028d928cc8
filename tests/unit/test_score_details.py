"""Score details packed as numbers: exact round trips, the run's layout, the migration of
scores written before."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from graph_engine.errors import ParameterError
from graph_engine.store import SQLiteStore
from graph_engine.store._details import pack, unpack
from graph_engine.store.base import ScoreColumns, ScoreRecord, detail_leaves
from graph_engine.store.sqlite import _MIGRATIONS, SCHEMA_VERSION

_keys = st.text(st.characters(blacklist_characters="."), min_size=1, max_size=6)
_floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@st.composite
def _tree(draw: Any, rows: int, depth: int = 0) -> dict[str, Any]:
    """A details mapping whose leaves are columns of every kind."""
    out: dict[str, Any] = {}
    for key in draw(st.lists(_keys, min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(["float", "int", "bigint", "bool", "json", "nested"]))
        if kind == "nested" and depth < 2:
            out[key] = draw(_tree(rows, depth + 1))
        elif kind == "float":
            out[key] = np.array(draw(st.lists(_floats, min_size=rows, max_size=rows)))
        elif kind in ("int", "bigint"):
            bound = 2**62 if kind == "bigint" else 2**53 - 1
            values = st.integers(-bound, bound)
            out[key] = np.array(draw(st.lists(values, min_size=rows, max_size=rows)), np.int64)
        elif kind == "bool":
            out[key] = np.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
        else:
            value = st.one_of(
                st.none(), st.text(max_size=5), st.dictionaries(st.text(max_size=3), st.integers())
            )
            out[key] = draw(st.lists(value, min_size=rows, max_size=rows))
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types, key order, and floats bit for bit (NaN included)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return isinstance(b, float) and (
            (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)
        )
    return type(a) is type(b) and a == b


@hsettings(max_examples=150, deadline=None)
@given(st.integers(0, 5).flatmap(lambda n: st.tuples(st.just(n), _tree(n))))
def test_unpack_gives_back_each_rows_details(case: tuple[int, dict[str, Any]]) -> None:
    rows, tree = case
    packed = pack(tree, rows)
    assert [path for path, _ in packed.layout] == [path for path, _ in detail_leaves(tree)]
    columns = _score_columns(rows, tree)
    for i, record in enumerate(columns.records("run")):
        got = unpack(
            packed.layout_json(),
            packed.values[i] if packed.values else None,
            packed.objects[i] if packed.objects else None,
        )
        assert _same(record.details, got), (record.details, got)


def test_kinds_of_columns() -> None:
    tree = {
        "f": np.array([0.5]),
        "i": np.array([2**53 - 1]),
        "big": np.array([2**53]),
        "b": np.array([True]),
        "o": [{"weibo": 3}],
        "n": {"deep": np.array([1], dtype=np.int32)},
    }
    assert pack(tree, 1).layout == (
        ("f", "f"),
        ("i", "i"),
        ("big", "j"),
        ("b", "b"),
        ("o", "j"),
        ("n.deep", "i"),
    )
    with pytest.raises(ValueError, match="without dots"):
        pack({"a.b": np.array([1.0])}, 1)
    with pytest.raises(ValueError, match="has 1 rows, expected 2"):
        _score_columns(2, {"x": np.array([1.0])})


def _score_columns(rows: int, details: dict[str, Any]) -> ScoreColumns:
    return ScoreColumns(
        customer_id=[f"c{i}" for i in range(rows)],
        tier=["consumer"] * rows,
        tier_level=[None] * rows,
        tier_reason=["r"] * rows,
        community_id=np.zeros(rows, np.int64),
        social_value=np.arange(rows, dtype=np.float64),
        influence=np.zeros(rows),
        expected_reach=np.zeros(rows),
        audience=np.zeros(rows, np.int64),
        participation=np.zeros(rows),
        revenue=np.zeros(rows),
        bridge=np.zeros(rows),
        conversions=np.zeros(rows, np.int64),
        details=details,
    )


def test_a_run_keeps_one_layout(tmp_path: Path) -> None:
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        run = store.begin_run({}, {})
        store.write_scores(run.run_id, _score_columns(2, {"a": np.array([1.0, 2.0])}))
        with pytest.raises(ParameterError, match="laid out as"):
            store.write_scores(run.run_id, _score_columns(1, {"a": np.array([1])}))
        store.publish_run(run.run_id, {}, {}, keep=1)
        assert [s.details for s in store.run_scores()] == [{"a": 1.0}, {"a": 2.0}]


def test_scores_written_before_the_packed_layout_read_the_same(tmp_path: Path) -> None:
    """A version-4 database's scores (details as JSON objects, a WITHOUT ROWID table) are
    moved by the migration and read back unchanged."""
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in _MIGRATIONS[:4]:
        for statement in migration.split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO meta VALUES ('identity_salt', 'salt')")
    conn.execute("INSERT INTO customers (pk, id) VALUES (1, 'a')")
    details = {"audience_by_platform": {"weibo": 9}, "value_components": {"own": 0.1}}
    conn.execute(
        "INSERT INTO runs (run_id, seq, status, started_at, config, counts) "
        "VALUES ('run-1', 1, 'complete', 'now', '{}', '{}')"
    )
    conn.execute("INSERT INTO meta VALUES ('current_run', 'run-1')")
    conn.execute(
        "INSERT INTO scores VALUES ('run-1', 'a', 'kol', 'mid', 'why', 3, 0.5, 0.1, 2.0, 9, "
        "0.2, 1.0, 0.0, 1, ?)",
        (json.dumps(details),),
    )
    conn.close()
    with SQLiteStore(f"sqlite:///{path}") as store:
        got = store.scores("a")
        assert got == ScoreRecord(
            "a", "run-1", "kol", "mid", "why", 3, 0.5, 0.1, 2.0, 9, 0.2, 1.0, 0.0, 1, details
        )
        assert [s.customer_id for s in store.top_scores(platform="weibo")] == ["a"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'scores'").fetchone()
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(scores_1)")}
        assert indexes == {f"scores_1_{n}" for n in ("customer", "tier", "community", "value")}
