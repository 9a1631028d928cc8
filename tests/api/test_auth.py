"""Authentication and authorisation details: how a key is presented, what a refusal says,
an operation nobody declared, the per-key rate limit and the verified-key cache.

``test_permissions.py`` checks the table for every operation and role; this file checks
the mechanics that table relies on (found by ``scripts/mutate``: mutants of them survived).
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graph_engine_api import create_app
from graph_engine_api import deps as deps_module
from graph_engine_api.deps import GRANTS, KeyCache, RateLimiter, current_key
from graph_engine_api.permissions import PERMISSIONS

from graph_engine.errors import AuthenticationError, PermissionDeniedError, RateLimitedError
from graph_engine.store.base import ApiKey
from tests.api.conftest import auth, settings_for


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(deps_module, "time", types.SimpleNamespace(monotonic=clock.monotonic))
    return clock


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


# --- presenting a key ------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_bearer_token_authenticates_whatever_the_scheme_case(
    client: TestClient, keys: dict[str, str], scheme: str
) -> None:
    response = client.get("/v1/session", headers={"Authorization": f"{scheme} {keys['reader']}"})
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "reader"


def test_a_bearer_token_is_taken_whole_and_trimmed(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.get("/v1/session", headers={"Authorization": f"Bearer   {keys['admin']}  "})
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"
    # one character short of the key is another (unknown) key
    short = client.get("/v1/session", headers={"Authorization": f"Bearer {keys['admin'][1:]}"})
    assert short.status_code == 401


def test_the_x_api_key_header_wins_over_authorization(
    client: TestClient, keys: dict[str, str]
) -> None:
    headers = {**auth(keys["marketer"]), "Authorization": f"Bearer {keys['admin']}"}
    assert client.get("/v1/session", headers=headers).json()["role"] == "marketer"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", ""])
def test_other_authorization_schemes_are_a_missing_key(client: TestClient, header: str) -> None:
    response = client.get("/v1/overview", headers={"Authorization": header})
    assert response.status_code == 401
    message = error(response)["message"]
    assert message.startswith("missing API key")
    assert "X-API-Key" in message and "Authorization: Bearer" in message


# --- refusals say who and what ---------------------------------------------------------


def test_a_refusal_names_the_role_the_permission_and_the_key(
    client: TestClient, keys: dict[str, str]
) -> None:
    session = client.get("/v1/session", headers=auth(keys["reader"])).json()
    response = client.post("/v1/seeds:select", headers=auth(keys["reader"]), json={"k": 3})
    assert response.status_code == 403
    body = error(response)
    assert body["code"] == "forbidden"
    assert body["message"] == f"role 'reader' may not plan (key {session['key_id']})"
    assert body["details"] == {"role": "reader", "needs": "plan"}


def test_a_role_granted_nothing_is_refused_not_a_server_error(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a key whose role this server no longer knows (an older or newer schema)
    monkeypatch.setattr(deps_module, "GRANTS", {r: g for r, g in GRANTS.items() if r != "reader"})
    response = client.get("/v1/overview", headers=auth(keys["reader"]))
    assert response.status_code == 403
    assert error(response)["details"] == {"role": "reader", "needs": "read"}


def test_an_operation_missing_from_the_table_is_refused_to_everyone(
    api_db: Path, keys: dict[str, str]
) -> None:
    app = create_app(settings_for(api_db))

    @app.get("/v1/undeclared", operation_id="undeclared")
    def undeclared() -> dict[str, str]:
        return {"reached": "yes"}

    @app.get("/v1/anonymous")
    def anonymous() -> dict[str, str]:
        return {"reached": "yes"}

    # ahead of the explorer's catch-all mount, as the API's own routes are
    routes = app.router.routes
    routes[:] = routes[-2:] + routes[:-2]
    assert "undeclared" not in PERMISSIONS
    with TestClient(app) as client:
        for path in ("/v1/undeclared", "/v1/anonymous"):
            for key in (None, keys["admin"]):
                response = client.get(path, headers=auth(key) if key else {})
                assert response.status_code == 403, (path, response.text)
                assert "declares no permission; refused to everyone" in error(response)["message"]
        assert "'undeclared'" in error(client.get("/v1/undeclared"))["message"]


def test_a_public_operation_has_no_caller_key() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        current_key(None)
    assert refused.value.message == "this operation is public and has no caller key"
    key = ApiKey("k1", "reader", False, None, "2026-01-01", None, None)
    assert current_key(key) is key


# --- rate limit ------------------------------------------------------------------------


def test_the_rate_limit_counts_each_key_apart(api_db: Path, keys: dict[str, str]) -> None:
    with TestClient(create_app(settings_for(api_db, api_rate_limit_per_minute=3))) as client:
        for _ in range(3):
            assert client.get("/v1/session", headers=auth(keys["reader"])).status_code == 200
        limited = client.get("/v1/session", headers=auth(keys["reader"]))
        assert limited.status_code == 429
        assert "more than 3 requests in a minute" in error(limited)["message"]
        # another key has its own budget
        assert client.get("/v1/session", headers=auth(keys["marketer"])).status_code == 200
        # public operations are not counted against anyone
        assert client.get("/v1/health").status_code == 200


def test_the_rate_limit_window_slides(clock: Clock) -> None:
    limiter = RateLimiter(per_minute=2)
    limiter.check("a")
    clock.now += 30
    limiter.check("a")
    clock.now += 10
    with pytest.raises(RateLimitedError) as refused:
        limiter.check("a")
    # the first request leaves the window 60 s after it was made: 20 s from now, plus 1
    assert refused.value.details == {"retry_after_seconds": 21}
    assert refused.value.message == "more than 2 requests in a minute for key a; slow down"
    limiter.check("b")  # another key is untouched
    clock.now += 20  # exactly 60 s after the first: still inside the window
    with pytest.raises(RateLimitedError):
        limiter.check("a")
    clock.now += 0.001  # now it has left
    limiter.check("a")
    with pytest.raises(RateLimitedError):
        limiter.check("a")


def test_a_refused_request_does_not_use_up_the_budget(clock: Clock) -> None:
    limiter = RateLimiter(per_minute=1)
    limiter.check("a")
    for _ in range(5):
        clock.now += 10
        with pytest.raises(RateLimitedError):
            limiter.check("a")
    clock.now += 10.5  # 60.5 s after the only accepted request
    limiter.check("a")


# --- verified-key cache ----------------------------------------------------------------


class CountingStore:
    """Verifies keys named ``secret-<role>``; counts the store round trips (what a real
    store cannot show)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.revoked: set[str] = set()

    def verify_key(self, presented: str) -> ApiKey:
        self.calls.append(presented)
        if presented in self.revoked or not presented.startswith("secret-"):
            raise AuthenticationError("invalid API key")
        role = presented.removeprefix("secret-")
        return ApiKey(f"id-{role}", role, False, None, "2026-01-01", None, None)


def test_the_cache_answers_within_its_ttl_and_asks_the_store_after(clock: Clock) -> None:
    store = CountingStore()
    cache = KeyCache(ttl=5.0)
    assert cache.verify(store, "secret-reader").role == "reader"  # type: ignore[arg-type]
    clock.now += 4.999
    assert cache.verify(store, "secret-reader").role == "reader"  # type: ignore[arg-type]
    assert store.calls == ["secret-reader"]
    store.revoked.add("secret-reader")
    clock.now += 0.001  # exactly ttl after it was verified: the store decides again
    with pytest.raises(AuthenticationError):
        cache.verify(store, "secret-reader")  # type: ignore[arg-type]
    assert store.calls == ["secret-reader", "secret-reader"]


def test_the_cache_keeps_each_key_apart(clock: Clock) -> None:
    store = CountingStore()
    cache = KeyCache(ttl=60.0)
    for _ in range(2):
        assert cache.verify(store, "secret-reader").key_id == "id-reader"  # type: ignore[arg-type]
        assert cache.verify(store, "secret-admin").key_id == "id-admin"  # type: ignore[arg-type]
    assert store.calls == ["secret-reader", "secret-admin"]
    # an unknown key is never cached
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            cache.verify(store, "nope")  # type: ignore[arg-type]
    assert store.calls.count("nope") == 2


def test_a_zero_ttl_always_asks_the_store(clock: Clock) -> None:
    store = CountingStore()
    cache = KeyCache(ttl=0.0)
    cache.verify(store, "secret-reader")  # type: ignore[arg-type]
    cache.verify(store, "secret-reader")  # type: ignore[arg-type]
    assert len(store.calls) == 2


def test_the_cache_never_holds_more_than_its_bound(clock: Clock) -> None:
    store = CountingStore()
    cache = KeyCache(ttl=60.0)
    assert cache.max_entries == deps_module.KEY_CACHE_ENTRIES == 10_000
    cache.max_entries = 2
    cache.verify(store, "secret-a")  # type: ignore[arg-type]
    cache.verify(store, "secret-b")  # type: ignore[arg-type]
    cache.verify(store, "secret-b")  # type: ignore[arg-type]
    assert store.calls == ["secret-a", "secret-b"]
    cache.verify(store, "secret-c")  # full: starts again with c alone
    assert len(cache._keys) == 1
    cache.verify(store, "secret-c")  # type: ignore[arg-type]
    cache.verify(store, "secret-a")  # type: ignore[arg-type]
    assert store.calls == ["secret-a", "secret-b", "secret-c", "secret-a"]


def test_the_app_caches_for_the_configured_time(api_db: Path) -> None:
    app = create_app(settings_for(api_db, api_key_cache_seconds=1.5))
    assert app.state.key_cache.ttl == 1.5
