"""docker-compose.yml and the Dockerfile say what the README promises (static checks:
no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_neo4j_5_healthy_before_the_api_with_no_default_secret() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    neo4j, api = compose["services"]["neo4j"], compose["services"]["api"]
    assert re.fullmatch(r"neo4j:5(\.\d+)*-community", neo4j["image"])
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert {v.split(":")[1] for v in neo4j["volumes"]} >= {"/data", "/logs"}
    assert "heap" in " ".join(neo4j["environment"]) and "pagecache" in " ".join(
        neo4j["environment"]
    )
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["build"] == "."
    env = api["environment"]
    assert env["GRAPH_ENGINE_STORE_URL"].startswith("neo4j://neo4j:")
    assert env["GRAPH_ENGINE_NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD:?")
    assert env["GRAPH_ENGINE_IDENTITY_SALT"].startswith("${GRAPH_ENGINE_IDENTITY_SALT:?")
    # no secret literal anywhere: every password comes from ${...:?} (required) variables
    assert not re.search(r"^\s*\w*PASSWORD\w*:\s*[^$\s]", text, re.MULTILINE)


def test_dockerfile_installs_the_wheel_and_sets_up_schema_first() -> None:
    text = (ROOT / "Dockerfile").read_text()
    # the Cypher files ship inside the wheel (package data), not beside it
    assert "COPY cypher" not in text and "GRAPH_ENGINE_CYPHER_DIR" not in text
    assert 'pip install ".[parquet]"' in text and "pip install -e" not in text
    cmd = text.split("CMD", 1)[1]
    assert cmd.index("graph-engine schema") < cmd.index("graph-engine serve")
    assert "USER " in text and "HEALTHCHECK" in text
