"""Static layer of the Neo4j store: every cypher/**/*.cypher is checked by Neo4j's own
Cypher language tooling (tools/cypher-lint, @neo4j-cypher/language-support, installed by
scripts/install with npm), and no Python code builds Cypher from strings.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graph_engine.errors import StoreError
from graph_engine.store.cypher import CYPHER_DIR, statement, statement_names

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "tools" / "cypher-lint"
BAD = ROOT / "tests" / "fixtures" / "bad_cypher"


def lint(*args: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the static Cypher check needs Node.js >= 18")
    if not (LINT / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail("tools/cypher-lint is not installed: run scripts/install (needs npm)")
    return subprocess.run(
        [node, str(LINT / "lint.mjs"), "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_cypher_file_passes_neo4j_language_tooling() -> None:
    done = lint()
    report = json.loads(done.stdout)
    problems = "\n".join(
        f"{p['file']}:{p['line']}:{p['col']}: {p['message']}" for p in report["problems"]
    )
    assert done.returncode == 0 and not problems, problems
    assert report["files"] == len(statement_names()) >= 60
    assert report["statements"] > report["files"]  # schema files hold several
    versions = json.loads((CYPHER_DIR / "model.json").read_text())["cypherVersions"]
    assert versions == ["CYPHER 5", "CYPHER 25"]  # valid on Neo4j 5 and on 2025+ servers


def test_the_static_check_catches_mistakes() -> None:
    done = lint("--root", str(BAD), "--model", str(CYPHER_DIR / "model.json"))
    assert done.returncode == 1
    messages = [p["message"] for p in json.loads(done.stdout)["problems"]]
    for expected in (
        "Label Custmer is not present",
        "idd is not present",
        "Parameter $b is not defined",
        "Variable `m` not defined",
        "parameter $unused is declared but not used",
        "missing header comment",
        "Invalid input 'RETRN'",
        "CALL subquery without a variable scope clause is deprecated",
        "(CYPHER 5): Invalid input 'FILTER'",
    ):
        assert any(expected in m for m in messages), (expected, messages)


_CYPHER = re.compile(
    r"\b(?:OPTIONAL\s+)?(?:MATCH|MERGE|UNWIND)\s*[($]|\bDETACH\s+DELETE\b|"
    r"\bCREATE\s+(?:CONSTRAINT|INDEX)\b[^;]*?\bFOR\s*\(|\bCREATE\s*\(|\bRETURN\s+\w+\s*\{",
)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants and f-string parts, docstrings excluded."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_string_built_cypher_anywhere() -> None:
    offenders = []
    for folder in ("graph_engine", "api", "benchmarks", "tests", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, text in _strings(tree):
                if _CYPHER.search(text) and path.name != Path(__file__).name:
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}")
    assert not offenders, "Cypher must live in cypher/*.cypher:\n" + "\n".join(offenders)
    # the pattern does find Cypher, so the test can fail
    assert _CYPHER.search(statement("ingest/follow").text)
    assert _CYPHER.search(statement("read/customer").text)
    assert _CYPHER.search(statement("schema/indexes").texts[1])


def test_statements_load_by_name_with_their_declared_parameters() -> None:
    s = statement("scores/top")
    assert {"run_id", "by", "tag", "platform", "limit", "offset"} <= set(s.parameters)
    assert s.text.startswith("// Ranked customers")
    assert len(statement("schema/constraints").texts) >= 3
    with pytest.raises(StoreError, match="holds"):
        _ = statement("schema/constraints").text
    with pytest.raises(StoreError, match="no Cypher statement 'read/nothing'"):
        statement("read/nothing")
    assert "examples/referral_tree" in statement_names()
