"""Event schemas: every rejection reason, with its message text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graph_engine.errors import EventValidationError
from graph_engine.model import (
    FollowEvent,
    OrderEvent,
    hash_identity_value,
    parse_event,
    parse_reference,
)

BASE = {"event_id": "e1", "at": "2026-03-01T10:00:00+08:00"}


def reject(row: dict[str, Any]) -> EventValidationError:
    with pytest.raises(EventValidationError) as info:
        parse_event({**BASE, **row}, salt="s", source="f.jsonl", line=7)
    return info.value


def test_valid_follow_normalises_references_and_time() -> None:
    ev = parse_event({**BASE, "type": "follow", "follower": " crm-1 ", "followee": "weibo:99"})
    assert isinstance(ev, FollowEvent)
    assert (ev.follower, ev.followee, ev.action) == ("external:crm-1", "weibo:99", "follow")
    assert ev.at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def test_naive_time_is_utc_and_epoch_seconds_accepted() -> None:
    a = parse_event(
        {**BASE, "at": "2026-03-01T02:00:00", "type": "engagement", "customer": "x", "kind": "like"}
    )
    b = parse_event(
        {**BASE, "at": 1772330400, "type": "engagement", "customer": "x", "kind": "like"}
    )
    assert a.at == b.at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def test_phone_and_email_are_hashed_with_the_salt() -> None:
    ev = parse_event(
        {**BASE, "type": "order", "customer": "phone:138-0013-8000", "order_id": "o1", "amount": 5},
        salt="s",
    )
    assert isinstance(ev, OrderEvent)
    assert ev.customer == "phone:" + hash_identity_value("phone", "+8613800138000", "s")
    assert "13800138000" not in ev.customer
    same = parse_reference("phone:+86 138 0013 8000", "s")
    assert same == ev.customer
    assert parse_reference("email:Ann@Example.com", "s") == parse_reference(
        "email:ann@example.com", "s"
    )
    assert parse_reference("phone:13800138000", "other") != ev.customer


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (
            {"type": "follow", "follower": "a", "followee": "a"},
            "followee",
            "self-follow: followee is the same identity as follower (external:a)",
        ),
        (
            {"type": "share", "sharer": "a", "viewer": "a", "content_id": "c", "action": "view"},
            "viewer",
            "self-share: viewer is the same identity as sharer (external:a)",
        ),
        (
            {"type": "referral", "referrer": "qq:1", "referee": "qq:1"},
            "referee",
            "self-referral: referee is the same identity as referrer (qq:1)",
        ),
        (
            {"type": "order", "customer": "a", "order_id": "o", "amount": -3},
            "amount",
            "must be >= 0",
        ),
        (
            {"type": "order", "customer": "a", "order_id": "o", "amount": "NaN"},
            "amount",
            "must be a finite number",
        ),
        (
            {"type": "follow", "follower": "a", "followee": "b", "at": "31/02/2026"},
            "at",
            "unparseable timestamp '31/02/2026' (expected ISO 8601, "
            "e.g. 2026-05-01T08:30:00+08:00)",
        ),
        (
            {"type": "purchase", "customer": "a"},
            "type",
            "unknown event type (known: customer, identity_link, follow, share, referral, order, "
            "engagement)",
        ),
        ({"customer": "a"}, "type", "required field is missing"),
        (
            {"type": "engagement", "customer": "tiktok:9", "kind": "like"},
            "customer",
            "unknown identity kind 'tiktok' (known: wechat_openid, wechat_unionid, weibo, qq, "
            "phone, email, external; write 'external:' explicitly for CRM ids that contain a "
            "colon)",
        ),
        (
            {"type": "engagement", "customer": "weibo:", "kind": "like"},
            "customer",
            "empty value for identity kind 'weibo'",
        ),
        (
            {"type": "share", "sharer": "a", "viewer": "b", "action": "view"},
            "content_id",
            "required field is missing",
        ),
        (
            {"type": "share", "sharer": "a", "viewer": "b", "content_id": "c", "action": "like"},
            "action",
            "must be one of 'view', 'click' or 'convert'",
        ),
        (
            {"type": "engagement", "customer": "a", "kind": "like", "colour": "red"},
            "colour",
            "unknown field (not part of the engagement schema)",
        ),
        (
            {"type": "identity_link", "identities": ["a", "external:a"]},
            "identities",
            "an identity link needs at least 2 distinct identities",
        ),
        (
            {"type": "customer", "customer": "a", "external_followers": {"weibo": -1}},
            "external_followers.weibo",
            "must be >= 0",
        ),
        (
            {"type": "order", "customer": "phone:12ab", "order_id": "o", "amount": 1},
            "customer",
            "'12ab' is not a phone number (5 to 20 digits, optional +)",
        ),
        (
            {"type": "order", "customer": "email:nobody", "order_id": "o", "amount": 1},
            "customer",
            "'nobody' is not an e-mail address",
        ),
        (
            {"type": "order", "customer": "a", "order_id": "o", "amount": 1, "currency": "rmb"},
            "currency",
            "String should match pattern '^[A-Z]{3}$'",
        ),
    ],
)
def test_rejections_name_field_value_reason_and_place(
    row: dict[str, Any], field: str, reason: str
) -> None:
    err = reject(row)
    assert err.field == field
    assert err.reason == reason
    assert (err.source, err.line) == ("f.jsonl", 7)
    assert f"field {field!r}" in str(err) and "(f.jsonl, line 7)" in str(err)


def test_rejection_keeps_the_bad_value() -> None:
    err = reject({"type": "order", "customer": "a", "order_id": "o", "amount": -3})
    assert err.value == -3


def test_reference_rules() -> None:
    assert parse_reference(42) == "external:42"
    assert parse_reference("external:a:b") == "external:a:b"
    with pytest.raises(ValueError, match="empty customer reference"):
        parse_reference("  ")
    with pytest.raises(ValueError, match="no identity salt"):
        parse_reference("phone:13800138000")
    with pytest.raises(ValueError, match="must be a string"):
        parse_reference(["a"])
