"""GraphStore contract: the reads the explorer needs (relationships around a set of
customers, display names, ingest history), on every store."""

from __future__ import annotations

from graph_engine.config import Settings
from graph_engine.store import GraphStore
from graph_engine.store.base import Link
from tests.conftest import ingest

T0 = "2026-03-01T00:00:00Z"


def _graph(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "customer", "customer": "a", "name": "Ann", "at": T0},
            {"type": "customer", "customer": "b", "name": "Bo", "at": T0},
            {"type": "follow", "follower": "a", "followee": "b", "at": T0},
            {"type": "follow", "follower": "b", "followee": "a", "at": T0},
            {"type": "follow", "follower": "c", "followee": "a", "at": T0},
            {"type": "follow", "follower": "d", "followee": "c", "at": T0},
            # an unfollow: no longer a relationship
            {"type": "follow", "follower": "e", "followee": "a", "at": T0},
            {
                "type": "follow",
                "follower": "e",
                "followee": "a",
                "action": "unfollow",
                "at": "2026-03-02T00:00:00Z",
            },
            *(
                {
                    "type": "share",
                    "sharer": "a",
                    "viewer": "c",
                    "content_id": f"post-{i}",
                    "action": "view",
                    "at": T0,
                }
                for i in range(3)
            ),
            {"type": "referral", "referrer": "b", "referee": "d", "campaign_id": "x", "at": T0},
            {"type": "referral", "referrer": "b", "referee": "d", "campaign_id": "y", "at": T0},
        ],
    )


def test_relationships_among_and_touching(store: GraphStore, settings: Settings) -> None:
    _graph(store, settings)
    among = store.relationships(["a", "b", "c"])
    assert among == [
        Link("a", "c", "SHARED_TO", 3),
        Link("a", "b", "FOLLOWS", 1),
        Link("b", "a", "FOLLOWS", 1),
        Link("c", "a", "FOLLOWS", 1),
    ]
    touching = store.relationships(["d"], among=False)
    assert touching == [Link("b", "d", "REFERRED", 2), Link("d", "c", "FOLLOWS", 1)]
    assert store.relationships(["a"], among=False, limit=2) == [
        Link("a", "c", "SHARED_TO", 3),
        Link("a", "b", "FOLLOWS", 1),
    ]
    # a relationship inside the set is listed once, not once per end
    assert len(store.relationships(["a", "b"], among=False)) == 5
    assert store.relationships(["nobody"], among=False) == []
    assert store.relationships([]) == []


def test_relationships_follow_merges(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "wechat_openid:o1", "followee": "kol", "at": T0},
            {"type": "identity_link", "identities": ["kol", "wechat_unionid:U"], "at": T0},
            {
                "type": "identity_link",
                "identities": ["wechat_openid:o1", "wechat_unionid:U"],
                "at": "2026-03-02T00:00:00Z",
            },
            {"type": "follow", "follower": "fan", "followee": "wechat_openid:o1", "at": T0},
        ],
    )
    survivor = store.customer("wechat_openid:o1").id
    links = store.relationships([survivor], among=False)
    assert links == [Link("fan", survivor, "FOLLOWS", 1)]  # the self-follow was dropped


def test_customer_names_and_ingest_history(store: GraphStore, settings: Settings) -> None:
    _graph(store, settings)
    assert store.customer_names(["a", "b", "c", "nobody"]) == {"a": "Ann", "b": "Bo", "c": None}
    history = store.ingest_history()
    assert len(history) == 1
    report = history[0].report
    assert report["accepted"] == 13 and history[0].finished_at.startswith("20")
    _graph(store, settings)
    again = store.ingest_history(limit=1)
    assert len(again) == 1 and again[0].report["duplicates"] == 13
