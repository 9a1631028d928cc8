"""GraphStore contract: what a later ingest does to what an earlier one stored.

Each ``ingest`` below is its own batch, so the store's own rules decide (within one batch
the ingest engine orders events first): a profile or follow older than what is stored
changes nothing, a tie in time goes to the later ingest, a new profile value replaces
only the fields it gives, referrals of a pair combine (rewards add up, the earliest event
and first order stay), and activity keeps the earliest and latest instants.
``tools/mutation/queries.py`` found these rules of the SQL and the Cypher untested.

Some of the stored fields (a follow's ``since`` and ``channel``, a referral's reward,
order and event) are kept for audit and not returned by any store read; :func:`stored`
reads them straight from each store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph_engine.config import Settings
from graph_engine.store import GraphStore, SQLiteStore
from graph_engine.store.neo4j import Neo4jStore
from tests.conftest import ingest

T1, T2, T3, T4 = (f"2026-01-0{d}T00:00:00Z" for d in (1, 2, 3, 4))


def cypher_rows(store: GraphStore, name: str) -> list[tuple[Any, ...]]:
    """Rows of the audit read ``tests/contract/cypher/<name>.cypher`` on a Neo4j store."""
    assert isinstance(store, Neo4jStore)
    query = (Path(__file__).parent / "cypher" / f"{name}.cypher").read_text()
    records, _, _ = store._driver.execute_query(query, database_=store._database)
    return [tuple(r.values()) for r in records]


def stored(store: GraphStore, what: str) -> list[tuple[Any, ...]]:
    """Audit fields of follows or referrals, as (ids..., fields...) sorted."""
    sql = {
        "follows": (
            "SELECT a.id, b.id, f.active, substr(f.since, 1, 10), f.channel FROM follows f "
            "JOIN customers a ON a.pk = f.follower JOIN customers b ON b.pk = f.followee"
        ),
        "referrals": (
            "SELECT a.id, b.id, r.event_id, r.order_id, r.reward, r.converted FROM referrals r "
            "JOIN customers a ON a.pk = r.referrer JOIN customers b ON b.pk = r.referee"
        ),
    }
    if isinstance(store, SQLiteStore):
        rows = [tuple(r) for r in store._db.execute(sql[what])]
    else:
        rows = cypher_rows(store, what)
    return sorted((*r[:-1], bool(r[-1])) if what == "referrals" else
                  (r[0], r[1], bool(r[2]), *r[3:]) for r in rows)  # fmt: skip


def one(store: GraphStore, settings: Settings, row: dict[str, Any], event_id: str) -> None:
    report = ingest(store, settings, [{**row, "event_id": event_id}])
    assert report.rejected == 0, report


def test_a_profile_takes_the_latest_write_field_by_field(
    store: GraphStore, settings: Settings
) -> None:
    one(store, settings, {"type": "customer", "customer": "c", "name": "A", "region": "r1",
                          "employee_of": "e1", "tags": ["t1"], "at": T2}, "p1")  # fmt: skip
    one(store, settings, {"type": "customer", "customer": "c", "name": "Old", "at": T1}, "p2")
    assert store.customer("c").name == "A"  # older than what is stored: ignored
    one(store, settings, {"type": "customer", "customer": "c", "name": "Tie", "at": T2}, "p3")
    person = store.customer("c")
    assert (person.name, person.region, person.employee_of) == ("Tie", "r1", "e1")
    one(store, settings, {"type": "customer", "customer": "c", "region": "r2",
                          "employee_of": "e2", "at": T3}, "p4")  # fmt: skip
    person = store.customer("c")
    assert (person.name, person.region, person.employee_of, person.tags) == (
        "Tie",
        "r2",
        "e2",
        ("t1",),
    )
    one(store, settings, {"type": "customer", "customer": "c", "region": "r0", "at": T2}, "p5")
    assert store.customer("c").region == "r2"  # older than T3 now


def test_a_follow_takes_the_latest_write_and_keeps_its_start(
    store: GraphStore, settings: Settings
) -> None:
    follow = {"type": "follow", "follower": "a", "followee": "b"}
    one(store, settings, {**follow, "at": T1, "channel": "wechat"}, "f1")
    one(store, settings, {**follow, "at": T2}, "f2")  # still following: since stays T1
    assert stored(store, "follows") == [("a", "b", True, "2026-01-01", "wechat")]
    one(store, settings, {**follow, "action": "unfollow", "at": T2}, "f3")  # a tie: later wins
    assert stored(store, "follows")[0][2] is False
    assert store.customer("a").follows == 0
    one(store, settings, {**follow, "at": T1}, "f4")  # older than the unfollow: ignored
    assert store.customer("a").follows == 0
    one(store, settings, {**follow, "at": T3, "channel": "poster"}, "f5")  # back: since T3
    assert stored(store, "follows") == [("a", "b", True, "2026-01-03", "poster")]
    one(store, settings, {**follow, "at": T4}, "f6")
    assert stored(store, "follows") == [("a", "b", True, "2026-01-03", "poster")]


def test_referrals_of_a_pair_combine(store: GraphStore, settings: Settings) -> None:
    ref = {"type": "referral", "referrer": "a", "referee": "b", "campaign_id": "k"}
    one(store, settings, {**ref, "at": T2, "reward": 5.0}, "r-t2")
    one(store, settings, {**ref, "at": T3, "reward": 7.0, "converted": True,
                          "order_id": "o-1"}, "r-t3")  # fmt: skip
    one(store, settings, {**ref, "at": T1, "order_id": "o-0"}, "r-t1")
    one(store, settings, {**ref, "at": T4, "reward": 1.5, "order_id": "o-2"}, "r-t4")
    one(store, settings, {**ref, "at": T1}, "r-t1-again")  # a tie: the first stays
    # the earliest event names it; the first order given stays; rewards add up
    assert stored(store, "referrals") == [("a", "b", "r-t1", "o-1", 13.5, True)]
    (row,) = store.referral_rows("k")
    assert row[3].isoformat().startswith("2026-01-01") and row[4] is True
    # no reward ever given stays no reward; a first reward after none counts
    pair = {"type": "referral", "referrer": "c", "referee": "d", "campaign_id": "k"}
    one(store, settings, {**pair, "at": T1}, "n1")
    one(store, settings, {**pair, "at": T2}, "n2")
    assert stored(store, "referrals")[-1][4] is None
    one(store, settings, {**pair, "at": T3, "reward": 2.0}, "n3")
    assert stored(store, "referrals")[-1][4] == 2.0


def test_activity_keeps_the_earliest_and_latest_instants(
    store: GraphStore, settings: Settings
) -> None:
    engage = {"type": "engagement", "customer": "c", "kind": "like"}
    one(store, settings, {**engage, "at": T2}, "e2")
    one(store, settings, {**engage, "at": T1}, "e1")
    one(store, settings, {**engage, "at": T4}, "e4")
    one(store, settings, {**engage, "at": T3}, "e3")
    person = store.customer("c")
    assert person.first_seen is not None and person.first_seen.startswith("2026-01-01")
    assert person.last_active is not None and person.last_active.startswith("2026-01-04")


def test_an_order_is_filed_under_its_campaign(store: GraphStore, settings: Settings) -> None:
    one(store, settings, {"type": "order", "customer": "c", "order_id": "o1", "amount": 9,
                          "campaign_id": "spring", "at": T1}, "o1")  # fmt: skip
    one(store, settings, {"type": "order", "customer": "c", "order_id": "o2", "amount": 4,
                          "at": T2}, "o2")  # fmt: skip
    if isinstance(store, SQLiteStore):
        rows = list(store._db.execute("SELECT order_id, campaign_id FROM orders ORDER BY 1"))
        assert rows == [("o1", "spring"), ("o2", None)]
    else:
        assert isinstance(store, Neo4jStore)
        assert cypher_rows(store, "order_campaigns") == [("o1", "spring"), ("o2", None)]
    assert [o[0] for o in store.campaign_events("spring").orders] == ["c"]


def test_audit_fields_are_stored(store: GraphStore, settings: Settings) -> None:
    one(store, settings, {"type": "engagement", "customer": "external:crm:1", "kind": "like",
                          "content_id": "post-1", "at": T1}, "e-1")  # fmt: skip
    one(store, settings, {"type": "order", "customer": "external:crm:1", "order_id": "o-1",
                          "amount": 3, "at": T2}, "ord-1")  # fmt: skip
    sql = (
        "SELECT (SELECT kind FROM identities), "
        "(SELECT group_concat(type || '@' || substr(at, 1, 10), ',') FROM "
        "(SELECT type, at FROM event_log ORDER BY event_id)), "
        "(SELECT event_id FROM orders), (SELECT content_id FROM engagements)"
    )
    if isinstance(store, SQLiteStore):
        row = tuple(store._db.execute(sql).fetchone())
    else:
        (row,) = cypher_rows(store, "fields")
    assert row == ("external", "engagement@2026-01-01,order@2026-01-02", "ord-1", "post-1")
