"""Mutation testing for the rules written as queries: the embedded store's SQL and the
Neo4j store's Cypher.

mutmut mutates Python; inside a string it only garbles the text, which any test catches
as a syntax error. The merge and last-write rules of both stores are written in SQL and
Cypher, so this tool mutates their meaning: comparison operators (``<=`` to ``<``, ``<``
to ``>``, ...), ``AND``/``OR``, ``IS NULL``/``IS NOT NULL``, ``min``/``max``,
``ASC``/``DESC``, ``true``/``false``, dropped ``NOT``, swapped ``coalesce`` arguments,
``+``/``-`` and the direction of a Cypher relationship pattern. Each mutant is written
into the file in place, the group's tests run (stopping at the first failure), and the
file is restored; a mutant survives when every test passes.

Usage: ``python tools/mutation/queries.py GROUP REPORT`` with GROUP ``sql`` or
``cypher``; ``scripts/mutate sql cypher`` calls it (``cypher`` needs the Neo4j that
``scripts/neo4j start`` runs). The target files must be committed: an interrupted run is
undone with ``git checkout``.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import pathlib
import re
import sys
import time
import tokenize
from collections.abc import Iterator

from _inplace import ROOT, pytest, require_committed

SQLITE = ROOT / "graph_engine" / "store" / "sqlite.py"
CYPHER = ROOT / "graph_engine" / "cypher" / "ingest"

#: SQL of the embedded store that holds merge, de-duplication and last-write rules: the
#: module's statement constants and the strings inside these methods.
SQL_CONSTANTS = ("_UPSERT_FOLLOW", "_UPSERT_REFERRAL", "_REVENUE")
SQL_METHODS = (
    "apply",
    "_apply_edges",
    "_apply_profiles",
    "_apply_orders",
    "_merge",
    "_merge_profile",
)
#: Cypher files of the Neo4j store's ingest rules (merges, last write, de-duplication).
CYPHER_FILES = (
    "activity",
    "customer",
    "follow",
    "merge_finish",
    "merge_move",
    "merge_read",
    "order",
    "referral",
    "revenue",
    "share",
    "engagement",
    "identities",
    "existing_orders",
)

#: the store contract tests that exercise ingest and merges (the same for both stores)
CONTRACT = [
    "tests/contract/test_graph_store.py",
    "tests/contract/test_merge_rules.py",
    "tests/contract/test_last_write.py",
    "tests/contract/test_value_inputs.py",
    "tests/contract/test_campaign_store.py",
    "tests/contract/test_explore_reads.py",
]
TESTS = {
    "sql": [
        *CONTRACT,
        "tests/unit/test_sqlite_store.py",
        "tests/unit/test_ingest.py",
        "-m",
        "not neo4j and not slow",
    ],
    "cypher": [*CONTRACT, "-m", "neo4j and not slow"],
}

#: (name, pattern, replacement); the pattern must not match inside a Cypher arrow
OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("<= to <", r"(?<![<>!-])<=(?!-)", "<"),
    ("<= to >=", r"(?<![<>!-])<=(?!-)", ">="),
    (">= to >", r"(?<![<>!-])>=", ">"),
    (">= to <=", r"(?<![<>!-])>=", "<="),
    ("< to <=", r"(?<![<-])<(?![=>-])", "<="),
    ("< to >", r"(?<![<-])<(?![=>-])", ">"),
    ("> to >=", r"(?<![<>=-])>(?!=)", ">="),
    ("> to <", r"(?<![<>=-])>(?!=)", "<"),
    ("AND to OR", r"\bAND\b", "OR"),
    ("OR to AND", r"\bOR\b(?! REPLACE| IGNORE)", "AND"),
    ("IS NULL to IS NOT NULL", r"\bIS NULL\b", "IS NOT NULL"),
    ("IS NOT NULL to IS NULL", r"\bIS NOT NULL\b", "IS NULL"),
    ("min to max", r"\bmin\(", "max("),
    ("max to min", r"\bmax\(", "min("),
    ("ASC to DESC", r"\bASC\b", "DESC"),
    ("DESC to ASC", r"\bDESC\b", "ASC"),
    ("true to false", r"\btrue\b", "false"),
    ("false to true", r"\bfalse\b", "true"),
    ("drop NOT", r"\bNOT (?!NULL\b|EXISTS\b)", ""),
    ("+ to -", r"(?<=\s)\+(?=\s)", "-"),
    ("swap coalesce", r"coalesce\(([^(),]+), ([^(),]+)\)", r"coalesce(\2, \1)"),
    ("reverse ->", r"\)-\[([^\]]*)\]->\(", r")<-[\1]-("),
    ("reverse <-", r"\)<-\[([^\]]*)\]-\(", r")-[\1]->("),
)


@dataclasses.dataclass(frozen=True)
class Mutant:
    path: pathlib.Path
    start: int  # offset of the mutated span in the file
    end: int
    replacement: str
    operator: str
    line: int

    def describe(self, text: str) -> str:
        before = text.splitlines()[self.line - 1].strip()
        mutated = self.apply(text).splitlines()[self.line - 1].strip()
        rel = self.path.relative_to(ROOT)
        return f"{rel}:{self.line} [{self.operator}]\n    - {before}\n    + {mutated}"

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]


def mutants_in(path: pathlib.Path, text: str, spans: list[tuple[int, int]]) -> Iterator[Mutant]:
    """Every operator applied at every place it matches inside ``spans`` (offsets)."""
    for start, end in spans:
        region = text[start:end]
        comments = [m.span() for m in re.finditer(r"//[^\n]*|--[^\n]*", region)]
        for name, pattern, replacement in OPERATORS:
            for match in re.finditer(pattern, region):
                if any(a <= match.start() < b for a, b in comments):
                    continue
                s, e = start + match.start(), start + match.end()
                yield Mutant(
                    path, s, e, match.expand(replacement), name, text.count("\n", 0, s) + 1
                )


def sql_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the SQL string literals that hold the rules (see :data:`SQL_CONSTANTS`)."""
    tree = ast.parse(text)
    lines: list[tuple[int, int]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in SQL_CONSTANTS for t in node.targets
        ):
            lines.append((node.lineno, node.end_lineno or node.lineno))
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in SQL_METHODS:
                    lines.append((item.lineno, item.end_lineno or item.lineno))
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    spans = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING:
            continue
        if not any(a <= token.start[0] <= b for a, b in lines):
            continue
        if not re.search(r"\b(SELECT|UPDATE|INSERT|DELETE|WHERE)\b", token.string):
            continue
        spans.append(
            (offsets[token.start[0] - 1] + token.start[1], offsets[token.end[0] - 1] + token.end[1])
        )
    return spans


def collect(group: str) -> list[Mutant]:
    if group == "sql":
        text = SQLITE.read_text()
        return list(mutants_in(SQLITE, text, sql_spans(text)))
    out: list[Mutant] = []
    for name in CYPHER_FILES:
        path = CYPHER / f"{name}.cypher"
        text = path.read_text()
        body = min((m.start() for m in re.finditer(r"^(?!//).", text, re.M)), default=0)
        out.extend(mutants_in(path, text, [(body, len(text))]))
    return out


def load_equivalents(path: pathlib.Path) -> dict[tuple[str, str], str]:
    """(file:line text after mutation, operator) -> why it is equivalent."""
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        where, operator, reason = line.split("\t")
        out[(where.strip(), operator.strip())] = reason.strip()
    return out


def main() -> None:
    group, report = sys.argv[1], sys.argv[2]
    equivalents = load_equivalents(ROOT / "tools" / "mutation" / "equivalent-queries.tsv")
    mutants = collect(group)
    files = sorted({str(m.path.relative_to(ROOT)) for m in mutants})
    require_committed(files)
    killed, survived, explained = 0, [], []
    started = time.monotonic()
    for number, mutant in enumerate(mutants, 1):
        original = mutant.path.read_text()
        description = mutant.describe(original)
        try:
            mutant.path.write_text(mutant.apply(original))
            run = pytest("-p", "no:randomly", *TESTS[group])
        finally:
            mutant.path.write_text(original)
        if run.returncode == 0:
            line = original.splitlines()[mutant.line - 1].strip()
            key = (f"{mutant.path.relative_to(ROOT)}:{line}", mutant.operator)
            if key in equivalents:
                explained.append(f"{description}\n    equivalent: {equivalents[key]}")
            else:
                survived.append(description)
        elif run.returncode == 1:
            killed += 1
        else:  # an error collecting or running the tests is not a kill
            raise SystemExit(
                f"tests errored (rc {run.returncode}) on\n{description}\n{run.stdout[-3000:]}"
            )
        print(
            f"\r{group}: {number}/{len(mutants)} killed {killed} survived {len(survived)} "
            f"equivalent {len(explained)} ({time.monotonic() - started:.0f} s)",
            end="",
            file=sys.stderr,
            flush=True,
        )
    print(file=sys.stderr)
    tested = killed + len(survived)
    with open(report, "a") as out:
        out.write(
            f"{group}: {len(mutants)} mutants, killed {killed}, survived {len(survived)}, "
            f"equivalent {len(explained)}; score {killed / max(tested, 1):.1%} of "
            "non-equivalent mutants killed\n"
        )
        for text in explained:
            out.write(f"  equivalent: {text}\n")
        for text in survived:
            out.write(f"  survived: {text}\n")


if __name__ == "__main__":
    main()
