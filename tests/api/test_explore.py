"""The explorer's API: session, overview, runs, networks, campaigns, referral trees,
names on score rows, and the explorer's files served beside the API."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from graph_engine_api.webapp import explorer_app

from graph_engine.store import SQLiteStore

from .conftest import SALT, auth


def test_session_names_the_key_and_its_grants(client: TestClient, keys: dict[str, str]) -> None:
    for role, grants in {
        "reader": ["read", "session"],
        "marketer": ["plan", "read", "session"],
        "ingest": ["ingest", "session"],
        "admin": ["admin", "ingest", "plan", "read", "session"],
    }.items():
        body = client.get("/v1/session", headers=auth(keys[role])).json()
        assert body["role"] == role and body["permissions"] == grants
        assert body["name"] == f"test {role}" and body["pii"] is False
    assert client.get("/v1/session", headers=auth(keys["pii"])).json()["pii"] is True
    assert client.get("/v1/session").status_code == 401


def test_overview(client: TestClient, keys: dict[str, str], api_db: Path) -> None:
    body = client.get("/v1/overview", headers=auth(keys["reader"])).json()
    # the tier summary kept with the run is what the scores say (SQL GROUP BY)
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        grouped = store.tier_summary()
        counts = store.current_run().counts  # type: ignore[union-attr]
    finally:
        store.close()

    def key(r: dict[str, object]) -> tuple[object, ...]:
        return (r["tier"], r["tier_level"] or "")

    assert len(body["tiers"]) == len(grouped)
    for kept, scanned in zip(sorted(body["tiers"], key=key), sorted(grouped, key=key), strict=True):
        assert key(kept) == key(scanned) and kept["customers"] == scanned["customers"]
        for field in ("social_value_mean", "revenue_total", "audience_total"):
            assert kept[field] == pytest.approx(scanned[field], rel=1e-9)
    assert body["stats"] == counts and body["stats_as_of"] == "run"
    assert body["run"]["status"] == "complete" and body["run"]["config"]["engine"] == "python"
    assert sum(t["customers"] for t in body["tiers"]) == body["stats"]["customers"]
    kols = body["top"]["kol"]
    assert kols and all(k["tier"] == "kol" and k["tier_reason"] for k in kols)
    values = [k["social_value"] for k in kols]
    assert values == sorted(values, reverse=True)
    sizes = [c["size"] for c in body["communities"]]
    assert sizes == sorted(sizes, reverse=True) and 1 < len(sizes) <= 5
    (ingest,) = body["ingest"]["runs"]
    assert ingest["accepted"] > 0 and ingest["rejected"] == body["ingest"]["rejected_total"] > 0
    assert ingest["quarantine"].endswith(".jsonl")
    runs = client.get("/v1/runs", headers=auth(keys["reader"])).json()
    assert runs["current_run_id"] == body["run"]["run_id"] == runs["data"][0]["run_id"]


def test_community_map(client: TestClient, keys: dict[str, str], api_db: Path) -> None:
    body = client.get("/v1/communities:map", headers=auth(keys["reader"])).json()
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        profiles = store.community_profiles()
    finally:
        store.close()
    assert body["total"] == len(profiles) and not body["truncated"]
    assert [n["community_id"] for n in body["nodes"]] == [p["community_id"] for p in profiles]
    ids = {n["community_id"] for n in body["nodes"]}
    pairs = [(link["source"], link["target"]) for link in body["links"]]
    assert pairs and len(set(pairs)) == len(pairs)
    assert all(a < b and a in ids and b in ids for a, b in pairs)
    for node in body["nodes"]:
        special = {t: c for t, c in node["tier_mix"].items() if t != "consumer"}
        if special:
            assert special[node["dominant_tier"]] == max(special.values())
    capped = client.get("/v1/communities:map?limit=2", headers=auth(keys["reader"])).json()
    assert len(capped["nodes"]) == 2 and capped["truncated"]
    assert all({link["source"], link["target"]} <= {0, 1} | ids for link in capped["links"])


def test_community_graph_is_the_induced_subgraph(
    client: TestClient, keys: dict[str, str], api_db: Path
) -> None:
    profile = client.get("/v1/communities", headers=auth(keys["reader"])).json()["data"][0]
    cid, size = profile["community_id"], profile["size"]
    body = client.get(f"/v1/communities/{cid}/graph?limit=40", headers=auth(keys["reader"])).json()
    assert body["kind"] == "community" and body["limit"] == 40 and body["truncated"] == (size > 40)
    nodes = body["nodes"]
    assert len(nodes) == min(40, size) and all(n["community_id"] == cid for n in nodes)
    influence = [n["influence"] for n in nodes]
    assert influence == sorted(influence, reverse=True)
    # the links are exactly the follows among the drawn members (plus shares, referrals)
    ids = {n["id"] for n in nodes}
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        g = store.snapshot(("FOLLOWS",))
    finally:
        store.close()
    src, dst = g.sources(), g.indices
    expected = {
        (g.ids[a], g.ids[b])
        for a, b in zip(src.tolist(), dst.tolist(), strict=True)
        if g.ids[a] in ids and g.ids[b] in ids
    }
    follows = {(lk["source"], lk["target"]) for lk in body["links"] if lk["type"] == "FOLLOWS"}
    assert follows == expected and follows
    assert (
        client.get("/v1/communities/999999/graph", headers=auth(keys["reader"])).status_code == 404
    )
    assert (
        client.get(f"/v1/communities/{cid}/graph?limit=0", headers=auth(keys["reader"])).status_code
        == 422
    )


def test_ego_network_is_breadth_first_and_capped(
    client: TestClient, keys: dict[str, str], api_db: Path
) -> None:
    kol = client.get("/v1/influencers?tier=kol&limit=1", headers=auth(keys["reader"])).json()
    center = kol["data"][0]["customer_id"]
    body = client.get(
        f"/v1/customers/{center}/network?hops=2&limit=60", headers=auth(keys["reader"])
    ).json()
    nodes = {n["id"]: n for n in body["nodes"]}
    assert body["kind"] == "ego" and body["config"] == {"center": center, "hops": 2}
    assert nodes[center]["hop"] == 0 and len(nodes) <= 60
    # every hop is the true shortest distance in the graph of current relationships
    store = SQLiteStore(f"sqlite:///{api_db}", identity_salt=SALT)
    try:
        g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED")).undirected()
    finally:
        store.close()
    index = {cid: i for i, cid in enumerate(g.ids)}
    distance = {index[center]: 0}
    queue = deque([index[center]])
    while queue:
        v = queue.popleft()
        for w in g.indices[g.indptr[v] : g.indptr[v + 1]].tolist():
            if w not in distance:
                distance[w] = distance[v] + 1
                queue.append(w)
    for cid, node in nodes.items():
        assert node["hop"] == distance[index[cid]], cid
    within_one = sum(1 for d in distance.values() if d == 1)
    within_two = sum(1 for d in distance.values() if d == 2)
    hop1 = sum(1 for n in nodes.values() if n["hop"] == 1)
    hop2 = sum(1 for n in nodes.values() if n["hop"] == 2)
    assert hop1 == min(within_one, 30)  # hop 1 takes at most half the room (59 / 2)
    assert hop2 == min(within_two, 59 - hop1)  # hop 2 the rest
    assert within_one > 30 and hop2 > 0  # a KOL: the cap bites, yet hop 2 is shown
    assert body["truncated"] == (sum(1 for d in distance.values() if d <= 2) > len(nodes))
    assert all(lk["source"] in nodes and lk["target"] in nodes for lk in body["links"])
    name = client.get(f"/v1/customers/{center}", headers=auth(keys["reader"])).json()["name"]
    assert nodes[center]["name"] == name
    missing = client.get("/v1/customers/nobody/network", headers=auth(keys["reader"]))
    assert missing.status_code == 404


def test_campaigns_and_referral_trees(client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/v1/campaigns", headers=auth(keys["reader"])).status_code == 403
    campaigns = client.get("/v1/campaigns", headers=auth(keys["marketer"])).json()["data"]
    assert campaigns
    invites = [c["invites"] for c in campaigns]
    assert invites == sorted(invites, reverse=True)
    cid = campaigns[0]["campaign_id"]
    body = client.get(
        f"/v1/campaigns/{cid}/referrals/trees?trees=500&limit=5000",
        headers=auth(keys["marketer"]),
    ).json()
    stats = client.get(f"/v1/campaigns/{cid}/referrals", headers=auth(keys["marketer"])).json()
    assert body["total_trees"] == body["trees"] == stats["trees"] and not body["truncated"]
    assert len(body["nodes"]) == stats["users"]
    by_generation: dict[int, int] = {}
    for node in body["nodes"]:
        by_generation[node["generation"]] = by_generation.get(node["generation"], 0) + 1
    assert by_generation == {g["generation"]: g["members"] for g in stats["generations"]}
    assert len(body["links"]) == len(body["nodes"]) - body["trees"]
    small = client.get(
        f"/v1/campaigns/{cid}/referrals/trees?trees=1", headers=auth(keys["marketer"])
    ).json()
    assert small["trees"] == 1 and small["truncated"] == (stats["trees"] > 1)
    sizes = {n["tree"] for n in small["nodes"]}
    assert sizes == {0} and len(small["nodes"]) == stats["largest_tree"]


def test_score_rows_carry_display_names(client: TestClient, keys: dict[str, str]) -> None:
    rows = client.get("/v1/influencers?limit=20", headers=auth(keys["reader"])).json()["data"]
    for row in rows[:5]:
        person = client.get(f"/v1/customers/{row['customer_id']}", headers=auth(keys["reader"]))
        assert row["name"] == person.json()["name"]
    assert any(row["name"] for row in rows)


def _app_with(root: Path) -> TestClient:
    app = FastAPI()
    app.mount("/", explorer_app(root))
    return TestClient(app)


def test_explorer_files_fall_back_to_the_page_but_never_for_the_api(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>explorer</title>")
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log(1)")
    client = _app_with(tmp_path)
    for path in ("/", "/communities/7", "/customers/crm-1"):
        page = client.get(path)
        assert page.status_code == 200 and "explorer" in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert "default-src 'self'" in page.headers["content-security-policy"]
    asset = client.get("/assets/app-1a2b.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404
    api = client.get("/v1/nothing-here")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/", "/communities/3"])
def test_an_unbuilt_explorer_says_how_to_build_it(tmp_path: Path, path: str) -> None:
    page = _app_with(tmp_path / "absent").get(path)
    assert page.status_code == 503 and "scripts/install" in page.text
    assert _app_with(tmp_path / "absent").get("/v1/x").status_code == 404


def test_the_real_app_answers_unknown_api_paths_in_json(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/no-such-operation", headers=auth(keys["reader"]))
    assert response.status_code == 404 and "error" in response.json()
