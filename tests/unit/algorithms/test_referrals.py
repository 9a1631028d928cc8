"""Referral trees, K-factor by generation, cycle time and projections."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from graph_engine.algorithms.reach import referral_stats
from graph_engine.config import Settings
from graph_engine.errors import ParameterError
from graph_engine.store import SQLiteStore
from tests.conftest import ingest

T = datetime(2026, 2, 1, 12, 0)


def h(hours: float) -> datetime:
    return T + timedelta(hours=hours)


def test_cycle_time_never_negative_when_the_invitation_predates_the_referrers_join() -> None:
    rows = [
        ("r", "a", "cny", h(10), True),  # a joins at 10 h
        ("a", "b", "cny", h(-5), True),  # a's invitation to b is logged 15 h before that
        ("a", "c", "cny", h(16), True),  # an ordinary one: 6 h after a joined
        ("a", "d", "cny", h(40), True),  # 30 h
    ]
    cny = referral_stats(rows)["cny"]
    assert cny.cycle_time_samples == 3 and cny.cycle_time_early_invites == 1
    # the clock starts at a's join: b counts as 0 h, so the median is 6 h (not -15 .. 30)
    assert cny.cycle_time_median_hours == pytest.approx(6.0)
    assert cny.to_dict()["cycle_time_early_invites"] == 1


def test_tree_generations_k_factor_and_cycle_time() -> None:
    rows = [
        # root r invites 4, 2 convert (a at 0 h, b at 1 h)
        ("r", "a", "cny", h(0), True),
        ("r", "b", "cny", h(1), True),
        ("r", "x", "cny", h(2), False),
        ("r", "y", "cny", h(3), False),
        # a (joined at 0 h) invites 2, both convert at 10 h and 30 h
        ("a", "c", "cny", h(10), True),
        ("a", "d", "cny", h(30), True),
        # b invites 1, no conversion
        ("b", "z", "cny", h(5), False),
        # c refers r back (converted): would close a cycle, not a tree edge
        ("c", "r", "cny", h(40), True),
        # an independent root in the same campaign
        ("s", "e", "cny", h(2), True),
        # another campaign
        ("r", "q", "mid-autumn", h(0), True),
    ]
    stats = referral_stats(rows, groups={"r": "kol", "a": "consumer", "b": "consumer"})
    assert set(stats) == {"cny", "mid-autumn"}
    cny = stats["cny"]
    assert cny.trees == 2 and cny.cycles_skipped == 1
    assert cny.users == 7  # r, a, b, c, d, s, e (r, invited back by c, counted once)
    assert cny.depth == 2 and cny.largest_tree == 5
    gen0, gen1, gen2 = cny.generations
    assert (gen0.members, gen0.referrers, gen0.invites, gen0.conversions) == (2, 2, 5, 3)
    assert gen0.k_factor == pytest.approx(3 / 2)
    assert gen0.conversion_rate == pytest.approx(3 / 5)
    assert (gen1.members, gen1.referrers, gen1.invites, gen1.conversions) == (3, 2, 3, 2)
    assert gen1.k_per_member == pytest.approx(2 / 3)
    assert (gen2.members, gen2.referrers, gen2.invites, gen2.conversions) == (2, 1, 1, 1)
    # a joined at 0 h; its referees converted at 10 h and 30 h: median 20 h
    assert cny.cycle_time_median_hours == pytest.approx(20.0)
    assert cny.cycle_time_samples == 2 and cny.cycle_time_early_invites == 0
    assert cny.by_group["kol"]["k_factor"] == pytest.approx(2.0)
    assert cny.by_group["consumer"]["invites"] == 3
    assert cny.by_group["unknown"]["referrers"] == 2  # c and s
    # projection: K per member of the last sending generation (gen 2: 1 / 2), cohort 2
    assert cny.project(0) == cny.users
    assert cny.project(2) == pytest.approx(cny.users + 2 * (0.5 + 0.25))
    assert cny.to_dict()["projected_users"]["1"] == pytest.approx(cny.users + 1)


def test_bad_rows_are_named() -> None:
    with pytest.raises(ParameterError, match=r"rows\[1\]"):
        referral_stats([("a", "b", "c", T, True), ("a", "b")])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="not a datetime"):
        referral_stats([("a", "b", "c", "2026-01-01", True)])  # type: ignore[list-item]


def test_store_referral_log_follows_merges(store: SQLiteStore, settings: Settings) -> None:
    rows = [
        {
            "type": "referral",
            "referrer": "u1",
            "referee": "u2",
            "campaign_id": "rp",
            "converted": True,
            "at": "2026-02-01T10:00:00+00:00",
        },
        {
            "type": "referral",
            "referrer": "u2",
            "referee": "u3",
            "campaign_id": "rp",
            "converted": True,
            "at": "2026-02-02T10:00:00+00:00",
        },
        {
            "type": "referral",
            "referrer": "u3",
            "referee": "u4",
            "campaign_id": "other",
            "at": "2026-02-03T10:00:00+00:00",
        },
    ]
    # u3 turns out to be u9 (one phone number): u9 is merged into u3, the older customer
    phone = "phone:+8613800000009"
    rows.append({"type": "referral", "referrer": "u9", "referee": "u5", "campaign_id": "rp",
                 "converted": True, "at": "2026-02-04T10:00:00+00:00"})  # fmt: skip
    rows.append({"type": "identity_link", "identities": ["external:u3", phone]})
    rows.append({"type": "identity_link", "identities": ["external:u9", phone]})
    report = ingest(store, settings, rows)
    assert report.merges == 1
    (merge,) = store.merges()
    assert (merge.survivor_id, merge.merged_id) == ("u3", "u9")
    log = store.referral_rows("rp")
    # the merged customer's referral now starts from the survivor
    assert [(a, b) for a, b, *_ in log] == [("u1", "u2"), ("u2", "u3"), ("u3", "u5")]
    assert log[0][3].tzinfo is not None
    stats = referral_stats(store.referral_rows())
    assert stats["rp"].depth == 3  # u1 -> u2 -> u3 (ex-u9) -> u5
    # each referrer invites 24 h (u2) and 48 h (u3, ex-u9) after being brought in
    assert stats["rp"].cycle_time_median_hours == pytest.approx(36.0)
    assert stats["other"].conversions == 0
