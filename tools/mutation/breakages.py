"""The regressions a reviewer once slipped past the suite, each applied in turn: every one
must make at least one test fail.

Each breakage rewrites one or more files in place (a reviewer's hand edit), runs the
tests that should notice, restores the files, and reports the first failing test. The
Cypher ones need the Neo4j of ``scripts/neo4j start`` (``eval "$(scripts/neo4j env)"``).

Usage: ``python tools/mutation/breakages.py [NAME ...]``; exit status 1 when a breakage
passes every test. The target files must be committed (``git checkout`` undoes an
interrupted run).
"""

from __future__ import annotations

import pathlib
import re
import sys
from dataclasses import dataclass

from _inplace import ROOT, pytest, require_committed

PKG = "graph_engine"
CONTRACT_NEO4J = [
    "tests/contract/test_graph_store.py",
    "tests/contract/test_runs.py",
    "-m",
    "neo4j and not slow",
]


@dataclass(frozen=True)
class Breakage:
    name: str
    edits: tuple[tuple[str, str, str], ...]  # (file, text, replacement)
    tests: tuple[str, ...]


BREAKAGES = (
    Breakage(
        "a reader may select seeds",
        (("api/permissions.py", '"selectSeeds": "plan",', '"selectSeeds": "read",'),),
        ("tests/api/test_permissions.py",),
    ),
    Breakage(
        "community influencers without a key",
        (
            (
                "api/permissions.py",
                '"listCommunityInfluencers": "read",',
                '"listCommunityInfluencers": None,',
            ),
            (
                "api/permissions.py",
                'PUBLIC = frozenset({"health", "metrics"})',
                'PUBLIC = frozenset({"health", "metrics", "listCommunityInfluencers"})',
            ),
        ),
        ("tests/api/test_permissions.py",),
    ),
    Breakage(
        "KOC without the top share of expected reach",
        (
            (
                f"{PKG}/scoring/tiers.py",
                "            and top_share[i] <= rules.koc_top_fraction\n",
                "",
            ),
        ),
        (
            "tests/unit/test_scoring.py",
            "tests/unit/test_tier_rules.py",
            "tests/e2e/test_pipeline.py",
        ),
    ),
    Breakage(
        "a merged person's exclusive keys stay behind",
        (
            (
                f"{PKG}/identity.py",
                "            moved = self._exclusive.pop(other, {})\n"
                "            self._exclusive.setdefault(survivor, {}).update(moved)\n",
                "",
            ),
        ),
        ("tests/unit/test_identity.py", "tests/unit/test_ingest.py", "tests/contract"),
    ),
    Breakage(
        "Leiden resolution hard-coded to 1.0",
        (
            (
                f"{PKG}/algorithms/community/leiden.py",
                "    resolution = gamma / two_m\n",
                "    resolution = 1.0 / two_m\n",
            ),
        ),
        ("tests/unit/algorithms",),
    ),
    Breakage(
        "Leiden ignores the weights",
        (
            (
                f"{PKG}/algorithms/community/_graph.py",
                "    w = np.ascontiguousarray(edge_weights(und, weighted), dtype=np.float64)\n",
                "    w = np.ones(und.m)\n",
            ),
        ),
        ("tests/unit/algorithms",),
    ),
    Breakage(
        "Cypher: FOLLOWS read reversed",
        (
            (
                f"{PKG}/cypher/read/follows_page.cypher",
                "MATCH (a)-[f:FOLLOWS]->(b:Customer)",
                "MATCH (a)<-[f:FOLLOWS]-(b:Customer)",
            ),
        ),
        tuple(CONTRACT_NEO4J),
    ),
    Breakage(
        "Cypher: last write loses",
        (
            (
                f"{PKG}/cypher/ingest/follow.cypher",
                "WHERE fresh OR f.at <= row.at",
                "WHERE fresh OR f.at >= row.at",
            ),
        ),
        tuple(CONTRACT_NEO4J),
    ),
    Breakage(
        "Cypher: top scores sorted ascending",
        (
            (
                f"{PKG}/cypher/scores/top.cypher",
                "ORDER BY s[$by] DESC, s.customer_id",
                "ORDER BY s[$by] ASC, s.customer_id",
            ),
        ),
        tuple(CONTRACT_NEO4J),
    ),
)


def run(breakage: Breakage) -> tuple[bool, str]:
    """(caught, first failing test or the summary line)."""
    originals: dict[pathlib.Path, str] = {}
    try:
        for file, text, replacement in breakage.edits:
            path = ROOT / file
            originals.setdefault(path, path.read_text())
            current = path.read_text()
            if current.count(text) != 1:
                raise SystemExit(f"{breakage.name}: {text!r} is not once in {file}")
            path.write_text(current.replace(text, replacement))
        result = pytest("-rfE", *breakage.tests)
    finally:
        for path, text in originals.items():
            path.write_text(text)
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.M)
    if result.returncode == 0:
        return False, result.stdout.strip().splitlines()[-1]
    if not failed:
        raise SystemExit(f"{breakage.name}: tests did not run\n{result.stdout[-3000:]}")
    return True, failed[0]


def main() -> None:
    wanted = sys.argv[1:]
    chosen = [b for b in BREAKAGES if not wanted or any(w in b.name for w in wanted)]
    files = sorted({f for b in chosen for f, _, _ in b.edits})
    require_committed(files)
    missed = 0
    for breakage in chosen:
        caught, evidence = run(breakage)
        missed += not caught
        print(f"{'caught' if caught else 'MISSED'}: {breakage.name}: {evidence}", flush=True)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
