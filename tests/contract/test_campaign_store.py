"""GraphStore contract: campaign plans and a campaign's tagged events, on every store."""

from __future__ import annotations

import pytest

from graph_engine.config import Settings
from graph_engine.errors import ConflictError, NotFoundError
from graph_engine.store import GraphStore
from tests.conftest import ingest


def test_campaign_events_follow_tags_and_merges(store: GraphStore, settings: Settings) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "share", "sharer": "kol", "viewer": "wechat_openid:o1", "content_id": "p1",
             "action": "view", "campaign_id": "cny", "at": "2026-02-01T10:00:00Z"},
            {"type": "share", "sharer": "kol", "viewer": "wechat_openid:o1", "content_id": "p1",
             "action": "convert", "campaign_id": "cny", "at": "2026-02-01T11:00:00Z"},
            {"type": "share", "sharer": "kol", "viewer": "x", "content_id": "p2",
             "action": "view", "campaign_id": "other", "at": "2026-02-01T12:00:00Z"},
            {"type": "share", "sharer": "kol", "viewer": "y", "content_id": "p3",
             "action": "view", "at": "2026-02-01T12:00:00Z"},
            {"type": "order", "customer": "wechat_openid:o1", "order_id": "A", "amount": 80,
             "campaign_id": "cny", "at": "2026-02-01T12:00:00Z"},
            {"type": "order", "customer": "x", "order_id": "B", "amount": 10, "currency": "USD",
             "campaign_id": "cny", "at": "2026-02-02T00:00:00Z"},
            {"type": "order", "customer": "y", "order_id": "C", "amount": 5,
             "at": "2026-02-02T00:00:00Z"},
            # o1 turns out to be u1: the events now name the survivor
            {"type": "identity_link", "identities": ["u1", "wechat_unionid:U"],
             "at": "2026-01-01T00:00:00Z"},
            {"type": "identity_link", "identities": ["wechat_openid:o1", "wechat_unionid:U"],
             "at": "2026-02-03T00:00:00Z"},
        ],
    )  # fmt: skip
    person = store.customer("wechat_openid:o1").id
    events = store.campaign_events("cny")
    assert [(s[0], s[1], s[2]) for s in events.shares] == [
        ("kol", person, "view"),
        ("kol", person, "convert"),
    ]
    assert [(o[0], o[1], o[2]) for o in events.orders] == [
        (person, 80.0, "CNY"),
        ("x", 10.0, "USD"),
    ]
    assert events.orders[0][3].isoformat().startswith("2026-02-01T12:00:00")
    empty = store.campaign_events("nothing")
    assert empty.shares == () and empty.orders == ()


def test_campaign_plans_are_kept_once_unless_replaced(store: GraphStore) -> None:
    with pytest.raises(NotFoundError, match="'cny' has no plan"):
        store.campaign_plan("cny")
    store.save_campaign_plan("cny", {"seeds": ["a", "b"], "budget": 100.0})
    plan = store.campaign_plan("cny")
    assert plan["seeds"] == ["a", "b"] and plan["budget"] == 100.0 and plan["created_at"]
    with pytest.raises(ConflictError, match="already has a plan"):
        store.save_campaign_plan("cny", {"seeds": ["c"]})
    assert store.campaign_plan("cny")["seeds"] == ["a", "b"]
    store.save_campaign_plan("cny", {"seeds": ["c"]}, replace=True)
    assert store.campaign_plan("cny")["seeds"] == ["c"]
    store.save_campaign_plan("mid-autumn", {"seeds": []})
    assert {p["campaign_id"] for p in store.campaign_plans()} == {"cny", "mid-autumn"}
