"""GraphStore contract: versioned runs, atomic publish, failures, retention, history."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from graph_engine.config import Settings
from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.store import GraphStore
from graph_engine.store.base import ScoreColumns, ScoreRecord
from tests.conftest import ingest


def score(cid: str, run_id: str, value: float, tier: str = "consumer") -> ScoreRecord:
    return ScoreRecord(
        customer_id=cid,
        run_id=run_id,
        tier=tier,
        tier_level=None,
        tier_reason="because",
        community_id=1,
        social_value=value,
        influence=value,
        expected_reach=1.0,
        audience=0,
        participation=0.0,
        revenue=0.0,
        bridge=0.0,
        conversions=0,
        details={"x": 1},
    )


@pytest.fixture
def people(store: GraphStore, settings: Settings) -> GraphStore:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "a", "followee": "b"},
            {"type": "customer", "customer": "c"},
        ],
    )
    return store


def test_readers_see_only_complete_runs(people: GraphStore) -> None:
    store = people
    with pytest.raises(NotFoundError, match="no complete run yet"):
        store.top_scores()
    first = store.begin_run({"k": 1}, {"customers": 3})
    store.write_scores(first.run_id, [score("a", first.run_id, 0.1), score("b", first.run_id, 0.9)])
    assert store.current_run() is None  # written, not published
    published = store.publish_run(first.run_id, {"read": 0.1}, {"customers": 2}, keep=3)
    assert published.status == "complete" and published.timings == {"read": 0.1}
    assert [s.customer_id for s in store.top_scores()] == ["b", "a"]
    # a second run in progress is invisible; a failure leaves the first serving
    second = store.begin_run({}, {})
    store.write_scores(second.run_id, [score("a", second.run_id, 0.99)])
    assert store.scores("a").social_value == 0.1
    store.fail_run(second.run_id, "ValueError: boom")
    assert store.current_run().run_id == first.run_id  # type: ignore[union-attr]
    failed = store.runs()[0]
    assert failed.status == "failed" and failed.error == "ValueError: boom"
    with pytest.raises(ParameterError, match="is not running"):
        store.write_scores(second.run_id, [score("a", second.run_id, 1.0)])


def test_failing_a_published_run_changes_nothing(people: GraphStore) -> None:
    store = people
    run = store.begin_run({}, {})
    store.write_scores(run.run_id, [score("a", run.run_id, 0.4)])
    store.publish_run(run.run_id, {}, {}, keep=2)
    # a step after publishing failed: the caller reports it, the run keeps serving
    store.fail_run(run.run_id, "OSError: write-back interrupted")
    assert store.current_run().status == "complete"  # type: ignore[union-attr]
    assert store.scores("a").social_value == 0.4


def test_interrupted_run_is_abandoned_by_the_next(people: GraphStore) -> None:
    store = people
    dead = store.begin_run({}, {})
    store.write_scores(dead.run_id, [score("a", dead.run_id, 0.5)])
    # the process died here; the next run cleans up
    fresh = store.begin_run({}, {})
    statuses = {r.run_id: r.status for r in store.runs()}
    assert statuses[dead.run_id] == "abandoned" and statuses[fresh.run_id] == "running"
    with pytest.raises(NotFoundError, match="has no scores"):
        store.scores("a", run_id=dead.run_id)  # its rows are gone


def test_retention_and_history(people: GraphStore) -> None:
    store = people
    runs = []
    for i in range(4):
        run = store.begin_run({}, {})
        store.write_scores(run.run_id, [score("a", run.run_id, i / 10, "kol" if i else "consumer")])
        store.publish_run(run.run_id, {}, {}, keep=2)
        runs.append(run.run_id)
    assert [r.run_id for r in store.runs()] == runs[::-1][:2]
    history = store.score_history("a")
    assert [h.run_id for h in history] == runs[2:]
    assert [h.social_value for h in history] == [0.2, 0.3]
    assert store.scores("a").to_dict()["x"] == 1
    with pytest.raises(NotFoundError, match="no customer"):
        store.scores("nobody")
    with pytest.raises(ParameterError, match="by: unknown score"):
        store.top_scores(by="name; DROP TABLE scores")
    assert [s.customer_id for s in store.run_scores()] == ["a"]
    with pytest.raises(ParameterError, match="keep must be"):
        store.publish_run(runs[-1], {}, {}, keep=0)


def test_run_communities_read_one_column_of_a_run(people: GraphStore) -> None:
    """The community of each customer of a run, the current one by default; customers
    without a community are left out (paging: tests/unit/test_neo4j_recorded.py)."""
    store = people
    first = store.begin_run({}, {})
    ids = [f"c{i:04d}" for i in range(40)]
    rows = [replace(score(c, first.run_id, 0.5), community_id=i % 7) for i, c in enumerate(ids)]
    rows[5] = replace(rows[5], community_id=None)
    store.write_scores(first.run_id, rows)
    store.publish_run(first.run_id, {}, {}, keep=3)
    second = store.begin_run({}, {})
    moved = replace(score("c0001", second.run_id, 0.5), community_id=42)
    store.write_scores(second.run_id, [moved])
    store.publish_run(second.run_id, {}, {}, keep=3)
    assert store.run_communities() == {"c0001": 42}
    older = store.run_communities(first.run_id)
    assert older == {
        s.customer_id: s.community_id
        for s in store.run_scores(first.run_id)
        if s.community_id is not None
    }
    assert len(older) == 39 and "c0005" not in older and older["c0013"] == 6
    with pytest.raises(NotFoundError):
        store.run_communities("no-such-run")


def test_segments(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "customer", "customer": "a", "tags": ["vip", "beauty"]},
            {"type": "customer", "customer": "b", "tags": ["beauty"]},
            {
                "type": "referral",
                "referrer": "a",
                "referee": "c",
                "campaign_id": "cny",
                "converted": True,
            },
            {"type": "order", "customer": "d", "order_id": "o1", "amount": 5, "campaign_id": "cny"},
        ],
    )
    assert store.segment(tag="beauty") == ["a", "b"]
    assert store.segment(campaign="cny") == ["c", "d"]
    with pytest.raises(ParameterError, match="exactly one"):
        store.segment()


def test_filters_summaries_profiles_and_pages(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "customer", "customer": "a", "tags": ["vip"]},
            {"type": "customer", "customer": "b"},
            {"type": "customer", "customer": "c", "tags": ["vip"]},
        ],
    )
    run = store.begin_run({}, {})
    rows = [
        score("a", run.run_id, 0.9, "kol"),
        score("b", run.run_id, 0.5, "kol"),
        score("c", run.run_id, 0.1, "consumer"),
    ]
    rows[0] = replace(
        rows[0], details={"audience_by_platform": {"weibo": 5000}}, audience=5000, community_id=7
    )
    store.write_scores(run.run_id, rows)
    store.write_communities(
        run.run_id,
        [{"community_id": 7, "size": 1, "name": "x"}, {"community_id": 1, "size": 2, "name": "y"}],
    )
    store.publish_run(run.run_id, {}, {}, keep=2)
    ids = lambda found: [s.customer_id for s in found]  # noqa: E731
    assert ids(store.top_scores()) == ["a", "b", "c"]
    assert ids(store.top_scores(tier="kol", limit=1, offset=1)) == ["b"]
    assert ids(store.top_scores(tag="vip")) == ["a", "c"]
    assert ids(store.top_scores(platform="Weibo")) == ["a"]
    assert ids(store.top_scores(min_audience=10)) == ["a"]
    assert ids(store.top_scores(community_id=1)) == ["b", "c"]
    assert ids(store.top_scores(by="expected_reach")) == ["a", "b", "c"]  # ties by id
    summary = {(t["tier"], t["customers"]) for t in store.tier_summary()}
    assert summary == {("kol", 2), ("consumer", 1)}
    assert [p["community_id"] for p in store.community_profiles()] == [1, 7]
    assert store.community_profiles(7)[0]["name"] == "x"
    with pytest.raises(NotFoundError, match="no community 3"):
        store.community_profiles(3)
    assert ids(store.run_scores()) == ["a", "b", "c"]


def _columns(ids: list[str], value: list[float], platforms: list[dict[str, int]]) -> ScoreColumns:
    n = len(ids)
    return ScoreColumns(
        customer_id=ids,
        tier=["kol" if v > 0.5 else "consumer" for v in value],
        tier_level=["mid" if v > 0.5 else None for v in value],
        tier_reason=[f"reason {i} → ✓" for i in range(n)],
        community_id=np.arange(n, dtype=np.int64) % 2,
        social_value=np.asarray(value),
        influence=np.linspace(0.0, 1.0, n),
        expected_reach=np.full(n, 1.5),
        audience=np.asarray([sum(p.values()) for p in platforms], dtype=np.int64),
        participation=np.asarray(value) / 3,
        revenue=np.zeros(n),
        bridge=np.full(n, 0.1),
        conversions=np.arange(n, dtype=np.int64),
        details={
            "audience_in_graph": np.arange(n, dtype=np.int64) * 7,
            "audience_by_platform": platforms,
            "is_employee": np.arange(n) % 2 == 0,
            "value_components": {"own": np.asarray(value) * 1e-300, "reach": -np.asarray(value)},
            "social_value_rank": np.asarray(value) / 7,
            "labels": [[f"l{i}", None] for i in range(n)],
        },
    )


def test_score_columns_read_back_as_their_records(people: GraphStore) -> None:
    """A run written as columns reads back exactly as its rows: every field and detail
    (floats bit for bit, ints as int, booleans as bool, key order), in every read."""
    store = people
    ids = ["a", "b", "c"]
    platforms = [{"weibo": 5000}, {}, {"douyin": 1, "weibo": 0}]
    first = store.begin_run({}, {})
    columns = _columns(ids, [0.3, 0.9, 0.6], platforms)
    seen: list[int] = []
    assert store.write_scores(first.run_id, columns, progress=seen.append) == 3
    assert seen and seen[-1] == 3 and seen == sorted(seen)
    store.publish_run(first.run_id, {}, {}, keep=3)
    expected = {r.customer_id: r for r in columns.records(first.run_id)}
    assert expected["a"].details["is_employee"] is True
    for cid, record in expected.items():
        got = store.scores(cid)
        assert got == record
        assert list(got.details) == list(record.details)
        assert [type(v) for v in got.details.values()] == [type(v) for v in record.details.values()]
    assert [s.customer_id for s in store.top_scores()] == ["b", "c", "a"]
    assert store.top_scores() == [expected[c] for c in ("b", "c", "a")]
    assert [s.customer_id for s in store.top_scores(platform="weibo")] == ["a"]
    assert [s.customer_id for s in store.top_scores(platform="douyin")] == ["c"]
    assert list(store.run_scores()) == [expected[c] for c in ids]
    # a later run written as rows: history mixes both forms
    second = store.begin_run({}, {})
    store.write_scores(second.run_id, [score("a", second.run_id, 0.5)], progress=seen.append)
    assert seen[-1] == 1
    store.publish_run(second.run_id, {}, {}, keep=3)
    assert store.score_history("a") == [expected["a"], score("a", second.run_id, 0.5)]
    assert [s.customer_id for s in store.top_scores(platform="weibo")] == []
