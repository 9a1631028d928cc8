"""The campaign loop over HTTP: a marketer plans, the campaign's events arrive through
`POST /v1/events`, the report compares them with the plan (JSON and CSV)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_engine.campaigns import simulate_campaign
from graph_engine.store import SQLiteStore

from .conftest import SALT, auth


def test_plan_events_report(
    client: TestClient, keys: dict[str, str], api_db: Path, tmp_path: Path
) -> None:
    h = auth(keys["marketer"])
    assert client.get("/v1/campaigns/cny/report", headers=h).status_code == 404
    body = {"budget": 2000, "cost_field": "audience", "cost_rate": 0.05, "seed": 3}
    assert (
        client.post("/v1/campaigns/cny/plan", json=body, headers=auth(keys["reader"])).status_code
        == 403
    )
    r = client.post("/v1/campaigns/cny/plan", json=body, headers=h)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["campaign_id"] == "cny" and plan["total_cost"] <= 2000 and plan["seeds"]
    assert client.post("/v1/campaigns/cny/plan", json=body, headers=h).status_code == 409
    assert client.get("/v1/campaigns/cny/plan", headers=h).json()["run_id"] == plan["run_id"]
    listed = client.get("/v1/campaign-plans", headers=h).json()
    assert [p["campaign_id"] for p in listed["data"]] == ["cny"]
    assert client.post("/v1/campaigns/x/plan", json={}, headers=h).status_code == 400

    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        truth = simulate_campaign(store, "cny", tmp_path / "cny.jsonl", seed=1)
    finally:
        store.close()
    events = [json.loads(line) for line in (tmp_path / "cny.jsonl").read_text().splitlines()]
    for start in range(0, len(events), 1000):
        sent = client.post(
            "/v1/events",
            json={"events": events[start : start + 1000]},
            headers=auth(keys["ingest"]),
        )
        assert sent.status_code == 200 and sent.json()["rejected"] == 0, sent.text

    report = client.get("/v1/campaigns/cny/report", headers=h).json()
    actual = report["actual"]
    assert (actual["reached"], actual["conversions"]) == (truth["reached"], truth["conversions"])
    assert actual["revenue"] == pytest.approx(truth["revenue"], abs=0.01)
    assert report["planned"]["revenue"] == pytest.approx(plan["predicted_revenue"])
    table = client.get("/v1/campaigns/cny/report", params={"format": "csv"}, headers=h)
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows[-1]["seed"] == "TOTAL" and int(rows[-1]["reached"]) == truth["reached"]
    assert {r["seed"] for r in rows[:-1]} >= {s["id"] for s in plan["seeds"]}
