"""GraphStore contract: what the money value needs from the store, on every store:
engagement kinds and order currencies aligned with their events."""

from __future__ import annotations

from graph_engine.config import Settings
from graph_engine.store import GraphStore
from tests.conftest import ingest


def test_features_carry_engagement_kinds_and_order_currencies(
    store: GraphStore, settings: Settings
) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "engagement", "customer": "a", "kind": "like", "at": "2026-03-01T00:00:00Z"},
            {"type": "engagement", "customer": "a", "kind": "survey", "at": "2026-03-02T00:00:00Z"},
            {
                "type": "engagement",
                "customer": "b",
                "kind": "comment",
                "at": "2026-03-03T00:00:00Z",
            },
            {"type": "order", "customer": "a", "order_id": "o1", "amount": 100},
            {"type": "order", "customer": "b", "order_id": "o2", "amount": 20, "currency": "USD"},
            {"type": "order", "customer": "b", "order_id": "o3", "amount": 5, "currency": "CNY"},
            *(
                {"type": "share", "sharer": "a", "viewer": "b", "content_id": "p", "action": act,
                 "at": f"2026-03-0{day}T00:00:00Z"}
                for day, act in ((4, "view"), (5, "click"), (6, "convert"))
            ),
        ],
    )  # fmt: skip
    feats = store.customer_features()
    index = {cid: i for i, cid in enumerate(feats.ids)}
    e_idx, _ = feats.engagements
    engaged = sorted(
        (feats.ids[i], str(k)) for i, k in zip(e_idx.tolist(), feats.engagement_kinds, strict=True)
    )
    assert engaged == [("a", "like"), ("a", "survey"), ("b", "comment")]
    o_idx, _, amount = feats.orders
    orders = sorted(
        (feats.ids[i], float(v), str(c))
        for i, v, c in zip(o_idx.tolist(), amount.tolist(), feats.order_currencies, strict=True)
    )
    assert orders == [("a", 100.0, "CNY"), ("b", 5.0, "CNY"), ("b", 20.0, "USD")]
    assert set(index) == {"a", "b"}
    # the clicks and converts on shared content, with their times (views are not touches)
    sharer, viewer, at = feats.share_touches
    touches = sorted(
        (feats.ids[s], feats.ids[v], t)
        for s, v, t in zip(sharer.tolist(), viewer.tolist(), at.tolist(), strict=True)
    )
    day = 86_400
    march_5 = 1_772_668_800  # 2026-03-05T00:00:00Z
    assert touches == [("a", "b", march_5), ("a", "b", march_5 + day)]
