"""Neo4jStore, recorded layer: which named statement runs with which parameters, in which
transactions and batch sizes, for every GraphStore operation (no server needed).

The fake (``tests/neo4j_fake.py``) sits at the driver-session boundary with ``spec``
mocks of the real driver classes, refuses Cypher text that is in no ``cypher/`` file,
and checks parameters against each file's header and Bolt's types.

What a live server shows better (what a statement returns) is tested live in
``tests/contract/``; this layer keeps what the server cannot show: transaction
boundaries, batch sizes, paging, the statement each operation runs.
"""

from __future__ import annotations

import json
from typing import Any

import neo4j
import numpy as np
import pytest
from neo4j import exceptions as neo4j_errors

from graph_engine.config import Settings
from graph_engine.errors import (
    AuthenticationError,
    NotFoundError,
    ParameterError,
    SchemaVersionError,
    StoreError,
    StoreUnavailableError,
)
from graph_engine.ingest import Ingestor
from graph_engine.store import GraphStore, open_store
from graph_engine.store.base import ScoreRecord
from graph_engine.store.cypher import statement, statement_names
from graph_engine.store.neo4j import SCHEMA_VERSION, Neo4jStore
from tests.neo4j_fake import URL, Recorder, recorded_store

T0 = "2026-03-01T10:00:00+08:00"
SHARE_COUNTS = ("shares", "views", "clicks", "conversions", "acted")
STATS = (
    "customers",
    "identities",
    "merges",
    "follows",
    "shared_to",
    "referred",
    "orders",
    "engagements",
    "events",
)


def score(cid: str, run_id: str, value: float, **extra: Any) -> ScoreRecord:
    fields: dict[str, Any] = {
        "customer_id": cid,
        "run_id": run_id,
        "tier": "kol",
        "tier_level": "micro",
        "tier_reason": "because",
        "community_id": 1,
        "social_value": value,
        "influence": value,
        "expected_reach": 2.0,
        "audience": 10,
        "participation": 0.0,
        "revenue": 0.0,
        "bridge": 0.0,
        "conversions": 0,
        "details": {"audience_by_platform": {"Weibo": 10, "douyin": 0}},
    }
    fields.update(extra)
    return ScoreRecord(**fields)


def score_node(record: ScoreRecord) -> dict[str, Any]:
    """What ``s {.*}`` returns for a score written by the store."""
    return {**record.to_dict(), "details": json.dumps(record.details), "platforms": []}


# -- opening: schema, salt, connection errors ----------------------------------------------
def test_fresh_database_gets_constraints_indexes_version_and_salt() -> None:
    recorder = Recorder({"meta/get": [], "meta/init": lambda p: [{"value": p["value"]}]})
    store = Neo4jStore(URL, Settings(), driver=recorder.driver, identity_salt="s1")
    constraints = len(statement("schema/constraints").texts)
    indexes = len(statement("schema/indexes").texts)
    assert constraints >= 3 and indexes >= 3
    names = recorder.names()
    assert names[0] == "meta/get"
    assert names[1 : 1 + constraints + indexes] == [
        *(f"schema/constraints#{i}" for i in range(constraints)),
        *(f"schema/indexes#{i}" for i in range(indexes)),
    ]
    # every schema statement in its own write transaction, all idempotent
    schema_calls = [c for c in recorder.calls if c.name.startswith("schema/")]
    assert len({c.tx for c in schema_calls}) == len(schema_calls)
    assert all(c.mode == "write" for c in schema_calls)
    for text in statement("schema/constraints").texts + statement("schema/indexes").texts:
        assert "IF NOT EXISTS" in text
    (version,) = recorder.of("meta/set")
    assert version.params == {"key": "schema_version", "value": SCHEMA_VERSION}
    assert recorder.of("meta/init")[0].params == {"key": "identity_salt", "value": "s1"}
    assert store.identity_salt() == "s1"


def test_schema_from_a_newer_version_and_a_different_salt_are_refused() -> None:
    newer = Recorder({"meta/get": [{"value": SCHEMA_VERSION + 1}]})
    with pytest.raises(SchemaVersionError, match="newer than this graph_engine"):
        Neo4jStore(URL, Settings(), driver=newer.driver)
    newer.driver.close.assert_called_once()
    with pytest.raises(StoreUnavailableError, match="different identity salt"):
        Neo4jStore(URL, Settings(), driver=Recorder().driver, identity_salt="other")


def test_driver_errors_become_store_errors() -> None:
    store, recorder = recorded_store()
    session = recorder.driver.session
    session.side_effect = neo4j_errors.ServiceUnavailable("connection refused")
    with pytest.raises(StoreUnavailableError, match="unavailable: connection refused"):
        store.stats()
    failing = neo4j_errors.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError", message="bad"
    )
    session.side_effect = failing
    with pytest.raises(StoreError, match=r"Neo\.ClientError\.Statement\.SyntaxError: bad"):
        store.stats()


def test_urls_passwords_and_unreachable_servers(tmp_path: Any) -> None:
    with pytest.raises(StoreUnavailableError, match="GRAPH_ENGINE_NEO4J_PASSWORD"):
        open_store("neo4j://127.0.0.1:1", Settings())
    empty = tmp_path / "pw"
    empty.write_text("")
    with pytest.raises(StoreUnavailableError, match="is empty"):
        open_store("bolt://127.0.0.1:1", Settings(neo4j_password_file=empty))
    with pytest.raises(StoreUnavailableError, match="No such file"):
        open_store("bolt://127.0.0.1:1", Settings(neo4j_password_file=tmp_path / "missing"))
    with pytest.raises(StoreUnavailableError, match="already chooses TLS"):
        open_store("neo4j+s://127.0.0.1:1", Settings(neo4j_password="x", neo4j_encrypted=True))
    # the real driver against a closed port: a clear error naming the URL
    with pytest.raises(StoreUnavailableError, match=r"cannot reach Neo4j at bolt://127\.0\.0\.1:1"):
        open_store("bolt://127.0.0.1:1", Settings(neo4j_password="x", neo4j_max_retry_seconds=0))
    with pytest.raises(StoreUnavailableError, match="not a Neo4j URL"):
        Neo4jStore("sqlite:///x.db", Settings(), driver=Recorder().driver)


def test_sessions_use_the_configured_database() -> None:
    store, recorder = recorded_store(neo4j_database="crm")
    recorder.answers["read/stats"] = [dict.fromkeys(STATS, 0)]
    assert store.stats().customers == 0
    assert recorder.sessions[-1] == {"database": "crm"}
    assert isinstance(recorder.driver, neo4j.Driver)


# -- ingest ----------------------------------------------------------------------------------
def test_ingest_is_one_transaction_of_batched_unwinds() -> None:
    store, recorder = recorded_store(neo4j_write_batch_size=10_000)
    rows = [
        {"type": "follow", "follower": f"u{i}", "followee": "kol", "at": T0, "event_id": f"f{i}"}
        for i in range(25_000)
    ]
    settings = Settings(identity_salt="test-salt", ingest_batch_size=100_000)
    report = Ingestor(store, settings).ingest_rows(rows)
    assert report.accepted == 25_000
    (check,) = [c for c in recorder.calls if c.name == "ingest/known_events"][:1]
    assert check.mode == "read"
    assert [len(c.params["event_ids"]) for c in recorder.of("ingest/known_events")] == [
        10_000,
        10_000,
        5_000,
    ]
    writes = [c for c in recorder.calls if c.mode == "write" and c.name.startswith("ingest/")]
    apply_tx = {c.tx for c in writes if c.name != "ingest/record_run"}
    assert len(apply_tx) == 1, "a resolved batch is applied in one transaction"
    assert [len(c.params["rows"]) for c in recorder.of("ingest/follow")] == [10_000, 10_000, 5_000]
    assert [len(c.params["rows"]) for c in recorder.of("ingest/customers")] == [
        10_000,
        10_000,
        5_001,
    ]
    first = recorder.of("ingest/follow")[0].params["rows"][0]
    assert set(first) == {"follower", "followee", "active", "at", "channel"}
    assert first["active"] is True and first["at"].startswith("2026-03-01T02:00:00")
    assert [len(c.params["rows"]) for c in recorder.of("ingest/event_log")] == [
        10_000,
        10_000,
        5_000,
    ]
    (run,) = recorder.of("ingest/record_run")
    assert json.loads(run.params["report"])["accepted"] == 25_000


def test_identity_merge_repoints_in_the_same_transaction() -> None:
    profile = {
        "name": None,
        "is_employee": False,
        "employee_of": None,
        "external_followers": '{"weibo": 10}',
        "tags": ["x"],
        "region": None,
        "profile_at": None,
        "first_seen": "2026-01-01T00:00:00+00:00",
        "last_active": "2026-01-02T00:00:00+00:00",
    }
    attached: dict[str, Any] = {}

    def merge_read(p: dict[str, Any]) -> list[dict[str, Any]]:
        ((s, m),) = [(mg["survivor"], mg["merged"]) for mg in p["merges"]]
        attached.update(survivor=s, merged=m)
        return [
            {
                "merged": m,
                "follows": [
                    {"follower": m, "followee": 99, "active": True, "at": T0, "channel": None},
                    {"follower": m, "followee": s, "active": True, "at": T0, "channel": None},
                ],
                "shares": [
                    {
                        "event_id": "s1",
                        "content_id": "p",
                        "action": "view",
                        "at": T0,
                        "channel": None,
                        "campaign_id": None,
                        "sharer": s,
                        "viewer": m,
                    }
                ],
                "referrals": [],
                "survivor": profile,
                "merged_profile": {
                    **profile,
                    "external_followers": '{"weibo": 50}',
                    "tags": ["y"],
                },
            }
        ]

    store, recorder = recorded_store({"ingest/merge_read": merge_read})
    rows = [
        {"type": "customer", "customer": "wechat_openid:o1"},
        {"type": "customer", "customer": "wechat_openid:o2"},
        {"type": "identity_link", "identities": ["wechat_openid:o1", "wechat_unionid:U"]},
        {"type": "identity_link", "identities": ["wechat_openid:o2", "wechat_unionid:U"]},
    ]
    full = [dict(r, at=T0, event_id=f"l{i}") for i, r in enumerate(rows)]
    report = Ingestor(store, Settings(identity_salt="test-salt")).ingest_rows(full)
    assert report.merges == 1 and report.self_loops_dropped == 2
    steps = [
        n
        for n in recorder.names()
        if n.startswith("ingest/merge") or n in {"ingest/follow", "ingest/share"}
    ]
    assert steps == [
        "ingest/merge_read",
        "ingest/follow",
        "ingest/merge_move",
        "ingest/merge_finish",
        "ingest/merge_log",
    ]
    merge_calls = [c for c in recorder.calls if c.name.startswith("ingest/merge")]
    assert len({c.tx for c in merge_calls}) == 1
    s = attached["survivor"]
    (follow,) = recorder.of("ingest/follow")
    assert follow.params["rows"] == [
        {"follower": s, "followee": 99, "active": True, "at": T0, "channel": None}
    ]
    (finish,) = recorder.of("ingest/merge_finish")
    ((merge,),) = [finish.params["merges"]]
    assert json.loads(merge["profile"]["external_followers"]) == {"weibo": 50}
    assert merge["profile"]["tags"] == ["x", "y"]
    (log,) = recorder.of("ingest/merge_log")
    ((row,),) = [log.params["rows"]]
    assert row["edges_repointed"] == 1  # one follow (the share became a loop: dropped)
    assert row["self_loops_dropped"] == 2
    assert row["reason"].startswith("identity_link l3")


def pk_pages(people: list[dict[str, Any]]) -> Any:
    """``read/customer_pks``: one record per page, aligned lists of pks and ids."""

    def answer(p: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [r for r in people if r["pk"] > p["after"]][: p["page"]]
        return [{"pk": [r["pk"] for r in rows], "id": [r["id"] for r in rows]}]

    return answer


def test_identity_state_and_event_ids_are_read_in_pages() -> None:
    keys = [{"key": f"external:c{i}", "customer": i} for i in range(1, 6)]
    people = [{"pk": i, "id": f"c{i}"} for i in range(1, 6)]

    def page(rows: list[dict[str, Any]], cursor: str) -> Any:
        return lambda p: [r for r in rows if r[cursor] > p["after"]][: p["page"]]

    store, recorder = recorded_store(
        {
            "read/identity_keys": page(keys, "key"),
            "read/customer_pks": pk_pages(people),
            "read/merged_ids": [{"pk": 6, "id": "c6", "parent": 2}],
        },
        neo4j_read_page_size=2,
    )
    state = store.identity_state()
    assert state.keys == {k["key"]: k["customer"] for k in keys}
    assert state.parents == {6: 2} and state.ids["c6"] == 6 and state.next_pk == 7
    assert [c.params["after"] for c in recorder.of("read/customer_pks")] == [0, 2, 4]
    assert [c.params["after"] for c in recorder.of("read/identity_keys")] == [
        "",
        "external:c2",
        "external:c4",
    ]


# -- reads -----------------------------------------------------------------------------------
def test_snapshot_streams_pages_and_builds_the_same_csr() -> None:
    people = [{"pk": pk, "id": cid} for pk, cid in ((1, "fan"), (2, "kol"), (4, "new"))]
    store, recorder = recorded_store(
        {
            "read/customer_pks": pk_pages(people),
            # one record per page of aligned lists (as `collect` returns them)
            "read/follows_page": lambda p: [
                {"source": [1], "target": [2]}
                if p["lo"] <= 1 <= p["hi"]
                else {"source": [], "target": []}
            ],
            "read/shares_page": lambda p: [
                {
                    "source": [2],
                    "target": [1],
                    "shares": [2],
                    "views": [1],
                    "clicks": [1],
                    "conversions": [1],
                    "acted": [2],
                }
                if p["lo"] <= 2 <= p["hi"]
                else {key: [] for key in ("source", "target", *SHARE_COUNTS)}
            ],
            "read/referrals_page": lambda p: [
                {"source": [2], "target": [4], "converted": [1]}
                if p["lo"] <= 2 <= p["hi"]
                else {"source": [], "target": [], "converted": []}
            ],
            "read/actions_page": lambda p: [
                {"pk": r["pk"], "actions": 1} for r in people if p["lo"] <= r["pk"] <= p["hi"]
            ],
        },
        neo4j_read_page_size=2,
    )
    from datetime import UTC, datetime

    g = store.snapshot(
        ("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True, since=datetime(2026, 1, 1)
    )
    assert g.ids == ("fan", "kol", "new")
    edges = {
        (g.ids[s], g.ids[d], int(r))
        for s, d, r in zip(g.sources(), g.indices, g.edge_properties["relationship"], strict=True)
    }
    assert edges == {("kol", "fan", 0), ("kol", "fan", 1), ("kol", "new", 2)}
    assert g.node_properties["actions"].tolist() == [1, 1, 1]
    share = int(np.flatnonzero(g.edge_properties["relationship"] == 1)[0])
    assert [int(g.edge_properties[k][share]) for k in SHARE_COUNTS] == [2, 1, 1, 1, 2]
    referral = int(np.flatnonzero(g.edge_properties["relationship"] == 2)[0])
    assert bool(g.edge_properties["converted"][referral])
    # pages are pk ranges of read_page_size customers (one index seek each), read two at a
    # time (neo4j_read_concurrency), each in its own read transaction
    pages = recorder.of("read/follows_page")
    assert len({c.tx for c in pages}) == len(pages)
    assert sorted((c.params["lo"], c.params["hi"]) for c in pages) == [
        (1, 2),
        (4, 4),
    ]
    window = recorder.of("read/shares_page")[0].params
    assert window["since"] == datetime(2026, 1, 1, tzinfo=UTC).isoformat(timespec="microseconds")
    assert window["until"] is None
    assert all(c.mode == "read" for c in recorder.calls if c.name.startswith("read/"))
    with pytest.raises(ValueError, match="unknown type 'LIKES'"):
        store.snapshot(("LIKES",))  # type: ignore[arg-type]


# -- runs, scores, write-back --------------------------------------------------------------
class RunsDouble:
    """Canned answers that follow a run's status through the statements."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}
        self.current: str | None = None
        self.purge_rounds = [1000, 1000, 0]
        self.writeback_rounds = [(2, "b"), (0, None)]
        self.stale_rounds = [1, 0]

    def answers(self) -> dict[str, Any]:
        return {
            "runs/stale": lambda p: [
                {"run_id": r["run_id"], "status": r["status"]}
                for r in self.runs.values()
                if r["status"] in ("running", "expired")
            ],
            "runs/abandon": lambda p: self.runs[p["run_id"]].update(status="abandoned") or [],
            "meta/next_seq": lambda p: [{"seq": len(self.runs) + 1}],
            "runs/create": self.create,
            "runs/get": lambda p: (
                [{"run": self.runs[p["run_id"]]}] if p["run_id"] in self.runs else []
            ),
            "runs/publish": self.publish,
            "runs/expire": lambda p: [],
            "runs/fail": self.fail,
            "runs/purge_scores": lambda p: [{"deleted": self.purge_rounds.pop(0)}],
            "writeback/customers": lambda p: [
                dict(zip(("written", "last"), self.writeback_rounds.pop(0), strict=True))
            ],
            "writeback/clear_stale": lambda p: [{"cleared": self.stale_rounds.pop(0)}],
            "meta/get": lambda p: {
                "schema_version": [{"value": SCHEMA_VERSION}],
                "identity_salt": [{"value": "test-salt"}],
                "current_run": [{"value": self.current}] if self.current else [],
            }[p["key"]],
        }

    def create(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        run = {**p["run"], "status": "running", "timings": "{}", "summary": "{}"}
        self.runs[run["run_id"]] = run
        return [{"run": run}]

    def fail(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        run = self.runs[p["run_id"]]
        if run["status"] != "running":
            return []
        run["status"] = "failed"
        return [{"run_id": p["run_id"]}]

    def complete(self, run_id: str) -> None:
        """A published run, as if an earlier process had written it."""
        self.runs[run_id] = {
            "run_id": run_id,
            "seq": len(self.runs) + 1,
            "status": "complete",
            "started_at": T0,
            "config": "{}",
            "counts": "{}",
        }

    def publish(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        self.runs[p["run_id"]].update(status="complete", timings=p["timings"])
        self.current = p["run_id"]
        return [{"run_id": p["run_id"]}]


def test_run_lifecycle_batches_publish_and_write_back() -> None:
    double = RunsDouble()
    store, recorder = recorded_store(double.answers(), neo4j_write_batch_size=10_000)
    run = store.begin_run({"seed": 1}, {"customers": 25_000})
    assert run.status == "running" and run.seq == 1 and run.config == {"seed": 1}
    recorder.clear()
    written = store.write_scores(
        run.run_id, (score(f"c{i:05d}", run.run_id, i) for i in range(25_000))
    )
    assert written == 25_000
    writes = recorder.of("runs/write_scores")
    assert [len(c.params["rows"]) for c in writes] == [10_000, 10_000, 5_000]
    # each batch: its own write transaction, checking the run is still running first
    assert len({c.tx for c in writes}) == 3
    for call in writes:
        same_tx = [c.name for c in recorder.calls if c.tx == call.tx]
        assert same_tx == ["runs/get", "runs/write_scores"]
    row = writes[0].params["rows"][0]
    assert row["platforms"] == ["weibo"] and json.loads(row["details"])["audience_by_platform"]
    store.write_communities(run.run_id, [{"community_id": 1, "size": 3, "top": []}])
    recorder.clear()
    published = store.publish_run(run.run_id, {"read": 0.5}, {}, keep=3)
    assert published.status == "complete" and published.timings == {"read": 0.5}
    names = recorder.names()
    publish_tx = recorder.of("runs/publish")[0].tx
    assert [c.name for c in recorder.calls if c.tx == publish_tx] == [
        "runs/get",
        "runs/publish",
        "runs/expire",
    ]
    assert names.count("writeback/customers") == 2 and names.count("writeback/clear_stale") == 2
    wb = recorder.of("writeback/customers")
    assert [c.params["after"] for c in wb] == ["", "b"]
    assert all(c.params["batch_size"] == 10_000 and c.params["run_id"] == run.run_id for c in wb)
    assert len({c.tx for c in wb}) == 2  # one transaction per batch


def test_failed_and_abandoned_runs_are_purged_in_batches() -> None:
    double = RunsDouble()
    store, recorder = recorded_store(double.answers(), neo4j_write_batch_size=1000)
    dead = store.begin_run({}, {})
    recorder.clear()
    fresh = store.begin_run({}, {})
    assert double.runs[dead.run_id]["status"] == "abandoned"
    purge = recorder.of("runs/purge_scores")
    assert [c.params for c in purge] == [{"run_ids": [dead.run_id], "batch_size": 1000}] * 3
    assert recorder.of("runs/purge_finish")[0].params == {"run_ids": [dead.run_id]}
    recorder.clear()
    double.purge_rounds = [0]
    store.fail_run(fresh.run_id, "ValueError: boom" * 500)
    assert len(recorder.of("runs/fail")[0].params["error"]) == 2000
    assert recorder.names() == ["runs/fail", "runs/purge_scores", "runs/purge_finish"]
    double.complete("run-old")
    recorder.clear()
    store.fail_run("run-old", "late failure")  # not running: nothing is purged
    assert recorder.names() == ["runs/fail"]
    with pytest.raises(ParameterError, match="is not running"):
        store.write_scores(fresh.run_id, [score("a", fresh.run_id, 1.0)])
    with pytest.raises(ParameterError, match="keep must be"):
        store.publish_run(fresh.run_id, {}, {}, keep=0)


def test_score_reads_pass_filters_as_parameters() -> None:
    double = RunsDouble()
    record = score("a", "run-1", 0.5, tier_level=None, community_id=None)
    store, recorder = recorded_store(
        {
            **double.answers(),
            "read/resolve": [{"pk": 1, "id": "a"}],
            "read/customer": [{"merged": [{"pk": 2, "id": "old-a"}]}],
            "scores/get": [{"score": score_node(record)}],
            "scores/history": [{"score": score_node(record)}],
            "scores/top": [{"score": score_node(record)}],
            "scores/tier_summary": [{"tier": "kol", "tier_level": "micro", "customers": 1}],
            "scores/page": lambda p: [{"score": score_node(record)}] if p["after"] == "" else [],
            "scores/communities": [{"profile": json.dumps({"community_id": 1, "size": 2})}],
            "scores/run_communities": lambda p: {
                "": [{"customer_id": "a", "community_id": 3}],
                "a": [{"customer_id": "b", "community_id": None}],
                "b": [],
            }[p["after"]],
        },
        neo4j_read_page_size=1,
    )
    with pytest.raises(NotFoundError, match="no complete run yet"):
        store.top_scores()
    double.complete("run-1")
    double.current = "run-1"
    assert store.current_run().run_id == "run-1"  # type: ignore[union-attr]
    found = store.scores("wechat_unionid:U")
    assert found.to_dict()["audience_by_platform"]["Weibo"] == 10
    assert (found.tier_level, found.community_id) == (None, None)  # absent from `s {.*}`
    assert recorder.of("scores/get")[-1].params == {"run_id": "run-1", "customer_id": "a"}
    store.score_history("a")
    assert recorder.of("scores/history")[0].params == {"customer_ids": ["a", "old-a"]}
    store.top_scores(
        by="expected_reach", tier="kol", platform="WeiBo", tag="vip", min_audience=5, limit=7
    )
    top = recorder.of("scores/top")[-1].params
    assert top == {
        "run_id": "run-1",
        "by": "expected_reach",
        "tier": "kol",
        "tier_level": None,
        "community_id": None,
        "tag": "vip",
        "platform": "weibo",
        "min_audience": 5,
        "min_expected_reach": None,
        "offset": 0,
        "limit": 7,
    }
    with pytest.raises(ParameterError, match="by: unknown score"):
        store.top_scores(by="social_value DESC //")
    assert store.tier_summary()[0]["tier"] == "kol"
    assert [s.customer_id for s in store.run_scores()] == ["a"]
    assert [c.params["after"] for c in recorder.of("scores/page")] == ["", "a"]
    assert store.run_communities() == {"a": 3}  # paged; no community, not listed
    assert [c.params["after"] for c in recorder.of("scores/run_communities")] == ["", "a", "b"]
    assert recorder.of("scores/run_communities")[0].params["run_id"] == "run-1"
    assert store.community_profiles()[0]["size"] == 2
    recorder.answers["scores/communities"] = []
    with pytest.raises(NotFoundError, match="no community 5"):
        store.community_profiles(5)
    assert store.runs(limit=3) == [] and recorder.of("runs/list")[0].params == {"limit": 3}


# -- keys and audit --------------------------------------------------------------------------
def test_api_keys_store_only_hashes_and_audit_appends() -> None:
    keys: dict[str, dict[str, Any]] = {}
    store, recorder = recorded_store(
        {
            "keys/create": lambda p: keys.update({p["key"]["key_id"]: dict(p["key"])}) or [],
            "keys/get": lambda p: (
                [{"key": {"last_used_at": None, "revoked_at": None, **keys[p["key_id"]]}}]
                if p["key_id"] in keys
                else []
            ),
            "keys/secret": lambda p: (
                [
                    {
                        "secret_hash": keys[p["key_id"]]["secret_hash"],
                        "revoked_at": keys[p["key_id"]].get("revoked_at"),
                    }
                ]
                if p["key_id"] in keys
                else []
            ),
            "keys/revoke": lambda p: keys[p["key_id"]].update(revoked_at=p["now"]) or [],
            "keys/audit_log": [
                {"entry": {"seq": 1, "at": T0, "key_id": None, "action": "x", "detail": '{"n": 1}'}}
            ],
        }
    )
    record, secret = store.create_key("marketer", name="m")
    stored = recorder.of("keys/create")[0].params["key"]
    assert secret.split("_", 2)[2] not in json.dumps(stored)  # only the hash is stored
    assert store.verify_key(secret).key_id == record.key_id
    with pytest.raises(AuthenticationError):
        store.verify_key(secret + "x")
    with pytest.raises(AuthenticationError):
        store.verify_key("ge_nokey_secret")
    store.revoke_key(record.key_id)
    with pytest.raises(AuthenticationError):
        store.verify_key(secret)
    with pytest.raises(ParameterError, match="unknown role"):
        store.create_key("root")
    store.audit(record.key_id, "seeds:select", {"k": 5})
    entry = recorder.of("keys/audit")[0].params["entry"]
    assert entry["action"] == "seeds:select" and json.loads(entry["detail"]) == {"k": 5}
    assert store.audit_log(10)[0]["detail"] == {"n": 1}


# -- coverage of the protocol and of the cypher/ files -------------------------------------
def test_every_protocol_method_is_implemented() -> None:
    store, _ = recorded_store()
    assert isinstance(store, GraphStore)
    protocol = {n for n in dir(GraphStore) if not n.startswith("_") and n != "url"}
    for name in protocol:
        assert callable(getattr(store, name)), name


def test_every_statement_file_is_used_by_the_store_and_every_used_one_exists() -> None:
    import re
    from pathlib import Path

    import graph_engine.store as package

    here = Path(package.__file__).parent
    code = "".join(p.read_text() for p in [*here.glob("*neo4j*.py"), here / "gds.py"])
    used = set(
        re.findall(
            r'"((?:schema|meta|ingest|read|runs|scores|writeback|keys|admin|gds|campaigns)/\w+)"',
            code,
        )
    )
    # GDS statements named by their step or algorithm: estimate steps in the engine's
    # plan, algorithms run by the engine or by the GDS oracle suite
    engine = (here.parent / "engines.py").read_text()
    used |= {f"gds/estimate_{step}" for step in re.findall(r'\("\w+", "(\w+)", n,', engine)}
    oracle = Path(__file__).resolve().parents[1] / "oracle"
    callers = [engine, *(p.read_text() for p in oracle.glob("*.py"))]
    for text in callers:
        used |= {
            f"gds/algo/{a}" for a in re.findall(r'(?:call|node_values|values)\(\s*"(\w+)"', text)
        }
    files = {n for n in statement_names() if not n.startswith("examples/")}
    assert used == files, (sorted(used - files), sorted(files - used))
    examples = [n for n in statement_names() if n.startswith("examples/")]
    assert len(examples) >= 4
    assert all(statement(n).parameters for n in examples)


@pytest.mark.parametrize(("batch", "transactions"), [(10_000, 100), (50_000, 20)])
def test_write_back_of_a_million_scores_is_batched(batch: int, transactions: int) -> None:
    total = 1_000_000
    state = {"done": 0}

    def write(p: dict[str, Any]) -> list[dict[str, Any]]:
        n = min(p["batch_size"], total - state["done"])
        state["done"] += n
        return [{"written": n, "last": f"c{state['done']:07d}" if n else None}]

    double = RunsDouble()
    double.complete("run-1")
    store, recorder = recorded_store(
        {
            **double.answers(),
            "writeback/customers": write,
            "writeback/clear_stale": [{"cleared": 0}],
        },
        neo4j_write_batch_size=batch,
    )
    assert store.write_back("run-1") == {"written": total, "cleared": 0}
    calls = recorder.of("writeback/customers")
    assert len(calls) == transactions + 1  # the last one finds nothing left
    assert len({c.tx for c in calls}) == len(calls) and all(c.mode == "write" for c in calls)
    assert {c.params["batch_size"] for c in calls} == {batch}
    assert calls[1].params["after"] == f"c{batch:07d}"
    assert Settings().neo4j_write_batch_size >= 10_000  # the default


def test_stores_of_one_process_share_a_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    import graph_engine.store.neo4j as module

    made: list[Recorder] = []

    def connect(url: str, settings: Settings) -> Any:
        made.append(Recorder())
        return made[-1].driver

    monkeypatch.setattr(module, "_connect", connect)
    settings = Settings(identity_salt="test-salt", neo4j_password="pw")
    first = open_store(URL, settings)
    second = open_store(URL, settings)
    other = open_store(URL, settings.model_copy(update={"neo4j_user": "analyst"}))
    assert len(made) == 2  # one per user, shared by the two stores of the first
    first.close()
    first.close()  # closing twice releases once
    made[0].driver.close.assert_not_called()
    second.close()
    made[0].driver.close.assert_called_once()
    other.close()
    made[1].driver.close.assert_called_once()


def test_every_protocol_operation_runs_its_named_statements() -> None:
    """One table, every GraphStore operation: the statements it runs, in order."""
    double = RunsDouble()
    record = score("a", "run-1", 0.5)
    person = {"pk": 1, "id": "a"}
    store, recorder = recorded_store(
        {
            **double.answers(),
            "read/stats": [dict.fromkeys(STATS, 0)],
            "read/resolve": [person],
            "read/customer": [
                {
                    "customer": {
                        "id": "a",
                        "name": None,
                        "is_employee": False,
                        "employee_of": None,
                        "external_followers": "{}",
                        "tags": [],
                        "region": None,
                        "revenue_total": 0.0,
                        "order_count": 0,
                        "first_seen": None,
                        "last_active": None,
                    },
                    "identities": [],
                    "merged": [],
                    "follows": 0,
                    "followers": 0,
                }
            ],
            "read/customer_pks": pk_pages([person]),
            "gds/installed": [{"installed": True}],
            "campaigns/save_plan": lambda p: [{"created_at": p["created_at"]}],
            "campaigns/plan": [{"created_at": T0, "plan": "{}"}],
            "scores/get": [{"score": score_node(record)}],
            "keys/get": [
                {
                    "key": {
                        "key_id": "k",
                        "role": "reader",
                        "pii": False,
                        "name": None,
                        "created_at": T0,
                        "revoked_at": None,
                        "last_used_at": None,
                    }
                }
            ],
        }
    )
    double.purge_rounds = [0] * 10
    double.writeback_rounds = [(0, None)]
    double.stale_rounds = [0]
    run_id = store.begin_run({}, {}).run_id
    table: list[tuple[str, Any, list[str]]] = [
        ("identity_state", (), ["read/identity_keys", "read/customer_pks", "read/merged_ids"]),
        ("known_event_ids", (["e1"],), ["ingest/known_events"]),
        ("record_ingest", ({"accepted": 1},), ["ingest/record_run"]),
        ("stats", (), ["read/stats"]),
        ("customer", ("a",), ["read/resolve", "read/customer"]),
        ("merges", (), ["read/merges"]),
        ("ingest_history", (), ["read/ingest_history"]),
        ("customer_names", (["a"],), ["read/customer_names"]),
        ("relationships", (["a"],), ["read/relationships_among"]),
        ("campaign_events", ("cny",), ["read/campaign_shares", "read/campaign_orders"]),
        ("save_campaign_plan", ("cny", {"seeds": []}), ["campaigns/save_plan"]),
        ("campaign_plan", ("cny",), ["campaigns/plan"]),
        ("campaign_plans", (), ["campaigns/plans"]),
        (
            "snapshot",
            (("FOLLOWS", "SHARED_TO", "REFERRED"),),
            [
                "read/customer_pks",
                "read/follows_page",
                "read/shares_page",
                "read/referrals_page",
                "read/actions_page",
            ],
        ),
        ("referral_rows", (), ["read/referral_rows"]),
        ("customer_features", (), ["read/customer_pks", "read/features_page"]),
        ("write_scores", (run_id, [record]), ["runs/get", "runs/write_scores"]),
        (
            "write_communities",
            (run_id, [{"community_id": 1, "size": 1}]),
            ["runs/get", "runs/write_communities"],
        ),
        (
            "publish_run",
            (run_id, {}, {}, 2),
            [
                "runs/get",
                "runs/publish",
                "runs/expire",
                "writeback/customers",
                "writeback/clear_stale",
                "runs/get",
            ],
        ),
        ("current_run", (), ["meta/get", "runs/get"]),  # then the parsed run is reused
        ("runs", (), ["runs/list"]),
        ("scores", ("a",), ["meta/get", "read/resolve", "scores/get"]),
        ("score_history", ("a",), ["read/resolve", "read/customer", "scores/history"]),
        ("top_scores", (), ["meta/get", "scores/top"]),
        ("tier_summary", (), ["meta/get", "scores/tier_summary"]),
        ("community_profiles", (), ["meta/get", "scores/communities"]),
        ("run_communities", (), ["meta/get", "scores/run_communities"]),
        ("create_key", ("reader",), ["keys/create", "keys/get"]),
        ("list_keys", (), ["keys/list"]),
        ("revoke_key", ("k",), ["keys/get", "keys/revoke", "keys/get"]),
        ("audit", (None, "x", {}), ["keys/audit"]),
        ("audit_log", (), ["keys/audit_log"]),
        ("gds", (), ["gds/installed"]),
    ]
    for method, args, expected in table:
        recorder.clear()
        getattr(store, method)(*args)
        assert recorder.names() == expected, method
    failing = store.begin_run({}, {}).run_id
    recorder.clear()
    store.fail_run(failing, "boom")
    assert recorder.names() == ["runs/fail", "runs/purge_scores", "runs/purge_finish"]
    list(store.run_scores())
    recorder.clear()
    store.segment(tag="t")
    assert recorder.names() == ["read/segment_tag"]
    recorder.clear()
    store.relationships(["a"], among=False)
    assert recorder.names() == ["read/relationships_touching"]
    covered = {m for m, _, _ in table} | {
        "run_scores",
        "segment",
        "fail_run",
        "begin_run",
        "apply",
        "verify_key",
        "identity_salt",
        "close",
    }
    protocol = {n for n in dir(GraphStore) if not n.startswith("_") and n != "url"}
    assert protocol <= covered, sorted(protocol - covered)
