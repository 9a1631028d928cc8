"""Ingest events (DESIGN §4) and customer references.

Every event has ``event_id`` (idempotency key) and ``at`` (ISO 8601 timestamp; a
timestamp without a zone is taken as UTC). The field ``type`` selects the schema.

A customer *reference* is an identity key ``kind:value`` with ``kind`` one of
:data:`graph_engine.config.IDENTITY_KINDS`; a string without a colon is the brand's own
CRM id (``external:<string>``). Phone numbers and e-mail addresses are normalised and
replaced by a salted SHA-256 hash while validating, so the clear value is never stored.

Examples
--------
>>> ev = parse_event({"type": "follow", "event_id": "e1", "at": "2026-01-02T03:04:05Z",
...                   "follower": "wechat_openid:o1", "followee": "kol-7"})
>>> ev.follower, ev.followee, ev.action
('wechat_openid:o1', 'external:kol-7', 'follow')
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError

from graph_engine.config import IDENTITY_KINDS
from graph_engine.errors import EventValidationError

__all__ = [
    "EDGE_ENDS",
    "EVENT_TYPES",
    "CustomerEvent",
    "EngagementEvent",
    "Event",
    "FollowEvent",
    "IdentityLinkEvent",
    "OrderEvent",
    "ReferralEvent",
    "ShareEvent",
    "hash_identity_value",
    "parse_event",
    "parse_reference",
    "self_loop_error",
]

EVENT_TYPES: tuple[str, ...] = (
    "customer",
    "identity_link",
    "follow",
    "share",
    "referral",
    "order",
    "engagement",
)
_HASHED_KINDS = frozenset({"phone", "email"})
_PHONE_STRIP = re.compile(r"[\s\-().]")
_PHONE_OK = re.compile(r"^\+?\d{5,20}$")
_EMAIL_OK = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASH_OK = re.compile(r"^h[0-9a-f]{32}$")


def hash_identity_value(kind: str, value: str, salt: str) -> str:
    """Return the stored form of a phone number or e-mail: ``h`` + 32 hex digits.

    Parameters
    ----------
    kind : {"phone", "email"}
    value : str
        The clear value, already normalised.
    salt : str
        The database's identity salt.

    Examples
    --------
    >>> hash_identity_value("phone", "+8613800000000", "s3cret")[:9]
    'h5e627432'
    """
    digest = hashlib.sha256(f"{salt}\x1f{kind}\x1f{value}".encode()).hexdigest()
    return "h" + digest[:32]


def _normalise_phone(value: str) -> str:
    phone = _PHONE_STRIP.sub("", value)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not _PHONE_OK.match(phone):
        raise ValueError(f"{value!r} is not a phone number (5 to 20 digits, optional +)")
    if not phone.startswith("+") and len(phone) == 11 and phone.startswith("1"):
        phone = "+86" + phone  # mainland mobile numbers are written without country code
    return phone


def parse_reference(raw: object, salt: str | None = None) -> str:
    """Turn a customer reference into a canonical identity key ``kind:value``.

    Parameters
    ----------
    raw : str
        ``kind:value`` or a CRM id without a colon.
    salt : str, optional
        Identity salt; required for ``phone`` and ``email`` references (their clear
        value is replaced by a salted hash). A value that already is such a hash
        (``h`` + 32 hex digits) is kept.

    Returns
    -------
    str
        The identity key.

    Raises
    ------
    ValueError
        Empty reference, unknown kind, empty value, malformed phone or e-mail.

    Examples
    --------
    >>> parse_reference("crm-42")
    'external:crm-42'
    >>> parse_reference("weibo:1234")
    'weibo:1234'
    >>> parse_reference("tiktok:1")
    Traceback (most recent call last):
    ...
    ValueError: unknown identity kind 'tiktok' (known: wechat_openid, wechat_unionid, weibo, qq, phone, email, external; write 'external:' explicitly for CRM ids that contain a colon)
    """  # noqa: E501
    if not isinstance(raw, str):
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        else:
            raise ValueError(f"a customer reference must be a string, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise ValueError("empty customer reference")
    kind, sep, value = text.partition(":")
    if not sep:
        return "external:" + text
    if kind not in IDENTITY_KINDS:
        raise ValueError(
            f"unknown identity kind {kind!r} (known: {', '.join(IDENTITY_KINDS)}; "
            "write 'external:' explicitly for CRM ids that contain a colon)"
        )
    value = value.strip()
    if not value:
        raise ValueError(f"empty value for identity kind {kind!r}")
    if kind in _HASHED_KINDS:
        if _HASH_OK.match(value):
            return f"{kind}:{value}"
        if salt is None:
            raise ValueError(f"no identity salt given to hash a {kind} reference")
        if kind == "phone":
            value = _normalise_phone(value)
        else:
            value = value.lower()
            if not _EMAIL_OK.match(value):
                raise ValueError(f"{value!r} is not an e-mail address")
        value = hash_identity_value(kind, value, salt)
    return f"{kind}:{value}"


def _reference(value: object, info: ValidationInfo) -> str:
    salt = info.context.get("salt") if isinstance(info.context, dict) else None
    return parse_reference(value, salt)


Reference = Annotated[str, AfterValidator(_reference)]
Name = Annotated[str, Field(min_length=1, max_length=512)]


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    event_id: Annotated[str, Field(min_length=1, max_length=256)]
    at: datetime

    @field_validator("at", mode="before")
    @classmethod
    def _parse_at(cls, value: Any) -> datetime:
        if isinstance(value, datetime):
            return _utc(value)
        if isinstance(value, str):
            try:
                return _utc(datetime.fromisoformat(value.strip()))
            except ValueError:
                raise ValueError(
                    f"unparseable timestamp {value!r} (expected ISO 8601, "
                    "e.g. 2026-05-01T08:30:00+08:00)"
                ) from None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value) or not 0 <= value < 32503680000:
                raise ValueError(f"unparseable timestamp {value!r} (epoch seconds out of range)")
            return datetime.fromtimestamp(value, tz=UTC)
        raise ValueError(f"unparseable timestamp {value!r} (expected ISO 8601 string)")


class CustomerEvent(_Event):
    """A customer's profile (last one by ``at`` wins; tags and counts are replaced)."""

    type: Literal["customer"] = "customer"
    customer: Reference
    name: Name | None = None
    is_employee: bool | None = None
    employee_of: Name | None = None
    external_followers: dict[Name, Annotated[int, Field(ge=0)]] | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=128)]] | None = None
    region: Name | None = None


class IdentityLinkEvent(_Event):
    """Two or more references that are the same person."""

    type: Literal["identity_link"] = "identity_link"
    identities: Annotated[list[Reference], Field(min_length=2, max_length=64)]

    @field_validator("identities")
    @classmethod
    def _distinct_keys(cls, keys: list[str]) -> list[str]:
        unique = list(dict.fromkeys(keys))
        if len(unique) < 2:
            raise ValueError("an identity link needs at least 2 distinct identities")
        return unique


class FollowEvent(_Event):
    """``follower`` starts (or, with ``action="unfollow"``, stops) following ``followee``."""

    type: Literal["follow"] = "follow"
    follower: Reference
    followee: Reference
    action: Literal["follow", "unfollow"] = "follow"
    channel: Name | None = None


class ShareEvent(_Event):
    """Content shared by ``sharer`` was viewed, clicked or converted on by ``viewer``."""

    type: Literal["share"] = "share"
    sharer: Reference
    viewer: Reference
    content_id: Name
    action: Literal["view", "click", "convert"]
    channel: Name | None = None
    campaign_id: Name | None = None


class ReferralEvent(_Event):
    """``referrer`` brought ``referee`` (e.g. a red-packet referral)."""

    type: Literal["referral"] = "referral"
    referrer: Reference
    referee: Reference
    campaign_id: Name | None = None
    converted: bool = False
    order_id: Name | None = None
    reward: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class OrderEvent(_Event):
    """An order (revenue) of ``customer``."""

    type: Literal["order"] = "order"
    customer: Reference
    order_id: Name
    amount: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    campaign_id: Name | None = None


class EngagementEvent(_Event):
    """A marketing interaction (participation) of ``customer``."""

    type: Literal["engagement"] = "engagement"
    customer: Reference
    kind: Literal["like", "comment", "reply", "checkin", "survey", "other"]
    content_id: Name | None = None


Event = Annotated[
    CustomerEvent
    | IdentityLinkEvent
    | FollowEvent
    | ShareEvent
    | ReferralEvent
    | OrderEvent
    | EngagementEvent,
    Field(discriminator="type"),
]
_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
#: Two-ended events: type -> (first end, second end, what a loop is called).
EDGE_ENDS: dict[str, tuple[str, str, str]] = {
    "follow": ("follower", "followee", "self-follow"),
    "share": ("sharer", "viewer", "self-share"),
    "referral": ("referrer", "referee", "self-referral"),
}

_REASONS = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (not part of the {type} schema)",
    "greater_than_equal": "must be >= {ge}",
    "literal_error": "must be one of {expected}",
    "string_too_short": "must not be empty",
    "too_short": "needs at least {min_length} items",
    "too_long": "has more than {max_length} items",
    "string_too_long": "is longer than {max_length} characters",
    "finite_number": "must be a finite number",
}


def parse_event(
    row: dict[str, Any],
    *,
    salt: str | None = None,
    source: str | None = None,
    line: int | None = None,
) -> Event:
    """Validate one row as an event.

    Parameters
    ----------
    row : dict
        The row, with a ``type`` field.
    salt : str, optional
        Identity salt for phone / e-mail references.
    source, line : optional
        Where the row came from, quoted in errors.

    Returns
    -------
    Event
        One of the event models.

    Raises
    ------
    EventValidationError
        Naming the first bad field, its value and the reason.
    """
    kind = row.get("type")
    if kind not in EVENT_TYPES:
        reason = (
            "required field is missing"
            if kind is None
            else f"unknown event type (known: {', '.join(EVENT_TYPES)})"
        )
        raise EventValidationError("type", kind, reason, source=source, line=line)
    try:
        event = _EVENT_ADAPTER.validate_python(row, context={"salt": salt})
    except PydanticValidationError as exc:
        raise _to_event_error(exc, row, str(kind), source, line) from None
    ends = EDGE_ENDS.get(event.type)
    if ends is not None and getattr(event, ends[0]) == getattr(event, ends[1]):
        raise self_loop_error(event.type, getattr(event, ends[0]), row.get(ends[1]), source, line)
    return event


def self_loop_error(
    event_type: str, key: str, value: Any, source: str | None, line: int | None
) -> EventValidationError:
    """The rejection of a two-ended event whose two ends are the same identity ``key``."""
    return EventValidationError(
        EDGE_ENDS[event_type][1], value, self_loop_reason(event_type, key), source=source, line=line
    )


def self_loop_reason(event_type: str, key: str) -> str:
    """Why a two-ended event whose ends are the same identity ``key`` is rejected."""
    first, second, what = EDGE_ENDS[event_type]
    return f"{what}: {second} is the same identity as {first} ({key})"


def _to_event_error(
    exc: PydanticValidationError,
    row: dict[str, Any],
    kind: str,
    source: str | None,
    line: int | None,
) -> EventValidationError:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"] if str(p) != kind]
    field = ".".join(loc) if loc else "$"
    value: Any = row.get(loc[0]) if loc else None
    if len(loc) > 1 and isinstance(value, dict | list):
        value = err.get("input", value)
    template = _REASONS.get(err["type"])
    if template is not None:
        ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
        reason = template.format(type=kind, **ctx)
    else:
        reason = err["msg"].removeprefix("Value error, ")
    return EventValidationError(field, value, reason, source=source, line=line)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int | float | str) else str(value)
