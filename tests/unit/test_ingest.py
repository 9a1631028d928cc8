"""Ingest: readers, idempotency, quarantine, identity acceptance."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_engine.config import Settings
from graph_engine.errors import SourceError
from graph_engine.ingest import Ingestor, Source, detect_format, expand_paths, read_rows
from graph_engine.store import SQLiteStore
from tests.conftest import T0, ingest, quarantined


def run(store: SQLiteStore, settings: Settings, *sources: Source):
    return Ingestor(store, settings).ingest(list(sources))


def test_acceptance_two_openids_linked_later_through_a_unionid(
    store: SQLiteStore, settings: Settings
) -> None:
    report = ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "wechat_openid:oA", "followee": "kol-1"},
            {"type": "order", "customer": "wechat_openid:oA", "order_id": "o-1", "amount": 99},
            {"type": "follow", "follower": "wechat_openid:oB", "followee": "kol-2"},
            {
                "type": "share",
                "sharer": "kol-2",
                "viewer": "wechat_openid:oB",
                "content_id": "c",
                "action": "convert",
            },
            {"type": "order", "customer": "wechat_openid:oB", "order_id": "o-2", "amount": 1},
            {"type": "identity_link", "identities": ["wechat_openid:oA", "wechat_unionid:U1"]},
            {
                "type": "identity_link",
                "identities": ["wechat_unionid:U1", "wechat_openid:oB"],
                "event_id": "link-B",
            },
        ],
    )
    assert (report.accepted, report.rejected, report.merges) == (7, 0, 1)
    person = store.customer("wechat_openid:oA")
    assert person.id == store.customer("wechat_openid:oB").id
    assert (person.follows, person.order_count, person.revenue_total) == (2, 2, 100.0)
    assert store.stats().customers == 3  # the person and two KOLs
    g = store.snapshot(("SHARED_TO",))
    assert [g.ids[i] for i in g.indices] == [person.id]
    (merge,) = store.merges()
    assert "identity_link link-B: wechat_unionid:U1 links" in merge.reason


def test_same_rows_twice_change_nothing(store: SQLiteStore, settings: Settings) -> None:
    rows = [
        {"type": "follow", "follower": "a", "followee": "b"},
        {"type": "order", "customer": "a", "order_id": "o", "amount": 3},
        {"type": "identity_link", "identities": ["a", "phone:13800138000"]},
    ]
    first = ingest(store, settings, rows)
    before = store.stats()
    second = ingest(store, settings, rows)
    assert (first.accepted, second.accepted, second.duplicates) == (3, 0, 3)
    assert store.stats() == before


def test_an_order_id_seen_before_is_a_duplicate(store: SQLiteStore, settings: Settings) -> None:
    report = ingest(
        store,
        settings,
        [
            {"type": "order", "customer": "a", "order_id": "o", "amount": 3, "event_id": "x1"},
            {"type": "order", "customer": "a", "order_id": "o", "amount": 3, "event_id": "x2"},
        ],
    )
    assert (report.accepted, report.duplicates, store.stats().orders) == (1, 1, 1)
    assert report.accepted_by_type == {"order": 1}


def test_identity_rule_violations_are_quarantined(store: SQLiteStore, settings: Settings) -> None:
    report = ingest(
        store,
        settings,
        [
            {"type": "follow", "follower": "wechat_openid:o1", "followee": "wechat_openid:o2"},
            {"type": "identity_link", "identities": ["wechat_openid:o1", "wechat_openid:o2"]},
            {"type": "identity_link", "identities": ["wechat_openid:o1", "wechat_unionid:u1"]},
            {"type": "identity_link", "identities": ["wechat_openid:o2", "wechat_unionid:u2"]},
            {
                "type": "identity_link",
                "identities": ["wechat_openid:o2", "phone:13800138000", "wechat_unionid:u1"],
            },
            {"type": "identity_link", "identities": ["wechat_openid:o3", "crm-3"]},
            {"type": "identity_link", "identities": ["wechat_openid:o3", "crm-4"]},
            {"type": "follow", "follower": "crm-3", "followee": "crm-4"},
        ],
    )
    rows = quarantined(report)
    assert [r["field"] for r in rows] == ["identities", "identities", "followee"]
    assert rows[0]["reason"].endswith(
        "none of its keys is of a kind trusted to merge (trusted: external, phone, wechat_unionid)"
    )
    assert rows[1]["reason"].startswith(
        "identity_link would give one person 2 different wechat_unionid keys"
    )
    assert rows[2]["reason"].startswith(
        "self-follow: followee and follower are the same customer crm-3"
    )
    assert report.rejected == 3 and report.merges == 0
    assert store.stats().customers == 3


def test_quarantine_records_source_line_field_value_reason_and_row(
    tmp_path: Path, store: SQLiteStore, settings: Settings
) -> None:
    path = tmp_path / "events.jsonl"
    good = {"type": "follow", "event_id": "1", "at": T0, "follower": "a", "followee": "b"}
    big = json.dumps({**good, "event_id": "3", "name": "x" * 70_000})
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                '{"type": "follow", "event_id": ',
                json.dumps({**good, "event_id": "2", "at": "yesterday"}),
                "",
                big,
                json.dumps([1, 2]),
                json.dumps({**good, "event_id": "4", "type": "like"}),
            ]
        )
        + "\n"
    )
    report = run(store, settings, Source(path, "jsonl"))
    assert (report.accepted, report.rejected) == (1, 5)
    rows = quarantined(report)
    assert [(r["line"], r["field"]) for r in rows] == [
        (2, "$"),
        (3, "at"),
        (5, "$"),
        (6, "$"),
        (7, "type"),
    ]
    assert all(r["source"] == str(path) for r in rows)
    assert rows[0]["reason"].startswith("invalid JSON (Expecting value at column")
    assert rows[1]["value"] == "yesterday" and rows[1]["reason"].startswith(
        "unparseable timestamp 'yesterday'"
    )
    assert rows[2]["reason"] == (
        f"row is {len(big) + 1} bytes, over the limit of 65536 bytes"
    )  # with its newline
    assert rows[2]["row"] == big
    assert rows[3]["reason"] == "a row must be a JSON object"
    assert rows[4]["value"] == "like" and json.loads(rows[4]["row"])["event_id"] == "4"
    assert sum(report.rejected_by_reason.values()) == 5


def test_csv_with_type_from_file_name_lists_and_maps(
    tmp_path: Path, store: SQLiteStore, settings: Settings
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer,name,is_employee,external_followers,tags,at\n"
        f"crm-1,Wang Wei,true,weibo=132000;douyin=5000,vip;skincare,{T0}\n"
        f'crm-2,,false,"{{""xiaohongshu"": 12}}",,{T0}\n'
        f"crm-3,Li,maybe,,,{T0}\n"
        "crm-4,Bad,false,weibo,,2026-01-01\n"
    )
    report = run(store, settings, Source(customers, "csv"))
    assert (report.accepted, report.rejected) == (2, 2)
    one = store.customer("crm-1")
    assert one.is_employee and one.external_followers == {"douyin": 5000, "weibo": 132000}
    assert one.tags == ("skincare", "vip")
    assert store.customer("crm-2").external_followers == {"xiaohongshu": 12}
    rows = quarantined(report)
    assert (rows[0]["line"], rows[0]["field"], rows[0]["value"]) == (4, "is_employee", "maybe")
    assert rows[1]["field"] == "external_followers" and rows[1]["line"] == 5
    assert "platform=count" in rows[1]["reason"]


def test_csv_with_type_column_and_wrong_cell_count(
    tmp_path: Path, store: SQLiteStore, settings: Settings
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "type,event_id,at,follower,followee,customer,order_id,amount\n"
        f"follow,1,{T0},a,b,,,\n"
        f"order,2,{T0},,,a,o1,12.5\n"
        f"order,3,{T0},,,a,o2\n"
    )
    report = run(store, settings, Source(path, "csv"))
    assert (report.accepted, report.rejected) == (2, 1)
    assert quarantined(report)[0]["reason"] == "row has 7 cells but the header has 8"
    assert store.customer("a").revenue_total == 12.5


def test_parquet(tmp_path: Path, store: SQLiteStore, settings: Settings) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(
        pa.table(
            {
                "customer": ["a", "b", "c"],
                "order_id": ["1", "2", "3"],
                "amount": [1.0, -2.0, 3.0],
                "at": [T0, T0, T0],
            }
        ),
        path,
    )
    report = run(store, settings, Source(path, "parquet", "order"))
    assert (report.accepted, report.rejected) == (2, 1)
    assert quarantined(report)[0]["line"] == 2


def test_edge_list_gzip_comments_counts_and_columns(
    tmp_path: Path, store: SQLiteStore, settings: Settings
) -> None:
    path = tmp_path / "retweets.edgelist.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("# a b w: a retweeted b w times\n1 2 3\n1 3 1\n2 2 1\n4\n3 1 0\n")
    source = Source(
        path, "edgelist", "share", ("viewer", "sharer", "count"), (("action", "click"), ("at", T0))
    )
    report = run(store, settings, source)
    assert (report.accepted, report.rejected) == (4, 3)
    g = store.snapshot(("SHARED_TO",))
    assert {(g.ids[s], g.ids[d]) for s, d in zip(g.sources(), g.indices, strict=True)} == {
        ("2", "1"),
        ("3", "1"),
    }
    clicks = dict(zip([g.ids[s] for s in g.sources()], g.edge_properties["clicks"], strict=True))
    assert clicks == {"2": 3, "3": 1}
    reasons = [r["reason"] for r in quarantined(report)]
    assert reasons[0].startswith("self-share") and reasons[1].startswith("expected 3 columns")
    assert reasons[2] == "must be a whole number >= 1"
    again = run(store, settings, source)
    assert (again.accepted, again.duplicates) == (0, 4)


def test_edge_list_needs_a_type(tmp_path: Path) -> None:
    path = tmp_path / "e.txt"
    path.write_text("1 2\n")
    with pytest.raises(SourceError, match="an edge list needs an event type"):
        list(read_rows(Source(path, "edgelist"), max_row_bytes=1000))


def test_paths_and_formats(tmp_path: Path) -> None:
    assert detect_format(Path("a.jsonl.gz")) == "jsonl"
    assert detect_format(Path("soc-Slashdot0902.txt.gz")) == "edgelist"
    assert detect_format(Path("x.CSV")) == "csv"
    with pytest.raises(SourceError, match=r"cannot tell the format from suffix '\.xlsx'"):
        detect_format(Path("x.xlsx"))
    with pytest.raises(SourceError, match="no such file or directory"):
        expand_paths([tmp_path / "nope.jsonl"])
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.csv").write_text("x\n")
    (tmp_path / "d" / "a.jsonl").write_text("")
    assert [p.name for p in expand_paths([tmp_path / "d"])] == ["a.jsonl", "b.csv"]


def test_batches_are_atomic_and_memory_recovers(
    store: SQLiteStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ing = Ingestor(store, settings)
    calls = {"n": 0}
    real_apply = store.apply

    def failing_apply(batch):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "apply", failing_apply)
    with pytest.raises(RuntimeError, match="disk full"):
        ing.ingest_rows(
            [{"type": "follow", "event_id": "1", "at": T0, "follower": "a", "followee": "b"}]
        )
    monkeypatch.setattr(store, "apply", real_apply)
    assert store.stats().customers == 0
    report = ingest(store, settings, [{"type": "follow", "follower": "a", "followee": "b"}])
    assert report.accepted == 1 and store.stats().customers == 2


def test_bulk_edge_list_path_equals_the_general_path(tmp_path: Path, settings: Settings) -> None:
    """Rows that differ only in their ends take the bulk path; the result is the same."""
    rows = [
        "1 2 2",
        "2 1 1",
        "3 3 1",
        "tiktok:9 1 1",
        "1 2 2",
        "4 phone:12 1",
        "5 1 x",
        "crm-7 1 1",
        "1 external:crm-7 1",
    ]
    bulk_file = tmp_path / "bulk.txt"
    bulk_file.write_text("".join(f"{r}\n" for r in rows))
    general_file = tmp_path / "general.txt"
    general_file.write_text("".join(f"{r} web\n" for r in rows))
    bulk = Source(
        bulk_file,
        "edgelist",
        "follow",
        ("follower", "followee", "count"),
        (("at", T0), ("channel", "web")),
    )
    general = Source(
        general_file,
        "edgelist",
        "follow",
        ("follower", "followee", "count", "channel"),
        (("at", T0),),
    )
    states, reasons = [], []
    for name, source in (("bulk", bulk), ("general", general)):
        with SQLiteStore(f"sqlite:///{tmp_path / name}.db", identity_salt="s") as store:
            report = run(store, settings, source)
            states.append(
                (
                    report.accepted,
                    report.duplicates,
                    report.rejected,
                    store.stats(),
                    store.snapshot().indices.tolist(),
                    store.snapshot().ids,
                    [m.event_id for m in store.merges()],
                    sorted(r[0] for r in store._db.execute("SELECT event_id FROM event_log")),
                )
            )
            reasons.append(
                [(r["line"], r["field"], r["value"], r["reason"]) for r in quarantined(report)]
            )
    assert states[0] == states[1]
    assert reasons[0] == reasons[1]
    assert [r[1] for r in reasons[0]] == ["followee", "follower", "followee", "count"]
    assert states[0][:3] == (5, 2, 4)


def test_bulk_edge_list_rejects_ends_merged_into_one_customer(
    tmp_path: Path, store: SQLiteStore, settings: Settings
) -> None:
    ingest(store, settings, [{"type": "identity_link", "identities": ["crm-1", "qq:55"]}])
    path = tmp_path / "f.txt"
    path.write_text("crm-1 qq:55\ncrm-1 crm-2\n")
    report = run(store, settings, Source(path, "edgelist", "follow", (), (("at", T0),)))
    (row,) = quarantined(report)
    assert (row["line"], row["field"], row["value"]) == (1, "followee", "qq:55")
    assert row["reason"] == (
        "self-follow: followee and follower are the same customer crm-1 (identities merged)"
    )
    assert report.accepted == 1


def test_count_repeats_only_two_ended_events(store: SQLiteStore, settings: Settings) -> None:
    report = Ingestor(store, settings).ingest_rows(
        [
            {
                "type": "share",
                "at": T0,
                "sharer": "a",
                "viewer": "b",
                "content_id": "c",
                "action": "view",
                "count": 3,
            },
            {"type": "order", "at": T0, "customer": "a", "order_id": "o", "amount": 1, "count": 2},
        ]
    )
    assert report.accepted == 3 and store.stats().orders == 0
    (row,) = quarantined(report)
    assert (row["field"], row["reason"]) == (
        "count",
        "unknown field (not part of the order schema)",
    )
