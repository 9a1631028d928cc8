"""Live Neo4j only (marked ``neo4j``; the server of ``scripts/neo4j``, run in CI): the same
events give the same scores in Neo4j as in SQLite, the write-back lands on the nodes with
the tier labels, and each analyst example in ``cypher/examples/`` returns exactly what an
independent computation over the SQLite store's graph says it should.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict, deque
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore
from graph_engine.store.neo4j import Neo4jStore
from tests.contract.conftest import _neo4j_store

pytestmark = pytest.mark.neo4j


@dataclasses.dataclass
class Pair:
    lite: SQLiteStore
    neo: Neo4jStore


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The same synthetic events in both stores, computed in both."""
    tmp = tmp_path_factory.mktemp("live")
    settings = Settings(identity_salt="test-salt", quarantine_dir=tmp / "q", ingest_batch_size=1000)
    neo = _neo4j_store(settings)
    assert isinstance(neo, Neo4jStore)
    generate(tmp / "data", SyntheticConfig(customers=1500, seed=3))
    source = [Source(tmp / "data" / "events.jsonl", "jsonl")]
    lite = SQLiteStore(f"sqlite:///{tmp / 'g.db'}", identity_salt="test-salt")
    for store in (lite, neo):
        Ingestor(store, settings).ingest(source)
        compute(store, settings, engine="python")
    yield Pair(lite, neo)
    lite.close()
    neo.close()


def _edges(store: SQLiteStore, relationship: str) -> list[tuple[str, str]]:
    g = store.snapshot((relationship,))  # type: ignore[arg-type]
    src = np.repeat(np.arange(g.n), np.diff(g.indptr))
    return [(g.ids[s], g.ids[t]) for s, t in zip(src.tolist(), g.indices.tolist(), strict=True)]


def test_same_stats_merge_log_and_identical_scores(pair: Pair) -> None:
    assert pair.neo.stats() == pair.lite.stats()

    # Neo4j applies merges in waves: the log must read as if one at a time, in order
    def log(store: SQLiteStore | Neo4jStore) -> list[tuple[object, ...]]:
        return [
            # (not the reason: it names hashed keys, and each store keeps its own salt)
            (m.survivor_id, m.merged_id, m.event_id, m.edges_repointed, m.self_loops_dropped)
            for m in store.merges()
        ]  # fmt: skip

    merges = log(pair.lite)
    assert len(merges) > 50, "the synthetic data merges identities"
    assert log(pair.neo) == merges
    got = {s.customer_id: s for s in pair.neo.run_scores()}
    want = {s.customer_id: s for s in pair.lite.run_scores()}
    assert got.keys() == want.keys()
    for cid, s in want.items():
        n = got[cid]
        assert (n.tier, n.tier_level, n.tier_reason, n.community_id, n.conversions) == (
            s.tier,
            s.tier_level,
            s.tier_reason,
            s.community_id,
            s.conversions,
        ), cid
        assert n.audience == s.audience
        # the same graph and the same order-independent sums: equal to the last bits
        for field in ("revenue", "participation", "bridge"):
            assert getattr(n, field) == getattr(s, field), (cid, field)
        # social value in money includes the reach part, which follows expected reach
        for field in ("influence", "expected_reach", "social_value"):
            assert getattr(n, field) == pytest.approx(getattr(s, field), rel=1e-12), cid
        for part, amount in s.details["value_components"].items():
            assert n.details["value_components"][part] == pytest.approx(amount, rel=1e-12)


def test_write_back_labels_and_top_kols_in_community(pair: Pair) -> None:
    scores = list(pair.lite.run_scores())
    kols = [s for s in scores if s.tier == "kol"]
    assert kols, "the synthetic data plants KOLs"
    by_label = {
        label: {r["id"] for r in pair.neo._query("examples/customers_with_label", label=label)}
        for label in ("KOL", "KOC", "Employee")
    }
    assert by_label["KOL"] == {s.customer_id for s in kols}
    assert by_label["KOC"] == {s.customer_id for s in scores if s.tier == "koc"}
    assert by_label["Employee"] == {s.customer_id for s in scores if s.tier == "employee"}
    community = max(
        {s.community_id for s in kols}, key=lambda c: sum(k.community_id == c for k in kols)
    )
    rows = pair.neo._query("examples/top_kols_in_community", community_id=community, limit=1000)
    expected = sorted(
        (s for s in kols if s.community_id == community),
        key=lambda s: (-s.social_value, s.customer_id),
    )
    assert [r["customer"] for r in rows] == [s.customer_id for s in expected]


def test_referral_tree_is_the_six_generation_descendants(pair: Pair) -> None:
    children: dict[str, set[str]] = defaultdict(set)
    for referrer, referee, *_ in pair.lite.referral_rows():
        children[referrer].add(referee)

    # the referrer with the deepest tree
    def bfs(root: str) -> dict[str, int]:
        depth: dict[str, int] = {}
        queue = deque([(root, 0)])
        while queue:
            node, d = queue.popleft()
            if d == 6:
                continue
            for child in children[node]:
                if child not in depth:
                    depth[child] = d + 1
                    queue.append((child, d + 1))
        return depth

    root = max(sorted(children), key=lambda r: (max(bfs(r).values()), len(bfs(r))))
    want = bfs(root)
    assert max(want.values()) >= 2, "the synthetic data has multi-generation referrals"
    tree = pair.neo._query("examples/referral_tree", customer_id=root, campaign=None)
    first: dict[str, int] = {}
    for r in tree:
        first[r["customer"]] = min(first.get(r["customer"], 99), r["generation"])
        assert r["chain"][0] == root and r["chain"][-1] == r["customer"]
        assert len(r["chain"]) == r["generation"] + 1
    assert first == want
    generations = [r["generation"] for r in tree]
    assert generations == sorted(generations)


def test_bridges_between_communities(pair: Pair) -> None:
    scores = {s.customer_id: s for s in pair.lite.run_scores()}
    community = {cid: s.community_id for cid, s in scores.items()}
    follows = _edges(pair.lite, "FOLLOWS")
    links = follows + _edges(pair.lite, "SHARED_TO") + _edges(pair.lite, "REFERRED")
    cross: dict[tuple[int, int], int] = defaultdict(int)
    for u, v in links:
        cu, cv = community[u], community[v]
        if cu is not None and cv is not None and cu != cv:
            cross[(min(cu, cv), max(cu, cv))] += 1
    a, b = max(sorted(cross), key=lambda k: cross[k])
    contacts: dict[str, set[str]] = defaultdict(set)
    for u, v in links:
        if {community[u], community[v]} == {a, b}:
            contacts[u].add(v)
            contacts[v].add(u)
    want = sorted(contacts, key=lambda x: (-len(contacts[x]), -scores[x].bridge, x))
    rows = pair.neo._query(
        "examples/bridges_between_communities", community_a=a, community_b=b, limit=len(want) + 5
    )
    assert [r["customer"] for r in rows] == want
    assert [r["contacts"] for r in rows] == [len(contacts[x]) for x in want]
    assert all(r["community"] in (a, b) for r in rows)


def test_two_hops_from_kol_not_buyers(pair: Pair) -> None:
    followers: dict[str, set[str]] = defaultdict(set)
    for u, v in _edges(pair.lite, "FOLLOWS"):
        followers[v].add(u)
    kols = [s.customer_id for s in pair.lite.run_scores() if s.tier == "kol"]
    orders: dict[str, int] = {}

    def order_count(cid: str) -> int:
        if cid not in orders:
            orders[cid] = pair.lite.customer(cid).order_count
        return orders[cid]

    def expected(k: str) -> list[tuple[str, int]]:
        warmth: dict[str, set[str]] = defaultdict(set)
        for middle in followers[k]:
            for p in followers[middle]:
                if p != k and p not in followers[k] and order_count(p) == 0:
                    warmth[p].add(middle)
        return sorted(((p, len(m)) for p, m in warmth.items()), key=lambda t: (-t[1], t[0]))

    kol = max(sorted(kols), key=lambda k: len(followers[k]))
    want = expected(kol)
    assert want, "the busiest KOL has prospects two hops away"
    rows: list[dict[str, Any]] = pair.neo._query(
        "examples/two_hops_from_kol_not_buyers", kol_id=kol, limit=len(want) + 5
    )
    assert [(r["prospect"], r["warmth"]) for r in rows] == want
