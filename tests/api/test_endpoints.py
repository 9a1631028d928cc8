"""Every endpoint and role through FastAPI's TestClient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from graph_engine_api import create_app
from graph_engine_api.schemas import ScoreField

from graph_engine.store import SQLiteStore
from graph_engine.store.base import SCORE_FIELDS
from tests.api.conftest import SALT, auth, settings_for, wait_for_job


def first_kol(client: TestClient, key: str) -> str:
    r = client.get("/v1/influencers", params={"tier": "kol", "limit": 1}, headers=auth(key))
    assert r.status_code == 200, r.text
    return str(r.json()["data"][0]["customer_id"])


def test_customer_scores_any_identity_and_pii(
    client: TestClient, keys: dict[str, str], api_db: Path
) -> None:
    kol = first_kol(client, keys["reader"])
    r = client.get(f"/v1/customers/{kol}", headers=auth(keys["reader"]))
    body = r.json()
    assert r.status_code == 200 and body["scores"]["tier"] == "kol"
    assert "KOL" in body["scores"]["tier_reason"]
    assert body["identities"] is None and body["identity_kinds"]
    # the value explained, part by part, and the total is the score's
    explained = body["value_explained"]
    total = f"¥{body['scores']['social_value']:,.0f} social value in total"
    assert explained[0] == total and any(" audience: (" in line for line in explained)
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    keys_of = store.customer(kol).identities
    store.close()
    # any identity key works as the id
    other = client.get(f"/v1/customers/{keys_of[0]}", headers=auth(keys["reader"])).json()
    assert other["id"] == kol
    pii = client.get(f"/v1/customers/{kol}", headers=auth(keys["pii"])).json()
    assert pii["identities"] is not None
    assert not any(k.startswith(("phone:", "email:")) for k in pii["identities"])
    missing = client.get("/v1/customers/crm-nobody", headers=auth(keys["reader"]))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    history = client.get(f"/v1/customers/{kol}/history", headers=auth(keys["reader"])).json()
    assert history["count"] == 1 and history["next"] is None


def test_batch_and_export(client: TestClient, keys: dict[str, str]) -> None:
    kol = first_kol(client, keys["reader"])
    r = client.post(
        "/v1/scores:batch", json={"ids": [kol, "crm-ghost", kol]}, headers=auth(keys["reader"])
    )
    body = r.json()
    assert r.status_code == 200 and body["count"] == 1 and body["unknown"] == ["crm-ghost"]
    nd = client.get("/v1/scores:export", headers=auth(keys["reader"]))
    lines = nd.text.strip().splitlines()
    assert nd.headers["content-type"].startswith("application/x-ndjson")
    scored = sum(
        t["customers"] for t in client.get("/v1/tiers", headers=auth(keys["reader"])).json()["data"]
    )
    assert len(lines) == scored > 1000  # every scored customer, once
    assert {json.loads(lines[0])["run_id"]} == {nd.headers["x-run-id"]}
    csv = client.get("/v1/scores:export", params={"format": "csv"}, headers=auth(keys["reader"]))
    rows = csv.text.strip().splitlines()
    assert rows[0].startswith("customer_id,tier") and len(rows) == len(lines) + 1
    # social value in money with its parts; the percentile blend as social_value_rank
    header = rows[0].split(",")
    first = json.loads(lines[0])
    assert sum(first["value_components"].values()) == pytest.approx(first["social_value"])
    assert "social_value_rank" in header and 0 <= first["social_value_rank"] <= 1


def test_influencers_tiers_and_paging(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["reader"])
    first = client.get(
        "/v1/influencers", params={"tier": "kol", "limit": 5, "sort": "audience"}, headers=h
    ).json()
    assert first["count"] == 5 and first["next"]
    audiences = [x["audience"] for x in first["data"]]
    assert audiences == sorted(audiences, reverse=True)
    second = client.get(
        "/v1/influencers",
        params={"tier": "kol", "limit": 5, "sort": "audience", "cursor": first["next"]},
        headers=h,
    ).json()
    assert not {x["customer_id"] for x in first["data"]} & {
        x["customer_id"] for x in second["data"]
    }
    weibo = client.get(
        "/v1/influencers", params={"platform": "weibo", "min_audience": 1000}, headers=h
    ).json()
    assert all(
        x["audience_by_platform"].get("weibo", 0) > 0 and x["audience"] >= 1000
        for x in weibo["data"]
    )
    tiers = client.get("/v1/tiers", headers=h).json()
    assert sum(t["customers"] for t in tiers["data"]) > 1000
    bad = client.get("/v1/influencers", params={"cursor": "not-a-cursor"}, headers=h)
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["message"]
    invalid = client.get("/v1/influencers", params={"sort": "name"}, headers=h)
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_request"


def test_communities(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["reader"])
    listed = client.get("/v1/communities", params={"limit": 3}, headers=h).json()
    assert listed["count"] == 3
    cid = listed["data"][0]["community_id"]
    one = client.get(f"/v1/communities/{cid}", headers=h).json()
    assert one["data"][0]["community_id"] == cid
    members = client.get(f"/v1/communities/{cid}/members", params={"limit": 10}, headers=h).json()
    assert members["count"] == 10 and all(m["community_id"] == cid for m in members["data"])
    infl = client.get(f"/v1/communities/{cid}/influencers", headers=h).json()
    assert all(m["tier"] in ("kol", "koc") for m in infl["data"])
    assert client.get("/v1/communities/999999", headers=h).status_code == 404
    lift = client.post(
        "/v1/communities:lift", json={"tag": "skincare"}, headers=auth(keys["marketer"])
    )
    assert lift.status_code == 200 and lift.json()["segment_size"] > 0
    both = client.post(
        "/v1/communities:lift", json={"tag": "x", "campaign": "y"}, headers=auth(keys["marketer"])
    )
    assert both.status_code == 400


def test_planning(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["marketer"])
    kol = first_kol(client, keys["reader"])
    reach = client.post(
        "/v1/reach:estimate", json={"seeds": [kol], "n_simulations": 2000}, headers=h
    ).json()
    assert reach["ci95"][0] <= reach["mean"] <= reach["ci95"][1] and reach["by_hop"][0] == 1
    seeds = client.post(
        "/v1/seeds:select", json={"k": 3, "candidate_tiers": ["kol"]}, headers=h
    ).json()
    assert len(seeds["seeds"]) == 3 and all(s["tier"] == "kol" for s in seeds["seeds"])
    assert 0 < seeds["certified_ratio"] <= 1
    budget = client.post(
        "/v1/seeds:select",
        json={"budget": 300, "cost_field": "audience", "cost_rate": 0.01},
        headers=h,
    ).json()
    assert budget["total_cost"] <= 300
    short = client.post(
        "/v1/shortlist:evaluate", json={"candidates": [kol], "n_rr_sets": 5000}, headers=h
    ).json()
    assert short["candidates"][0]["id"] == kol
    unknown = client.post("/v1/reach:estimate", json={"seeds": ["crm-ghost"]}, headers=h)
    assert unknown.status_code == 400 and "crm-ghost" in unknown.json()["error"]["message"]
    too_big = client.post("/v1/seeds:select", json={"k": 100_000}, headers=h)
    assert too_big.status_code == 400 and "maximum" in too_big.json()["error"]["message"]
    floor = client.post("/v1/seeds:select", json={"k": 3, "epsilon": 0.01}, headers=h)
    assert floor.status_code == 400 and "floor" in floor.json()["error"]["message"]


def test_referrals(client: TestClient, keys: dict[str, str], api_db: Path) -> None:
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    campaign = store.referral_rows()[0][2]
    store.close()
    r = client.get(f"/v1/campaigns/{campaign}/referrals", headers=auth(keys["marketer"]))
    assert r.status_code == 200 and r.json()["campaign_id"] == campaign
    assert (
        client.get("/v1/campaigns/none/referrals", headers=auth(keys["marketer"])).status_code
        == 404
    )


def test_events_and_audit(client: TestClient, keys: dict[str, str], api_db: Path) -> None:
    events = [
        {
            "type": "follow",
            "follower": "api:new-1",
            "followee": "crm-0000001",
            "at": "2026-03-01T10:00:00+08:00",
        },
        {
            "type": "order",
            "customer": "crm-0000001",
            "order_id": "api-o1",
            "amount": -5,
            "at": "2026-03-01T10:00:00+08:00",
        },
        {
            "type": "follow",
            "follower": "external:api-new-2",
            "followee": "crm-0000001",
            "at": "2026-03-01T10:00:00+08:00",
        },
    ]
    r = client.post("/v1/events", json={"events": events}, headers=auth(keys["ingest"]))
    body = r.json()
    assert r.status_code == 200, r.text
    assert body["accepted"] == 1 and body["rejected"] == 2
    by_index = {x["index"]: x for x in body["rejections"]}
    assert by_index[1]["field"] == "amount" and by_index[0]["field"] == "follower"
    again = client.post("/v1/events", json={"events": events}, headers=auth(keys["ingest"]))
    assert again.json()["duplicates"] == 1
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    log = store.audit_log()
    store.close()
    assert log[0]["action"] == "events.ingest" and log[0]["detail"]["rejected"] == 2


def test_recompute_job(client: TestClient, keys: dict[str, str]) -> None:
    h = auth(keys["admin"])
    job = client.post("/v1/jobs/recompute", headers=h)
    assert job.status_code == 202
    job_id = job.json()["job_id"]
    # (one recompute at a time: tests/api/test_permissions.py holds a job to test it)
    state = wait_for_job(client, job_id, h)
    assert state["state"] == "succeeded", state
    assert state["progress"] == 100 and state["run_id"]
    health = client.get("/v1/health").json()
    assert health["status"] == "ok"
    assert health["run_id"] == state["run_id"]  # the job's run is the one served
    assert client.get("/v1/jobs/job-nope", headers=h).status_code == 404


ROLE_CASES = [
    ("get", "/v1/tiers", None, {"reader": 200, "marketer": 200, "ingest": 403, "admin": 200}),
    (
        "post",
        "/v1/reach:estimate",
        {"seeds": ["crm-0000001"], "n_simulations": 100},
        {"reader": 403, "marketer": 200, "ingest": 403, "admin": 200},
    ),
    (
        "post",
        "/v1/events",
        {"events": [{"type": "customer", "customer": "x1", "at": "2026-03-01T10:00:00+08:00"}]},
        {"reader": 403, "marketer": 403, "ingest": 200, "admin": 200},
    ),
    ("get", "/v1/jobs/job-x", None, {"reader": 403, "marketer": 403, "ingest": 403, "admin": 404}),
]


@pytest.mark.parametrize(("method", "path", "payload", "expected"), ROLE_CASES)
def test_roles(
    client: TestClient,
    keys: dict[str, str],
    method: str,
    path: str,
    payload: dict | None,
    expected: dict[str, int],
) -> None:  # type: ignore[type-arg]
    for role, status in expected.items():
        r = client.request(method, path, json=payload, headers=auth(keys[role]))
        assert r.status_code == status, (role, r.text)
        if status == 403:
            assert r.json()["error"]["code"] == "forbidden"
    for headers in (
        {},
        auth(keys["revoked"]),
        auth("ge_nope_nope"),
        auth("garbage"),
        {"Authorization": "Bearer ge_x_y"},
    ):
        r = client.request(method, path, json=payload, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    bearer = client.request(
        method, path, json=payload, headers={"Authorization": f"Bearer {keys['admin']}"}
    )
    assert bearer.status_code == expected["admin"]


def test_limits(api_db: Path, keys: dict[str, str]) -> None:
    app = create_app(
        settings_for(
            api_db,
            api_max_body_bytes=2048,
            api_max_batch_ids=2,
            api_rate_limit_per_minute=5,
            api_seed_time_budget_s=1e-6,
        )
    )
    with TestClient(app) as client:
        h = auth(keys["admin"])
        big = client.post(
            "/v1/events", content=b"x" * 5000, headers={**h, "content-type": "application/json"}
        )
        assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
        many = client.post("/v1/scores:batch", json={"ids": ["a", "b", "c"]}, headers=h)
        assert many.status_code == 413
        slow = client.post("/v1/seeds:select", json={"k": 2}, headers=h)
        assert slow.status_code == 503 and "time budget" in slow.json()["error"]["message"]
        codes = [client.get("/v1/tiers", headers=h).status_code for _ in range(5)]
        assert codes[-1] == 429
        limited = client.get("/v1/tiers", headers=h)
        assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_schema_score_fields_match_the_store() -> None:
    assert get_args(ScoreField) == SCORE_FIELDS


def test_openapi_and_metrics(client: TestClient, keys: dict[str, str]) -> None:
    spec = client.get("/openapi.json").json()
    ops = [op for item in spec["paths"].values() for op in item.values()]
    assert len(ops) == 32 and all(op.get("operationId") for op in ops)
    assert len({op["operationId"] for op in ops}) == len(ops)
    assert client.get("/docs").status_code == 200
    client.get("/v1/tiers", headers=auth(keys["reader"]))
    text = client.get("/v1/metrics").text
    assert 'graph_engine_http_requests_total{method="GET",route="/v1/tiers",status="200"}' in text
    assert "graph_engine_http_request_seconds_bucket" in text
