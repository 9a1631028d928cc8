"""compute end to end on synthetic data: what was planted is recovered, runs are atomic,
and the analyst commands answer from the published run."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph_engine.config import Settings
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import STAGES, compute
from graph_engine.store import SQLiteStore
from tests.e2e.test_cli import as_json, cli
from tests.partitions import nmi

SALT = "pipeline-test-salt"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("pipeline")
    out = root / "data"
    generate(out, SyntheticConfig(customers=4000, seed=5))
    db = root / "base.db"
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    try:
        Ingestor(store, Settings(identity_salt=SALT, quarantine_dir=root / "q")).ingest(
            [Source(out / "events.jsonl", "jsonl")]
        )
    finally:
        store.close()
    return db, json.loads((out / "ground_truth.json").read_text())


def copy(db: Path, to: Path) -> Path:
    target = to / "graph.db"
    shutil.copy(db, target)
    return target


def test_compute_recovers_what_was_planted(
    synthetic: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db, truth = synthetic
    store = SQLiteStore(f"sqlite:///{copy(db, tmp_path)}", identity_salt=SALT)
    seen: list[str] = []
    try:
        run = compute(store, Settings(identity_salt=SALT), progress=lambda s, f: seen.append(s))
        canon = {p: store.customer(keys[0]).id for p, keys in truth["person_keys"].items()}
        scores = {s.customer_id: s for s in store.run_scores()}
        # every stage reported, in order
        assert list(dict.fromkeys(seen)) == list(STAGES)
        assert set(run.timings) == set(STAGES) - {"publish"}
        # planted communities: Leiden recovers them (NMI measured 0.95+ at 4k-20k)
        ids = sorted(canon[p] for p in truth["communities"])
        planted = [truth["communities"][p] for p in sorted(truth["communities"], key=canon.get)]
        found = [scores[i].community_id for i in ids]
        assert nmi(planted, found) > 0.85
        # planted KOLs are KOLs (or KOCs), staff are employees
        kols = [canon[p] for p in truth["kols"]]
        assert sum(scores[k].tier in ("kol", "koc") for k in kols) >= 0.95 * len(kols)
        staff = [canon[p] for p in truth["employees"]]
        assert all(scores[s].tier == "employee" for s in staff)
        assert run.summary["tiers"]["koc"] > 0
        # every score has its reason and breakdown
        sample = scores[kols[0]]
        assert "KOL" in sample.tier_reason or "KOC" in sample.tier_reason
        parts = sample.details["value_components"]
        assert set(parts) == {"own", "referral", "shares", "reach", "audience", "participation"}
        assert sum(parts.values()) == pytest.approx(sample.social_value)
        assert set(sample.details["rank_components"]) == {"revenue", "participation", "influence"}
        # a second run on the same data keeps every community id
        again = compute(store, Settings(identity_salt=SALT))
        stability = again.summary["community_stability"]
        assert stability["moved"] == 0 and stability["new"] == 0
        assert stability["matched"] == run.summary["communities"]
        assert len(store.score_history(kols[0])) == 2
    finally:
        store.close()


KILLER = """
import os, signal, sys
from graph_engine.config import Settings
from graph_engine.pipeline import compute
from graph_engine.store import SQLiteStore

store = SQLiteStore(f"sqlite:///{sys.argv[1]}", identity_salt=sys.argv[2])
def die(*args, **kwargs):
    # every score of the new run is written (committed, unpublished): die right here
    os.kill(os.getpid(), signal.SIGKILL)
store.write_communities = die
compute(store, Settings(identity_salt=sys.argv[2]))
"""


def test_killing_compute_midway_leaves_the_previous_run_serving(
    synthetic: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db = copy(synthetic[0], tmp_path)
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    first = compute(store, Settings(identity_salt=SALT))
    before = [s.to_dict() for s in store.top_scores(limit=50)]
    store.close()
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(db), SALT], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == -9, proc.stderr
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    try:
        assert store.current_run().run_id == first.run_id  # type: ignore[union-attr]
        assert [s.to_dict() for s in store.top_scores(limit=50)] == before
        dead = store.runs()[0]
        assert dead.status == "running" and dead.run_id != first.run_id
        # the next compute marks it abandoned, drops its rows and publishes
        third = compute(store, Settings(identity_salt=SALT))
        statuses = {r.run_id: r.status for r in store.runs()}
        assert statuses[dead.run_id] == "abandoned"
        assert statuses[third.run_id] == "complete"
        tables = store._db.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = ?", (f"scores_{dead.seq}",)
        ).fetchone()[0]
        assert tables == 0
    finally:
        store.close()


def test_analyst_commands(synthetic: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    db = str(copy(synthetic[0], tmp_path))
    env = {**os.environ, "GRAPH_ENGINE_IDENTITY_SALT": SALT}
    run = as_json(cli("compute", "--db", db, "--json", env=env))
    assert run["status"] == "complete"
    runs = as_json(cli("runs", "--db", db, "--json", env=env))
    assert runs["current"] == run["run_id"] and runs["count"] == 1
    kols = as_json(
        cli(
            "top",
            "--db",
            db,
            "--tier",
            "kol",
            "--by",
            "audience",
            "--limit",
            "5",
            "--json",
            env=env,
        )
    )["data"]
    assert len(kols) == 5 and all(k["tier"] == "kol" for k in kols)
    assert kols[0]["audience"] >= kols[-1]["audience"]
    kol = kols[0]["customer_id"]
    comms = as_json(cli("communities", "--db", db, "--json", env=env))["data"]
    assert comms[0]["size"] >= comms[-1]["size"]
    one = as_json(
        cli("communities", "--db", db, "--id", str(comms[0]["community_id"]), "--json", env=env)
    )["data"][0]
    assert one["community_id"] == comms[0]["community_id"]
    customer = as_json(cli("customer", kol, "--db", db, "--json", env=env))
    assert customer["scores"]["tier"] == "kol" and len(customer["history"]) == 1
    reach = as_json(cli("reach", kol, "--db", db, "--simulations", "2000", "--json", env=env))
    assert reach["mean"] >= 1 and reach["ci95"][0] <= reach["mean"] <= reach["ci95"][1]
    seeds = as_json(cli("select-seeds", "--db", db, "--k", "3", "--tier", "kol", "--json", env=env))
    assert len(seeds["seeds"]) == 3 and all(s["tier"] == "kol" for s in seeds["seeds"])
    budget = as_json(
        cli(
            "select-seeds",
            "--db",
            db,
            "--budget",
            "5000",
            "--cost-field",
            "audience",
            "--cost-rate",
            "0.1",
            "--json",
            env=env,
        )
    )
    assert budget["total_cost"] <= 5000
    short = as_json(cli("shortlist", kol, kols[1]["customer_id"], "--db", db, "--json", env=env))
    assert short["union"] <= short["sum_of_alone"] + 1e-9
    tag = as_json(cli("lift", "--db", db, "--tag", "skincare", "--json", env=env))
    assert tag["segment_size"] > 0 and tag["communities"][0]["lift"] >= 1
    refs = as_json(cli("referrals", "--db", db, "--json", env=env))
    assert refs["count"] > 0 and "k_factor" in refs["data"][0]
    bad = cli("select-seeds", "--db", db, "--json", env=env, check=False)
    assert bad.returncode == 2 and "needs k" in bad.stderr


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_marketer_lists_export_csv_with_names(
    synthetic: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db = str(copy(synthetic[0], tmp_path))
    env = {**os.environ, "GRAPH_ENGINE_IDENTITY_SALT": SALT}
    cli("compute", "--db", db, env=env)
    out = tmp_path / "top.csv"
    top = cli("top", "--db", db, "--tier", "kol", "--limit", "7", "--csv", str(out), env=env)
    rows = _csv(out)
    assert len(rows) == 7 and list(rows[0])[:3] == ["customer_id", "name", "tier"]
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    try:
        names = store.customer_names([r["customer_id"] for r in rows])
    finally:
        store.close()
    assert [r["name"] for r in rows] == [names[r["customer_id"]] or "" for r in rows]
    assert any(r["name"] for r in rows) and rows[0]["name"] in top.stdout
    assert f"wrote 7 rows to {out}" in top.stderr
    # seeds under a budget: the table says how much of it is spent, the CSV lists them
    plan = tmp_path / "plan.csv"
    said = cli(
        "select-seeds", "--db", db, "--budget", "3000", "--cost-field", "audience",
        "--cost-rate", "0.05", "--csv", str(plan), env=env,
    ).stdout  # fmt: skip
    seeds = _csv(plan)
    total = sum(float(s["cost"]) for s in seeds)
    assert (
        seeds
        and total <= 3000
        and [s["rank"] for s in seeds] == [str(i) for i in range(1, len(seeds) + 1)]
    )
    assert f"total cost {total:,.0f} of the budget 3,000" in said
    short = tmp_path / "short.csv"
    ids = [r["customer_id"] for r in rows[:3]]
    cli("shortlist", *ids, "--db", db, "--csv", str(short), env=env)
    listed = _csv(short)
    assert sorted(r["id"] for r in listed) == sorted(ids)
    assert all(r["name"] == (names[r["id"]] or "") for r in listed)
    # lift: every community is tested; significant ones come first
    lifted = tmp_path / "lift.csv"
    result = as_json(
        cli("lift", "--db", db, "--tag", "skincare", "--min-size", "20", "--csv", str(lifted),
            "--json", env=env)
    )  # fmt: skip
    table = _csv(lifted)
    assert table and all(int(r["size"]) >= 20 for r in table)
    flags = [r["significant"] == "True" for r in table]
    assert flags == sorted(flags, reverse=True)
    assert all(0 <= float(r["p_value"]) <= float(r["q_value"]) <= 1 for r in table)
    assert result["min_size"] == 20 and result["alpha"] == 0.05
    bad = cli("lift", "--db", db, "--tag", "x", "--campaign", "y", env=env, check=False)
    assert bad.returncode == 2 and "exactly one" in bad.stderr
