"""What both stores share: snapshot assembly, time windows, score records, validation.

Kept here so the SQLite and Neo4j stores cannot drift apart on how a snapshot is laid
out or how a read is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graph_engine.errors import AuthenticationError, ParameterError
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store.base import RELATIONSHIP_TYPES, SCORE_FIELDS, ScoreRecord

__all__ = [
    "NEO4J_SCHEMES",
    "REL_CODE",
    "assemble",
    "check_relationships",
    "check_top_args",
    "now_iso",
    "score_record",
    "secret_hash",
    "verify_secret",
    "window_bounds",
]

#: URL schemes of the Neo4j store.
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
REL_CODE: dict[str, int] = {name: code for code, name in enumerate(RELATIONSHIP_TYPES)}


def now_iso() -> str:
    """The current UTC time as stored (ISO 8601, microseconds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def secret_hash(secret: str) -> str:
    """SHA-256 of an API key's secret (what the stores keep)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(presented: str, stored: Callable[[str], tuple[str, str | None] | None]) -> str:
    """The key id of a presented ``ge_<key id>_<secret>`` if it is valid and not revoked.

    ``stored(key_id)`` gives ``(secret hash, revoked_at)`` or None. The hash is compared
    in constant time, and unknown keys cost the same work as known ones.

    Raises
    ------
    AuthenticationError
        Malformed, unknown or revoked key (one message for all, no oracle).
    """
    parts = presented.split("_", 2) if presented else []
    refused = AuthenticationError("invalid or revoked API key")
    if len(parts) != 3 or parts[0] != "ge":
        raise refused
    row = stored(parts[1])
    expected = row[0] if row is not None else secret_hash("no such key")
    if not hmac.compare_digest(expected, secret_hash(parts[2])) or row is None or row[1]:
        raise refused
    return parts[1]


def check_relationships(relationships: Any) -> list[str]:
    """Distinct relationship types asked for, in order; unknown ones are refused."""
    rels = list(dict.fromkeys(relationships))
    for rel in rels:
        if rel not in REL_CODE:
            raise ParameterError(
                f"relationships: unknown type {rel!r} (known: {', '.join(RELATIONSHIP_TYPES)})"
            )
    return rels


def window_bounds(since: datetime | None, until: datetime | None) -> dict[str, str | None]:
    """``since`` / ``until`` in the stored ISO form (naive times are UTC; None: open)."""
    out: dict[str, str | None] = {}
    for name, value in (("since", since), ("until", until)):
        if value is None:
            out[name] = None
            continue
        if not isinstance(value, datetime):
            raise ParameterError(f"{name} must be a datetime, got {value!r}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        out[name] = value.astimezone(UTC).isoformat(timespec="microseconds")
    return out


def check_top_args(
    by: str, limit: int, offset: int, community_id: int | None, min_audience: int | None
) -> None:
    """Validate the arguments of ``top_scores`` the same way in every store."""
    if by not in SCORE_FIELDS:
        raise ParameterError(f"by: unknown score {by!r} (known: {', '.join(SCORE_FIELDS)})")
    if limit < 0 or offset < 0:
        raise ParameterError(f"limit and offset must be >= 0, got {limit}, {offset}")
    for name, bound in (
        ("community_id", community_id),
        ("min_audience", min_audience),
        ("limit", limit),
        ("offset", offset),
    ):
        if bound is not None and not -(2**63) <= bound < 2**63:
            raise ParameterError(f"{name} = {bound} is out of range")


def score_record(row: Mapping[str, Any]) -> ScoreRecord:
    """A :class:`ScoreRecord` from a mapping of its fields (``details`` as JSON text or
    already a dict).

    Nullable fields may be absent (a Neo4j ``s {.*}`` projection leaves out null
    properties).
    """
    return ScoreRecord(
        customer_id=row["customer_id"],
        run_id=row["run_id"],
        tier=row["tier"],
        tier_level=row.get("tier_level"),
        tier_reason=row["tier_reason"],
        community_id=row.get("community_id"),
        social_value=row["social_value"],
        influence=row["influence"],
        expected_reach=row["expected_reach"],
        audience=row["audience"],
        participation=row["participation"],
        revenue=row["revenue"],
        bridge=row["bridge"],
        conversions=row["conversions"],
        details=row["details"] if isinstance(row["details"], dict) else json.loads(row["details"]),
    )


def assemble(
    parts: list[tuple[str, np.ndarray]],
    position: np.ndarray,
    ids: list[str],
    influence: bool,
    actions: np.ndarray,
) -> GraphSnapshot:
    """Build a snapshot from ``(relationship, rows)`` parts of store-local node numbers.

    ``rows`` columns: source, target, then per type: SHARED_TO ``shares, views, clicks,
    conversions, acted``; REFERRED ``converted``. ``position`` maps a store number to
    the node's index in ``ids``. With ``influence``, FOLLOWS is reversed. ``actions``
    becomes the node property of that name.
    """
    srcs, dsts = [], []
    props: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "relationship",
            "shares",
            "views",
            "clicks",
            "conversions",
            "acted",
            "invites",
            "converted",
        )
    }
    for rel, rows in parts:
        s, d = position[rows[:, 0]], position[rows[:, 1]]
        if influence and rel == "FOLLOWS":
            s, d = d, s
        srcs.append(s)
        dsts.append(d)
        count = rows.shape[0]
        props["relationship"].append(np.full(count, REL_CODE[rel], dtype=np.int8))
        for j, name in enumerate(("shares", "views", "clicks", "conversions", "acted"), start=2):
            props[name].append(rows[:, j] if rel == "SHARED_TO" else np.zeros(count, np.int64))
        props["invites"].append(
            np.ones(count, np.int64) if rel == "REFERRED" else np.zeros(count, np.int64)
        )
        props["converted"].append(
            rows[:, 2].astype(bool) if rel == "REFERRED" else np.zeros(count, bool)
        )
    empty = np.zeros(0, dtype=np.int64)
    g = GraphSnapshot.from_index_edges(
        np.concatenate(srcs) if srcs else empty,
        np.concatenate(dsts) if dsts else empty,
        ids,
        edge_properties={
            k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in props.items()
        },
    )
    return GraphSnapshot(
        g.indptr, g.indices, g.weights, g.ids, g.directed, g.edge_properties, {"actions": actions}
    )
