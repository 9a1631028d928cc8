"""Load the documented GDS examples as snapshots (test helper only)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph_engine import GraphSnapshot
from tests.conftest import DATASETS

EXAMPLES = DATASETS.parent / "gds_examples_dev.json"


def cases() -> dict[str, dict[str, Any]]:
    if not EXAMPLES.exists():
        pytest.skip(f"GDS examples not found at {EXAMPLES}")
    return {c["id"]: c for c in json.loads(EXAMPLES.read_text())}


def snapshot(
    case: dict[str, Any],
    weight: str | None = None,
    node_property: str | None = None,
    order: list[str] | None = None,
) -> GraphSnapshot:
    """The case's graph in its projection (NATURAL, REVERSE or UNDIRECTED)."""
    graph = case["graph"]
    names = order or [
        n["name"] for n in sorted(graph["nodes"], key=lambda n: n.get("creation_index", 0))
    ]
    rels = graph["relationships"]
    src = [r["source"] for r in rels]
    dst = [r["target"] for r in rels]
    weights = None
    if weight is not None:
        weights = [float(r["properties"].get(weight, 1.0)) for r in rels]
    props = {}
    if node_property is not None:
        by_name = {n["name"]: n["properties"] for n in graph["nodes"]}
        props[node_property] = [by_name[v].get(node_property, -1) for v in names]
    orientation = case["projection"]["orientation"]
    if orientation == "REVERSE":
        src, dst = dst, src
    return GraphSnapshot.from_edges(
        src,
        dst,
        weights=weights,
        node_ids=names,
        directed=orientation != "UNDIRECTED",
        node_properties=props,
    )
