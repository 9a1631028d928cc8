"""Property-based API tests (schemathesis) against /openapi.json: no 500s, responses
conform to the schema, and every operation answers each role as the permission table
says (403 for what the role lacks, never 401 / 403 for what it has). Bounded in
examples; runs once per role.

Driven through Hypothesis directly (one strategy per operation): schemathesis' pytest
plugin does not support pytest 9 yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from graph_engine_api import create_app
from graph_engine_api.deps import GRANTS
from graph_engine_api.permissions import PERMISSIONS
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from graph_engine.store import SQLiteStore
from graph_engine.store.base import ROLES
from tests.api.conftest import SALT, settings_for

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def app_and_keys(
    computed_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[object, dict[str, str]]:
    """A fresh app per test: schemathesis runs the app's lifespan, whose shutdown closes
    the app's store connections."""
    db = tmp_path_factory.mktemp("schemathesis") / "api.db"
    db.write_bytes(computed_db.read_bytes())
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    keys = {role: store.create_key(role, name=f"schemathesis {role}")[1] for role in ROLES}
    store.close()
    # generous limits: the properties under test are "no 500" and "schema conformance"
    app = create_app(
        settings_for(db, api_rate_limit_per_minute=1_000_000, api_seed_time_budget_s=20)
    )
    return app, keys


def run_checks(operation: Any, role: str, key: str, allowed: bool) -> None:
    """Generated requests to one operation with one role's key."""

    @given(case=operation.as_strategy())
    @settings(
        # the full search with the key that may do everything, a lighter one per role
        max_examples=MAX_EXAMPLES if role == "admin" else 4,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers={"X-API-Key": key})
        assert response.status_code < 500, (case.method, case.path, response.text[:500])
        if not allowed:
            assert response.status_code == 403, (role, case.method, case.path)
            assert response.json()["error"]["code"] == "forbidden"
            return
        assert response.status_code not in (401, 403), (role, case.method, case.path)
        # schema-valid requests may still be refused with a documented 400 (unknown
        # customers, "give k or budget"): positive-data acceptance is not checked
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize("role", ROLES)
def test_no_server_errors_schema_conformance_and_roles(
    app_and_keys: tuple[object, dict[str, str]], role: str
) -> None:
    app, keys = app_and_keys
    key = keys[role]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/v1/jobs/recompute":
            continue  # background work; covered in test_endpoints and test_permissions
        needed = PERMISSIONS[operation.definition.raw["operationId"]]
        allowed = needed is None or needed in GRANTS[role]

        run_checks(operation, role, key, allowed)
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) == len(PERMISSIONS) - 1
