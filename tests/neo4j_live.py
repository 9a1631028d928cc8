"""The live Neo4j server the ``neo4j``-marked tests run against.

``scripts/neo4j start`` starts one and ``eval "$(scripts/neo4j env)"`` exports where it
is: ``GRAPH_ENGINE_STORE_URL`` (a ``bolt://`` / ``neo4j://`` URL), ``GRAPH_ENGINE_NEO4J_USER``
and ``GRAPH_ENGINE_NEO4J_PASSWORD_FILE`` (or ``GRAPH_ENGINE_NEO4J_PASSWORD``); the older
``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` names are read too.

The root ``conftest`` captures that connection once at start-up and then removes every
``GRAPH_ENGINE_*`` variable from the test process, so the rest of the suite runs on its
own settings whatever the shell exported. Without a server a live test skips with a
message; under CI (``CI`` set) it fails instead: the live layer never skips silently there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from graph_engine.config import Settings

__all__ = ["LiveNeo4j", "capture", "live", "require"]

_NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


@dataclass(frozen=True)
class LiveNeo4j:
    """Where the live server is and how to log in."""

    uri: str
    user: str
    password: str
    database: str | None

    def settings(self, base: Settings, **update: object) -> Settings:
        """``base`` pointed at this server (``model_copy`` does not validate: typed here)."""
        return base.model_copy(
            update={
                "store_url": self.uri,
                "neo4j_user": self.user,
                "neo4j_password": SecretStr(self.password),
                "neo4j_password_file": None,
                "neo4j_database": self.database,
                **update,
            }
        )

    def env(self) -> dict[str, str]:
        """Environment variables that point a ``graph-engine`` subprocess at this server."""
        env = {
            "GRAPH_ENGINE_STORE_URL": self.uri,
            "GRAPH_ENGINE_NEO4J_USER": self.user,
            "GRAPH_ENGINE_NEO4J_PASSWORD": self.password,
        }
        if self.database:
            env["GRAPH_ENGINE_NEO4J_DATABASE"] = self.database
        return env


_LIVE: LiveNeo4j | None = None
_CAPTURED = False


def capture() -> None:
    """Read the live server from the environment, then drop ``GRAPH_ENGINE_*`` from it."""
    global _LIVE, _CAPTURED
    if _CAPTURED:
        return
    _CAPTURED = True
    env = os.environ
    uri = env.get("NEO4J_URI") or env.get("GRAPH_ENGINE_STORE_URL", "")
    if uri.startswith(_NEO4J_SCHEMES):
        password = env.get("NEO4J_PASSWORD") or env.get("GRAPH_ENGINE_NEO4J_PASSWORD")
        file = env.get("NEO4J_PASSWORD_FILE") or env.get("GRAPH_ENGINE_NEO4J_PASSWORD_FILE")
        if password is None and file:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
            password = lines[0] if lines else ""
        _LIVE = LiveNeo4j(
            uri=uri,
            user=env.get("NEO4J_USER") or env.get("GRAPH_ENGINE_NEO4J_USER") or "neo4j",
            password=password or "",
            database=env.get("NEO4J_DATABASE") or env.get("GRAPH_ENGINE_NEO4J_DATABASE"),
        )
    for name in [n for n in env if n.startswith("GRAPH_ENGINE_")]:
        del env[name]


def live() -> LiveNeo4j | None:
    """The captured server, or None."""
    return _LIVE


def require() -> LiveNeo4j:
    """The captured server; skip without one (fail under CI)."""
    if _LIVE is None:
        message = (
            'no live Neo4j: run `scripts/neo4j start && eval "$(scripts/neo4j env)"` '
            "(or set NEO4J_URI and NEO4J_PASSWORD)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; under CI the live layer must run")
        pytest.skip(message)
    return _LIVE
