"""The campaign loop end to end with planted truth: plan on the current run, simulate
the campaign (tagged events), ingest what happened, report planned against actual."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_engine.campaigns import campaign_report, plan_campaign, report_rows, simulate_campaign
from graph_engine.config import Settings
from graph_engine.errors import ConflictError, NotFoundError
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("campaign")
    generate(root / "d", SyntheticConfig(customers=2500, seed=9))
    db = root / "c.db"
    store = SQLiteStore(f"sqlite:///{db}", identity_salt="t")
    try:
        settings = Settings(identity_salt="t", quarantine_dir=root / "q")
        Ingestor(store, settings).ingest([Source(root / "d" / "events.jsonl", "jsonl")])
        compute(store, settings)
    finally:
        store.close()
    return db


def test_plan_simulate_ingest_report_matches_the_planted_truth(
    computed: Path, tmp_path: Path
) -> None:
    settings = Settings(identity_salt="t", quarantine_dir=tmp_path / "q")
    store = SQLiteStore(f"sqlite:///{computed}", identity_salt="t")
    try:
        with pytest.raises(NotFoundError, match="no plan"):
            campaign_report(store, "spring-launch", settings)
        plan = plan_campaign(
            store, "spring-launch", budget=5000, cost_field="audience", cost_rate=0.05,
            candidate_tiers=["kol", "koc"], seed=1, n_simulations=2000, settings=settings,
        )  # fmt: skip
        assert plan["run_id"] == store.current_run().run_id  # type: ignore[union-attr]
        assert plan["seeds"] and plan["total_cost"] <= 5000
        low, high = plan["predicted_revenue_ci95"]
        assert low <= plan["predicted_revenue"] <= high
        beyond = plan["reach"]["mean"] - len(plan["seeds"])
        assert plan["predicted_conversions"] == pytest.approx(beyond * plan["conversion_rate"])
        with pytest.raises(ConflictError):
            plan_campaign(store, "spring-launch", k=3, settings=settings)
        truth = simulate_campaign(store, "spring-launch", tmp_path / "run.jsonl", seed=4)
        # one run of the campaign lands where the forecast says runs land
        lo, hi = plan["reach"]["range95"]
        assert lo <= truth["reached"] <= hi
        assert truth["reached"] > len(plan["seeds"]) and truth["conversions"] > 0
        report = Ingestor(store, settings).ingest([Source(tmp_path / "run.jsonl", "jsonl")])
        assert report.rejected == 0 and report.accepted == truth["events"]
        result = campaign_report(store, "spring-launch", settings)
        actual = result.actual
        assert actual["reached"] == truth["reached"]
        assert actual["conversions"] == truth["conversions"]
        assert actual["revenue"] == pytest.approx(truth["revenue"], abs=0.01)
        per_seed = {r["seed"]: r for r in result.per_seed}
        for row in truth["per_seed"]:
            mine = per_seed[row["seed"]]
            assert (mine["reached"], mine["conversions"]) == (row["reached"], row["conversions"])
            assert mine["revenue"] == pytest.approx(row["revenue"], abs=0.01)
        assert "(organic)" not in per_seed  # every touch leads back to a seed
        cost = plan["total_cost"]
        assert actual["cost_per_acquisition"] == pytest.approx(cost / truth["conversions"])
        assert actual["roi"] == pytest.approx((truth["revenue"] - cost) / cost)
        assert result.planned["revenue"] == plan["predicted_revenue"]
        rows = report_rows(result)
        assert rows[-1]["seed"] == "TOTAL" and rows[-1]["reached"] == truth["reached"]
        assert sum(r["reached"] for r in rows[:-1]) == truth["reached"]
        # the referral part of the run feeds the campaign's K-factor
        assert actual["events"]["referrals"] > 0 and actual["k_factor"] >= 0
    finally:
        store.close()
