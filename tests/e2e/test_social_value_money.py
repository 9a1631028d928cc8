"""The founding example of social CRM, end to end: ingested, computed, published.

A customer who spent ¥1,000 and has 300,000 Weibo followers is worth more than one who
spent ¥10,000 and has 300, on a small store and on a synthetic store of thousands; the
breakdown adds up to the value; with influence priced at nothing the order reverses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.scoring.money import PARTS, explain_details
from graph_engine.store import SQLiteStore
from tests.conftest import ingest

T0 = "2026-04-01T00:00:00Z"


def _pair() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"type": "customer", "customer": "star", "external_followers": {"weibo": 300_000}},
        {"type": "customer", "customer": "whale", "external_followers": {"weibo": 300}},
        {"type": "order", "customer": "star", "order_id": "s1", "amount": 1000},
        {"type": "order", "customer": "whale", "order_id": "w1", "amount": 10_000},
    ]
    # a small world around them: followers, buyers (so the store has an AOV and a rate)
    for i in range(30):
        rows.append(
            {"type": "follow", "follower": f"fan{i}", "followee": "star" if i % 2 else "whale"}
        )
        if i % 3 == 0:
            rows.append(
                {"type": "order", "customer": f"fan{i}", "order_id": f"f{i}", "amount": 200}
            )
    return [{**r, "at": T0} for r in rows]


def _check(store: SQLiteStore) -> tuple[float, float]:
    star, whale = store.scores("star"), store.scores("whale")
    for s in (star, whale):
        parts = s.details["value_components"]
        assert set(parts) == set(PARTS)
        assert sum(parts.values()) == pytest.approx(s.social_value, rel=1e-9)
        assert 0 <= s.details["social_value_rank"] <= 1
    run = store.current_run()
    assert run is not None
    lines = explain_details(star.details, run.config, run.summary)
    assert lines is not None and any("300k weibo followers" in line for line in lines)
    return star.social_value, whale.social_value


def test_on_a_small_store(tmp_path: Path, settings: Settings) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path / 's.db'}", identity_salt="t")
    try:
        ingest(store, settings, _pair())
        compute(store, settings)
        star, whale = _check(store)
        assert star > whale
        rules = tmp_path / "tiers.toml"
        rules.write_text("[value.weights]\ninfluence = 0\n")
        compute(store, settings.model_copy(update={"tier_rules_file": rules}))
        star, whale = _check(store)
        assert whale > star  # revenue and participation alone
        assert store.current_run().config["value_model"]["weights"]["influence"] == 0  # type: ignore[union-attr]
    finally:
        store.close()


def test_on_a_synthetic_store_of_thousands(tmp_path: Path, settings: Settings) -> None:
    generate(tmp_path / "d", SyntheticConfig(customers=3000, seed=3))
    store = SQLiteStore(f"sqlite:///{tmp_path / 'l.db'}", identity_salt="t")
    try:
        Ingestor(store, settings).ingest([Source(tmp_path / "d" / "events.jsonl", "jsonl")])
        ingest(store, settings, _pair())
        compute(store, settings)
        star, whale = _check(store)
        assert star > whale
        values = [s.social_value for s in store.run_scores()]
        assert len(values) > 3000 and min(values) >= 0
        rules = tmp_path / "tiers.toml"
        rules.write_text("[value.weights]\ninfluence = 0\n")
        compute(store, settings.model_copy(update={"tier_rules_file": rules}))
        star, whale = _check(store)
        assert whale > star
    finally:
        store.close()
