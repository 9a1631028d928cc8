"""GraphStore contract: every rule of an identity merge, on every store.

A merge folds person ``m`` into the older ``s``: relationships on either side are
re-pointed, the ones that would join ``s`` to itself are dropped and counted, orders,
engagements and identity keys move, and the profiles combine (the survivor's value where
it has one, the largest audience per platform, the union of tags, the earliest first
seen and latest activity). ``scripts/mutate`` found these rules untested one by one.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.config import Settings
from graph_engine.identity import NewCustomer
from graph_engine.store import GraphStore, SQLiteStore
from graph_engine.store.base import ResolvedBatch
from tests.conftest import ingest
from tests.contract.test_last_write import cypher_rows

T1, T2, T3, T4 = (f"2026-01-0{d}T00:00:00Z" for d in (1, 2, 3, 4))
S, M, Z = "phone:+8613800000001", "phone:+8613800000002", "phone:+8613800000003"


def events() -> list[dict[str, Any]]:
    s, m = S, M
    return [
        # s is created first (the survivor); m later
        {"type": "customer", "customer": s, "name": "Survivor", "tags": ["a"],
         "external_followers": {"weibo": 100}, "at": T2, "event_id": "profile-s"},
        {"type": "customer", "customer": m, "name": "Merged", "region": "north",
         "employee_of": "brand", "is_employee": True, "tags": ["b"],
         "external_followers": {"weibo": 50, "xhs": 300, "douyin": 0}, "at": T3,
         "event_id": "profile-m"},
        # follows on both sides of m, and between s and m (loops once merged)
        {"type": "follow", "follower": "x", "followee": m, "at": T1},
        {"type": "follow", "follower": m, "followee": "y", "at": T3},
        {"type": "follow", "follower": m, "followee": s, "at": T3},
        {"type": "follow", "follower": s, "followee": m, "at": T3},
        {"type": "follow", "follower": "y", "followee": s, "at": T3},
        # shares: m as sharer, m as viewer, and s -> m (a loop once merged)
        {"type": "share", "sharer": m, "viewer": "x", "content_id": "c1", "action": "click",
         "at": T3},
        {"type": "share", "sharer": "x", "viewer": m, "content_id": "c2", "action": "view",
         "at": T3},
        {"type": "share", "sharer": s, "viewer": m, "content_id": "c3", "action": "view",
         "at": T3},
        # referrals: m as referrer, m as referee, and s -> m (a loop once merged)
        {"type": "referral", "referrer": m, "referee": "x", "at": T3},
        {"type": "referral", "referrer": "y", "referee": m, "at": T3},
        {"type": "referral", "referrer": s, "referee": m, "at": T3},
        {"type": "order", "customer": m, "order_id": "o-m", "amount": 80, "at": T4},
        {"type": "order", "customer": s, "order_id": "o-s", "amount": 20, "at": T2},
        {"type": "engagement", "customer": m, "kind": "comment", "at": T3},
        {"type": "identity_link", "identities": [s, m], "event_id": "link-sm", "at": T4},
        # a second merge in the same ingest: z (one follow into s, a loop) joins s too
        {"type": "follow", "follower": Z, "followee": s, "at": T3},
        {"type": "identity_link", "identities": [s, Z], "event_id": "link-sz", "at": T4},
    ]  # fmt: skip


def test_a_merge_repoints_each_side_and_counts_what_it_drops(
    store: GraphStore, settings: Settings
) -> None:
    report = ingest(store, settings, events())
    assert (report.rejected, report.merges) == (0, 2)
    # follows m->s, s->m (2), share s->m (1), referral s->m (1); z->s (1)
    assert report.self_loops_dropped == 5
    person = store.customer(M)
    assert person == store.customer(S) == store.customer(Z)
    assert len(person.merged_ids) == 2
    # x -> m became x -> s, y -> s stays; m -> y became s -> y
    assert (person.follows, person.followers) == (1, 2)
    assert store.customer("x").follows == 1 and store.customer("y").followers == 1
    stats = store.stats()
    assert stats.customers == 3  # s, x, y
    assert stats.edges == {"FOLLOWS": 3, "SHARED_TO": 2, "REFERRED": 2}
    assert stats.engagements == 1
    assert sorted((a, b) for a, b, *_ in store.referral_rows()) == sorted(
        [(person.id, "x"), ("y", person.id)]
    )
    logs = {m.event_id: m for m in store.merges()}
    sm, sz = logs["link-sm"], logs["link-sz"]
    # re-pointed: follows x->m, m->y; shares m->x, x->m; referrals m->x, y->m
    assert (sm.edges_repointed, sm.self_loops_dropped) == (6, 4)
    assert (sz.edges_repointed, sz.self_loops_dropped) == (0, 1)
    assert sm.survivor_id == sz.survivor_id == person.id


def test_a_merge_combines_the_profiles(store: GraphStore, settings: Settings) -> None:
    ingest(store, settings, events())
    person = store.customer(S)
    assert person.name == "Survivor"  # the survivor's own value wins
    assert (person.region, person.employee_of, person.is_employee) == ("north", "brand", True)
    assert person.tags == ("a", "b")
    # the largest audience per platform, platforms of either side (zero kept as given)
    assert person.external_followers == {"weibo": 100, "xhs": 300, "douyin": 0}
    assert (person.order_count, person.revenue_total) == (2, 100.0)
    assert person.first_seen is not None and person.first_seen.startswith(
        "2026-01-01"
    )  # x followed m
    assert person.last_active is not None and person.last_active.startswith("2026-01-04")
    assert len(person.identities) == 3  # (phone numbers are kept as hashes)


def test_the_survivor_takes_the_merged_persons_values_where_it_has_none(
    store: GraphStore, settings: Settings
) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": S, "followee": "q", "at": T1},
            {"type": "customer", "customer": M, "name": "Only M", "region": "east",
             "employee_of": "agency", "at": T2, "event_id": "profile-m"},
            {"type": "identity_link", "identities": [S, M], "at": T3},
        ],
    )  # fmt: skip
    person = store.customer(S)
    assert (person.name, person.region, person.employee_of) == ("Only M", "east", "agency")
    assert person.is_employee is False


def test_duplicate_orders_are_named_by_their_events(store: GraphStore) -> None:
    pk = store.identity_state().next_pk
    first = ResolvedBatch(
        event_log=[("e1", "order", T1)],
        new_customers=[NewCustomer(pk, "c1", "external:c1")],
        new_keys=[("external:c1", pk)],
        orders=[("o1", "e1", pk, 10.0, "CNY", None, T1)],
    )
    assert store.apply(first).duplicate_orders == ()
    again = ResolvedBatch(
        event_log=[("e2", "order", T2), ("e3", "order", T2), ("e4", "order", T2)],
        orders=[
            ("o1", "e2", pk, 10.0, "CNY", None, T2),  # stored before
            ("o2", "e3", pk, 5.0, "CNY", None, T2),
            ("o2", "e4", pk, 5.0, "CNY", None, T2),  # twice in one batch
        ],
    )
    assert sorted(store.apply(again).duplicate_orders) == ["e2", "e4"]
    person = store.customer("c1")
    assert (person.order_count, person.revenue_total) == (2, 15.0)


@pytest.mark.parametrize(
    ("s_at", "m_at", "stale"),
    [
        (T3, T2, {"name": "stale"}),  # the survivor's profile is the later one
        (T2, T3, {"region": "stale"}),  # the merged person's is
    ],
)
def test_after_a_merge_the_later_profile_time_guards_the_profile(
    store: GraphStore, settings: Settings, s_at: str, m_at: str, stale: dict[str, str]
) -> None:
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": S, "followee": "q", "at": T1},
            {"type": "follow", "follower": M, "followee": "q", "at": T1},
            {"type": "customer", "customer": S, "name": "S", "at": s_at, "event_id": "ps"},
            {"type": "customer", "customer": M, "name": "M", "at": m_at, "event_id": "pm"},
            {"type": "identity_link", "identities": [S, M], "at": T4, "event_id": "l"},
        ],
    )
    # between the two profile times: older than the merged profile, so it changes nothing
    at = "2026-01-02T12:00:00Z"
    ingest(store, settings, [{"type": "customer", "customer": S, **stale, "at": at,
                              "event_id": "p-stale"}])  # fmt: skip
    person = store.customer(S)
    assert (person.name, person.region) == ("S", None)


def test_an_alias_follows_its_person_into_a_later_merge(
    store: GraphStore, settings: Settings
) -> None:
    w, x, y = "phone:+8613800000011", "phone:+8613800000012", "phone:+8613800000013"
    ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": w, "followee": "q", "at": T1},
            {"type": "follow", "follower": x, "followee": "q", "at": T1},
            {"type": "follow", "follower": y, "followee": "q", "at": T1},
            {"type": "identity_link", "identities": [x, y], "at": T2, "event_id": "xy"},
        ],
    )
    y_id = store.merges()[0].merged_id
    x_id = store.customer(x).id
    # a later ingest: x (which absorbed y) is itself merged into the older w
    ingest(store, settings, [{"type": "identity_link", "identities": [w, x], "at": T3,
                              "event_id": "wx"}])  # fmt: skip
    person = store.customer(w)
    assert store.customer(y_id).id == store.customer(x_id).id == person.id
    assert set(person.merged_ids) == {x_id, y_id}


def test_engagements_move_to_the_survivor(store: GraphStore, settings: Settings) -> None:
    ingest(store, settings, events())
    feats = store.customer_features()
    e_idx, _ = feats.engagements
    assert [feats.ids[i] for i in e_idx.tolist()] == [store.customer(S).id]
    assert [str(k) for k in feats.engagement_kinds] == ["comment"]


def test_merges_of_one_ingest_agree_with_merging_one_at_a_time(
    store: GraphStore, settings: Settings
) -> None:
    """Five merges in one ingest: two that share a survivor, two independent ones, and two
    whose merged people follow each other; each must end as if merged one at a time."""
    p = [f"phone:+86139000000{i:02d}" for i in range(10)]
    sa, ma, sx, mx, ma2, sp, mp, sq, mq = p[:9]
    first_seen = [{"type": "follow", "follower": who, "followee": "q0", "at": T1}
                  for who in (sa, sx, sp, sq, ma, mx, ma2, mp, mq)]  # fmt: skip
    report = ingest(
        store,
        settings,
        [
            *first_seen,
            {"type": "customer", "customer": ma, "tags": ["ta"], "at": T2, "event_id": "ta"},
            {"type": "customer", "customer": ma2, "tags": ["tb"], "at": T2, "event_id": "tb"},
            {"type": "follow", "follower": ma, "followee": sa, "at": T2},  # loops once merged
            {"type": "follow", "follower": sx, "followee": mx, "at": T2},
            {"type": "follow", "follower": ma2, "followee": sa, "at": T2},
            {"type": "follow", "follower": mp, "followee": mq, "at": T2},  # becomes sp -> sq
            {"type": "identity_link", "identities": [sa, ma], "at": T3, "event_id": "l1"},
            {"type": "identity_link", "identities": [sx, mx], "at": T3, "event_id": "l2"},
            {"type": "identity_link", "identities": [sa, ma2], "at": T3, "event_id": "l3"},
            {"type": "identity_link", "identities": [sp, mp], "at": T3, "event_id": "l4"},
            {"type": "identity_link", "identities": [sq, mq], "at": T3, "event_id": "l5"},
        ],
    )
    assert (report.rejected, report.merges, report.self_loops_dropped) == (0, 5, 3)
    a = store.customer(sa)
    assert a.tags == ("ta", "tb") and len(a.merged_ids) == 2
    assert store.customer(ma).id == store.customer(ma2).id == a.id
    assert store.customer(mx).id == store.customer(sx).id
    assert store.customer(mq).id == store.customer(sq).id
    assert store.customer(sp).follows == 2 and store.customer(sq).followers == 1
    assert {m.event_id: m.self_loops_dropped for m in store.merges()} == {
        "l1": 1, "l2": 1, "l3": 1, "l4": 0, "l5": 0,
    }  # fmt: skip
    assert all(m.at.startswith("2026-01-03") for m in store.merges())


def test_the_merge_log_and_campaigns_as_stored(store: GraphStore, settings: Settings) -> None:
    """What no store read returns but analysts query: the merge log's customer keys and,
    on Neo4j, a :Campaign node for every campaign an event names."""
    ingest(store, settings, [
        *events(),
        {"type": "referral", "referrer": "x", "referee": "y", "campaign_id": "only-referred",
         "at": T2},
        {"type": "share", "sharer": "x", "viewer": "y", "content_id": "c9", "action": "view",
         "campaign_id": "only-shared", "at": T2},
    ])  # fmt: skip
    state = store.identity_state()
    survivor = state.ids[store.customer(S).id]
    if isinstance(store, SQLiteStore):
        pks = sorted(store._db.execute("SELECT survivor, merged FROM merges"))
        campaigns = None
    else:
        pks = sorted(cypher_rows(store, "merge_log"))
        campaigns = [r[0] for r in cypher_rows(store, "campaigns")]
    assert pks == sorted((survivor, state.ids[m.merged_id]) for m in store.merges())
    assert all(s == survivor for s, _ in pks) and len(pks) == 2
    assert campaigns in (None, ["only-referred", "only-shared"])
