"""Property-based API tests (schemathesis) against /openapi.json: no 500s, responses
conform to the schema. Bounded in examples; runs with an admin key.

Driven through Hypothesis directly (one strategy per operation): schemathesis' pytest
plugin does not support pytest 9 yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from graph_engine_api import create_app
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from graph_engine.store import SQLiteStore
from tests.api.conftest import SALT, settings_for

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app_and_key(computed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, str]:
    db = tmp_path_factory.mktemp("schemathesis") / "api.db"
    db.write_bytes(computed_db.read_bytes())
    store = SQLiteStore(f"sqlite:///{db}", identity_salt=SALT)
    _, key = store.create_key("admin", name="schemathesis")
    store.close()
    # generous limits: the properties under test are "no 500" and "schema conformance"
    app = create_app(
        settings_for(db, api_rate_limit_per_minute=1_000_000, api_seed_time_budget_s=20)
    )
    return app, key


def test_no_server_errors_and_schema_conformance(app_and_key: tuple[object, str]) -> None:
    app, key = app_and_key
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/v1/jobs/recompute":
            continue  # background work; covered in test_endpoints

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": key})
            assert response.status_code < 500, (case.method, case.path, response.text[:500])
            # schema-valid requests may still be refused with a documented 400 (unknown
            # customers, "give k or budget"): positive-data acceptance is not checked
            case.validate_response(response, checks=CHECKS)

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) == 19
