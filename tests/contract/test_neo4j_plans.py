"""Live Neo4j only: the plans of the statements on hot paths seek, they do not scan.

Found by the live server: a page of customers passed as ``UNWIND $pks`` was planned as a
scan of the whole pk index per listed pk (quadratic: 4,000,000 index rows for a
2,000-customer snapshot), ``scores/get`` (``GET /v1/customers/{id}``) as a scan of every
score of every kept run, ``scores/top`` (``GET /v1/influencers``) as a scan of every
``:Score`` node. Neither the static check nor the recording fake can see a plan.

Every statement the store runs while ingesting (twice: into an empty and into a populated
graph), computing and serving the API's reads is recorded with its real parameters, then
re-planned on the populated graph (``CYPHER replan=force EXPLAIN``); a statement may scan
only if it reads a whole label or log by design (listed below with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.store.cypher import statement
from graph_engine.store.neo4j import Neo4jStore
from tests.contract.conftest import _neo4j_store

pytestmark = pytest.mark.neo4j

SCANS = re.compile(
    r"^(AllNodesScan|NodeByLabelScan|NodeIndexScan|\w*RelationshipTypeScan|\w*AllRelationshipsScan"
    r"|NodeIndexContainsScan|NodeIndexEndsWithScan)"
)

#: statements that read a whole label or log by design
WHOLE_BY_DESIGN = {
    "admin/delete_all": "deletes everything",
    "read/stats": "counts every customer and relationship",
    "read/customer_pks": "pages through every customer (keyset on the pk index)",
    "read/referral_rows": "the whole referral log",
    "read/merges": "the whole merge log",
    "writeback/clear_stale": "every customer still carrying another run's scores",
    "runs/list": "every run (at most keep_runs + a few)",
    "runs/stale": "every run still marked running",
    "read/ingest_history": "every ingest report (one node per ingest run)",
}


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", ""))
    for child in plan.get("children", []):
        yield from _operators(child)


def test_hot_statements_seek_on_a_populated_graph(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    run_rows = Neo4jStore._rows

    def record(tx: Any, name: str, **params: Any) -> list[dict[str, Any]]:
        if all(v is not None for v in params.values()) or name not in seen:
            seen[name] = params  # prefer a call with every parameter set
        return run_rows(tx, name, **params)

    monkeypatch.setattr(Neo4jStore, "_rows", staticmethod(record))
    store = _neo4j_store(settings)
    try:
        generate(tmp_path / "d", SyntheticConfig(customers=1500, seed=5))
        lines = (tmp_path / "d" / "events.jsonl").read_text().splitlines(keepends=True)
        half = len(lines) // 2
        for i, part in enumerate((lines[:half], lines[half:])):
            path = tmp_path / f"part{i}.jsonl"
            path.write_text("".join(part))
            Ingestor(store, settings).ingest([Source(path, "jsonl")])
        compute(store, settings)
        top = store.top_scores(limit=5)
        store.top_scores(tier="kol", limit=50)
        store.top_scores(community_id=top[0].community_id, by="expected_reach", limit=50)
        store.scores(top[0].customer_id)
        store.customer(top[0].customer_id)
        store.score_history(top[0].customer_id)
        store.community_profiles()
        store.community_profiles(top[0].community_id)
        store.tier_summary()
        store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True)
        store.customer_features()
        # the explorer's reads
        members = [s.customer_id for s in store.top_scores(limit=200)]
        store.relationships(members)
        store.relationships(members[:3], among=False)
        store.customer_names(members)
        store.ingest_history()
        offenders = []
        with store._driver.session(database=store.settings.neo4j_database) as session:
            for name, params in sorted(seen.items()):
                if name in WHOLE_BY_DESIGN or name.startswith(("schema/", "keys/")):
                    continue
                for text in statement(name).texts:
                    summary = session.run(f"CYPHER replan=force EXPLAIN {text}", params).consume()
                    assert summary.plan is not None
                    scans = [f"{op} {d}" for op, d in _operators(summary.plan) if SCANS.match(op)]
                    if scans:
                        offenders.append(f"{name} {params}: {'; '.join(scans)}")
        assert len(seen) > 40, sorted(seen)
        assert not offenders, "statements that scan:\n" + "\n".join(offenders)
    finally:
        store.close()
