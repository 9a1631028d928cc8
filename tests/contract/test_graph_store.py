"""GraphStore contract: follow state, identity merges, lookups, snapshots, features, keys.

Runs against every store (see ``tests/contract/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graph_engine.config import Settings
from graph_engine.errors import NotFoundError
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest import engine as engine_module
from graph_engine.store import GraphStore, SQLiteStore
from tests.conftest import ingest


def test_unfollow_removes_and_last_write_by_time_wins(
    store: GraphStore, settings: Settings
) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "a", "followee": "b", "at": "2026-01-01T00:00:00Z"},
            {"type": "follow", "follower": "a", "followee": "c", "at": "2026-01-01T00:00:00Z"},
            {
                "type": "follow",
                "follower": "a",
                "followee": "b",
                "action": "unfollow",
                "at": "2026-01-02T00:00:00Z",
            },
            # an unfollow older than the follow it would undo changes nothing
            {
                "type": "follow",
                "follower": "a",
                "followee": "c",
                "action": "unfollow",
                "at": "2025-12-01T00:00:00Z",
            },
        ],
    )
    assert store.stats().edges["FOLLOWS"] == 1
    assert store.customer("a").follows == 1 and store.customer("c").followers == 1


def test_merge_repoints_everything_drops_loops_and_logs_why(
    store: GraphStore, settings: Settings
) -> None:
    report = ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "wechat_openid:o1", "followee": "kol"},
            {"type": "follow", "follower": "wechat_openid:o2", "followee": "kol"},
            {"type": "follow", "follower": "wechat_openid:o1", "followee": "wechat_openid:o2"},
            {
                "type": "share",
                "sharer": "kol",
                "viewer": "wechat_openid:o2",
                "content_id": "p1",
                "action": "click",
            },
            {"type": "referral", "referrer": "wechat_openid:o1", "referee": "wechat_openid:o2"},
            {"type": "order", "customer": "wechat_openid:o1", "order_id": "A", "amount": 100},
            {"type": "order", "customer": "wechat_openid:o2", "order_id": "B", "amount": 50.5},
            {"type": "engagement", "customer": "wechat_openid:o2", "kind": "comment"},
            {
                "type": "customer",
                "customer": "wechat_openid:o2",
                "tags": ["vip"],
                "external_followers": {"weibo": 1500},
            },
            {"type": "identity_link", "identities": ["wechat_openid:o1", "wechat_unionid:U"]},
            {
                "type": "identity_link",
                "identities": ["wechat_openid:o2", "wechat_unionid:U"],
                "event_id": "link-2",
            },
        ],
    )
    assert report.merges == 1 and report.self_loops_dropped == 2
    person = store.customer("wechat_unionid:U")
    assert person == store.customer("wechat_openid:o2")
    assert person.identities == ("wechat_openid:o1", "wechat_openid:o2", "wechat_unionid:U")
    assert (person.order_count, person.revenue_total) == (2, 150.5)
    assert (person.follows, person.tags, person.external_followers) == (
        1,
        ("vip",),
        {"weibo": 1500},
    )
    assert len(person.merged_ids) == 1
    stats = store.stats()
    assert stats.customers == 2 and stats.edges == {"FOLLOWS": 1, "SHARED_TO": 1, "REFERRED": 0}
    assert stats.engagements == 1
    (merge,) = store.merges()
    assert merge.survivor_id == person.id and merge.merged_id == person.merged_ids[0]
    assert merge.reason == (
        f"identity_link link-2: wechat_unionid:U links {merge.merged_id} to {merge.survivor_id}"
    )
    assert merge.self_loops_dropped == 2 and merge.event_id == "link-2"
    assert store.customer(merge.merged_id).id == person.id  # old id still finds the person


def test_unknown_customer(store: GraphStore) -> None:
    with pytest.raises(NotFoundError, match="no customer with id or identity 'ghost'"):
        store.customer("ghost")


def test_snapshot_orientation_and_share_counters(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "fan", "followee": "kol"},
            {
                "type": "share",
                "sharer": "kol",
                "viewer": "fan",
                "content_id": "p1",
                "action": "view",
            },
            {
                "type": "share",
                "sharer": "kol",
                "viewer": "fan",
                "content_id": "p1",
                "action": "click",
                "event_id": "s2",
            },
            {
                "type": "share",
                "sharer": "kol",
                "viewer": "fan",
                "content_id": "p2",
                "action": "convert",
                "event_id": "s3",
            },
            {"type": "referral", "referrer": "kol", "referee": "new", "converted": True},
            {"type": "customer", "customer": "loner"},
        ],
    )
    plain = store.snapshot()
    assert plain.ids == ("fan", "kol", "new", "loner")
    assert (plain.n, plain.m) == (4, 1) and plain.indices.tolist() == [1]
    g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True)
    src, dst = g.sources(), g.indices
    edges = {
        (g.ids[s], g.ids[d], int(r))
        for s, d, r in zip(src, dst, g.edge_properties["relationship"], strict=True)
    }
    assert edges == {("kol", "fan", 0), ("kol", "fan", 1), ("kol", "new", 2)}
    share = int(np.flatnonzero(g.edge_properties["relationship"] == 1)[0])
    assert [
        int(g.edge_properties[k][share]) for k in ("shares", "views", "clicks", "conversions")
    ] == [2, 1, 1, 1]
    referral = int(np.flatnonzero(g.edge_properties["relationship"] == 2)[0])
    assert bool(g.edge_properties["converted"][referral])
    with pytest.raises(ValueError, match="unknown type 'LIKES'"):
        store.snapshot(("LIKES",))  # type: ignore[arg-type]


def test_reingest_is_idempotent_and_duplicate_orders_are_counted(
    store: GraphStore, settings: Settings
) -> None:
    rows = [
        {"type": "order", "customer": "a", "order_id": "o1", "amount": 10, "event_id": "e1"},
        {"type": "order", "customer": "a", "order_id": "o2", "amount": 2.5, "event_id": "e2"},
        {"type": "follow", "follower": "a", "followee": "b", "event_id": "e3"},
    ]
    first = ingest(store, settings, rows)
    again = ingest(store, settings, rows)
    assert first.accepted == 3 and again.accepted == 0 and again.duplicates == 3
    assert store.known_event_ids(["e1", "e3", "zz"]) == {"e1", "e3"}
    resent = ingest(
        store,
        settings,
        [{"type": "order", "customer": "a", "order_id": "o1", "amount": 10, "event_id": "e9"}],
    )
    assert resent.duplicates == 1
    person = store.customer("a")
    assert (person.order_count, person.revenue_total) == (2, 12.5)
    assert store.stats().events == 4 and store.stats().orders == 2  # e9 logged, not stored


def test_referrals_combine_per_campaign_and_feed_the_referral_log(
    store: GraphStore, settings: Settings
) -> None:
    ingest(
        store,
        settings,
        [
            {
                "type": "referral",
                "referrer": "a",
                "referee": "b",
                "campaign_id": "cny",
                "reward": 5,
                "at": "2026-02-02T00:00:00Z",
            },
            {
                "type": "referral",
                "referrer": "a",
                "referee": "b",
                "campaign_id": "cny",
                "converted": True,
                "reward": 3,
                "at": "2026-02-01T00:00:00Z",
            },
            {"type": "referral", "referrer": "b", "referee": "c", "at": "2026-02-03T00:00:00Z"},
        ],
    )
    assert store.stats().edges["REFERRED"] == 2
    rows = store.referral_rows()
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        ("a", "b", "cny", True),
        ("b", "c", "", False),
    ]
    assert rows[0][3].isoformat().startswith("2026-02-01T00:00:00")  # the earliest invitation
    assert store.referral_rows("cny") == rows[:1]
    assert store.segment(campaign="cny") == ["b"]


def test_snapshot_window_and_actions(store: GraphStore, settings: Settings) -> None:
    from datetime import UTC, datetime

    def share(content: str, action: str, at: str) -> dict[str, str]:
        return {
            "type": "share",
            "sharer": "kol",
            "viewer": "fan",
            "content_id": content,
            "action": action,
            "at": at,
        }

    ingest(
        store,
        settings,
        [
            share("old", "click", "2025-06-01T00:00:00Z"),
            share("new", "convert", "2026-02-01T00:00:00Z"),
            share("new", "view", "2026-02-02T00:00:00Z"),
        ],
    )
    g = store.snapshot(("SHARED_TO",), since=datetime(2026, 1, 1, tzinfo=UTC))
    assert g.m == 1
    assert [int(g.edge_properties[k][0]) for k in ("shares", "views", "conversions", "acted")] == [
        1,
        1,
        1,
        1,
    ]
    actions = dict(zip(g.ids, g.node_properties["actions"].tolist(), strict=True))
    assert actions == {"kol": 1, "fan": 1}
    everything = store.snapshot(("SHARED_TO",))
    assert int(everything.edge_properties["shares"][0]) == 2
    assert store.snapshot(("SHARED_TO",), until=datetime(2025, 1, 1)).m == 0
    features = store.customer_features()
    i = features.ids.index("kol")
    assert features.conversions[i] == 1
    assert sorted(features.shares[0].tolist()) == [i, i]  # first share of each content


def test_merge_chains_resolve_to_the_last_survivor(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "customer", "customer": "wechat_openid:o1"},
            {"type": "customer", "customer": "wechat_openid:o2"},
            {"type": "customer", "customer": "wechat_openid:o3"},
            {"type": "identity_link", "identities": ["wechat_openid:o1", "phone:13800000001"]},
            {"type": "identity_link", "identities": ["wechat_openid:o2", "phone:13800000001"]},
            {"type": "identity_link", "identities": ["wechat_openid:o3", "external:crm-1"]},
            {"type": "identity_link", "identities": ["wechat_openid:o2", "external:crm-1"]},
        ],
    )
    assert store.stats().customers == 1 and len(store.merges()) == 2
    person = store.customer("wechat_openid:o3")
    assert len(person.merged_ids) == 2
    for old in person.merged_ids:
        assert store.customer(old).id == person.id
    state = store.identity_state()
    assert set(state.parents.values()) == {state.ids[person.id]}
    assert {state.keys[k] for k in person.identities} == {state.ids[person.id]}
    assert store.customer("phone:138 0000 0001").id == person.id  # hashed, normalised


def test_api_keys_and_audit(store: GraphStore) -> None:
    from graph_engine.errors import AuthenticationError, ParameterError

    key, secret = store.create_key("marketer", name="campaign tool")
    assert store.verify_key(secret).role == "marketer"
    assert [k.key_id for k in store.list_keys()] == [key.key_id]
    with pytest.raises(AuthenticationError):
        store.verify_key(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    revoked = store.revoke_key(key.key_id)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError):
        store.verify_key(secret)
    with pytest.raises(NotFoundError):
        store.revoke_key("nope")
    with pytest.raises(ParameterError):
        store.create_key("root")
    store.audit(key.key_id, "seeds:select", {"k": 3})
    store.audit(None, "keys.revoke", {"key_id": key.key_id})
    log = store.audit_log(5)
    assert [e["action"] for e in log] == ["keys.revoke", "seeds:select"]
    assert log[1]["detail"] == {"k": 3} and log[1]["key_id"] == key.key_id


@pytest.mark.parametrize("kind", ["follow", "share", "referral"])
def test_bulk_edge_list_equals_the_row_path_on_sqlite(
    store: GraphStore, settings: Settings, tmp_path: Path, kind: str
) -> None:
    """Either store fed through the columnar bulk path holds what the row path writes.

    The reference is the row path (bulk switched off) into a fresh SQLite store; the
    comparison is through the store contract: counts, every relationship, the graph.
    """
    rng = np.random.default_rng(11)
    lines = [f"{a} {b} {c}" for a, b, c in rng.integers(0, 25, size=(400, 3)).tolist()]
    lines[3] = "weibo:1 7 2"
    lines[9] = "tiktok:1 7 1"  # quarantined
    path = tmp_path / "edges.txt"
    path.write_text("# generated\n" + "\n".join(lines) + "\n")
    columns = {"follow": ("follower", "followee", "count"), "share": ("sharer", "viewer", "count")}
    defaults = {"share": (("action", "click"),), "referral": (("campaign_id", "c1"),)}
    source = Source(
        path,
        "edgelist",
        kind,
        columns.get(kind, ("referrer", "referee")),
        (("at", "2026-02-01T00:00:00Z"), *defaults.get(kind, ())),
    )
    bulk = Ingestor(store, settings).ingest([source])
    with SQLiteStore(f"sqlite:///{tmp_path / 'rows.db'}", identity_salt="test-salt") as ref:
        original = engine_module._uniform_edge_list
        engine_module._uniform_edge_list = lambda source: False  # type: ignore[assignment]
        try:
            rows = Ingestor(ref, settings).ingest([source])
        finally:
            engine_module._uniform_edge_list = original
        assert (bulk.accepted, bulk.rejected, bulk.duplicates) == (
            rows.accepted,
            rows.rejected,
            rows.duplicates,
        )
        assert bulk.rejected >= 1 and bulk.accepted > 200  # tiktok:1, self-loops, count 0
        assert store.stats() == ref.stats()
        ids = sorted(ref.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED")).ids)
        assert store.relationships(ids) == ref.relationships(ids)
        assert _edge_set(store) == _edge_set(ref)


def _edge_set(store: GraphStore) -> list[tuple[str, str, float]]:
    g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"))
    ids = list(g.ids)
    weights = g.weights if g.weights is not None else np.ones(g.m)
    return sorted(
        (ids[s], ids[t], float(w))
        for s, t, w in zip(g.sources().tolist(), g.indices.tolist(), weights.tolist(), strict=True)
    )
