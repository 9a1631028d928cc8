"""GraphStore contract: follow state, identity merges, lookups, snapshots, features, keys.

Runs against every store (see ``tests/contract/conftest.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from graph_engine.config import Settings
from graph_engine.errors import NotFoundError
from graph_engine.store import GraphStore
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
