"""Every operation of ``/openapi.json`` against the one permission table, with every role.

Without a key an operation answers 401 unless it is public; with a key of each role it
answers 403 when the role lacks the operation's permission and never 401 / 403 when it
has it (404 or 422 are fine: the request passed authorisation). The table itself must
name exactly the operations the API serves.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graph_engine_api import jobs as jobs_module
from graph_engine_api.deps import GRANTS
from graph_engine_api.permissions import PERMISSIONS, PUBLIC

from graph_engine.store.base import ROLES
from tests.api.conftest import auth, wait_for_job

#: plausible values for path parameters (existence does not matter: only auth is tested)
PATH_VALUES = {
    "customer_id": "crm-0000001",
    "community_id": "0",
    "job_id": "job-x",
    "campaign_id": "c",
}


def operations(client: TestClient) -> list[tuple[str, str, str]]:
    """(operation id, method, path with parameters filled in) of every operation."""
    out = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for method, op in item.items():
            filled = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
            out.append((op["operationId"], method, filled))
    return sorted(out)


def call(client: TestClient, method: str, path: str, key: str | None) -> int:
    headers = auth(key) if key else {}
    body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
    return client.request(method.upper(), path, headers=headers, json=body).status_code


def policy(method: str, path: str) -> str | None:
    """The documented access policy, from the URL alone (README, HTTP API): public health
    and metrics; ``session`` (every role) for who the key is; ``plan`` for reach, seeds,
    shortlists, lift, campaigns (plans, reports) and referrals; ``ingest`` for events;
    ``admin`` for jobs; ``read`` for everything else. Independent of the table, so that a
    wrong entry in it (a planning operation opened to readers) fails here."""
    if path in ("/v1/health", "/v1/metrics"):
        return None
    if path == "/v1/session":
        return "session"
    if re.match(r"/v1/(reach|seeds|shortlist):|/v1/communities:lift$|/v1/campaign", path):
        return "plan"
    if path == "/v1/events" and method == "post":
        return "ingest"
    if path.startswith("/v1/jobs"):
        return "admin"
    return "read"


def test_the_table_follows_the_documented_policy(client: TestClient) -> None:
    for op, method, path in operations(client):
        template = re.sub(r"=[^/]*", "", path)  # (no query strings in paths)
        assert PERMISSIONS[op] == policy(method, template), (op, method, path)


def test_the_table_names_exactly_the_served_operations(client: TestClient) -> None:
    served = {op for op, _, _ in operations(client)}
    assert served == set(PERMISSIONS)
    assert len(served) >= 20
    # every permission in the table is one a role can be granted
    assert {p for p in PERMISSIONS.values() if p} <= set().union(*GRANTS.values())


def test_without_a_key_only_public_operations_answer(client: TestClient) -> None:
    for op, method, path in operations(client):
        status = call(client, method, path, None)
        if op in PUBLIC:
            assert status not in (401, 403), (op, status)
        else:
            assert status == 401, (op, status)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_grants(
    client: TestClient, keys: dict[str, str], role: str
) -> None:
    for op, method, path in operations(client):
        status = call(client, method, path, keys[role])
        needed = PERMISSIONS[op]
        if needed is None or needed in GRANTS[role]:
            assert status not in (401, 403), (role, op, status)
        else:
            assert status == 403, (role, op, status)


def test_revoked_and_unknown_keys_are_refused_everywhere(
    client: TestClient, keys: dict[str, str]
) -> None:
    for op, method, path in operations(client):
        if op in PUBLIC:
            continue
        for key in (keys["revoked"], "ge_not-a-key"):
            assert call(client, method, path, key) == 401, op


def test_public_operations_need_no_key_in_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for item in schema["paths"].values():
        for op in item.values():
            assert ("security" in op) == (op["operationId"] not in PUBLIC), op["operationId"]


def test_only_one_recompute_runs_at_a_time(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second recompute while one runs is refused (409 naming the running job); once
    it has finished, a new one is accepted. The first is held at its start by a gate
    (the real compute is too quick on a test store to race reliably)."""
    gate = threading.Event()
    real = jobs_module.compute

    def held(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(60), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs_module, "compute", held)
    h = auth(keys["admin"])
    first = client.post("/v1/jobs/recompute", headers=h)
    assert first.status_code == 202
    job_id = first.json()["job_id"]
    for _ in range(2):
        busy = client.post("/v1/jobs/recompute", headers=h)
        assert busy.status_code == 409
        assert busy.json()["error"]["details"]["job_id"] == job_id
    gate.set()
    state = wait_for_job(client, job_id, h)
    assert state["state"] == "succeeded", state
    again = client.post("/v1/jobs/recompute", headers=h)
    assert again.status_code == 202 and again.json()["job_id"] != job_id


def test_handlers_that_read_the_store_are_not_coroutines() -> None:
    """A store call blocks (a Neo4j read is network round trips): an ``async def`` handler
    would run it on the event loop and hold every other request. Found by the Neo4j API
    benchmark (p50 5.4 s at 200 req/s); handlers that take the store must be sync so that
    FastAPI runs them in its thread pool."""
    import inspect

    from graph_engine_api.deps import store_dep
    from graph_engine_api.routes import (
        communities,
        customers,
        events,
        influencers,
        planning,
        system,
    )

    checked = []
    for module in (communities, customers, events, influencers, planning, system):
        for route in module.router.routes:
            endpoint = route.endpoint  # type: ignore[attr-defined]
            uses_store = any(
                d.call is store_dep
                for d in route.dependant.dependencies  # type: ignore[attr-defined]
            ) or "request.app.state.stores" in inspect.getsource(endpoint)
            if uses_store:
                checked.append(endpoint.__name__)
                assert not inspect.iscoroutinefunction(endpoint), endpoint.__name__
    assert len(checked) >= 15, checked
