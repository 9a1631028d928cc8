"""Summarise one mutmut group for ``scripts/mutate``.

Reads ``mutmut results --all true`` output, looks up each surviving mutant's diff, sets
aside the survivors that ``equivalent.tsv`` explains as equivalent (the program behaves
the same, so no test can kill them), and appends to the report one line of counts and
the diff of every unexplained survivor.

Usage: ``report.py GROUP RESULTS REPORT EQUIVALENTS``

Statuses: ``killed``, ``timeout`` and ``segfault`` count as killed (a test noticed);
``survived`` and ``no tests`` as survivors (no test noticed); ``not checked`` means the
mutant is outside the group's selection and is not counted.
"""

from __future__ import annotations

import collections
import fnmatch
import pathlib
import re
import subprocess
import sys

KILLED = {"killed", "timeout", "segfault"}
SURVIVED = {"survived", "no tests"}


def load_equivalents(path: pathlib.Path) -> list[tuple[str, str, str]]:
    """(function key, mutated line, reason) rows; ``#`` starts a comment. The key may use
    shell wildcards; a mutated line starting with ``re:`` is a regular expression."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise SystemExit(f"{path}:{number}: want 3 tab-separated fields, got {line!r}")
        rows.append((parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return rows


def same(row: str, line: str, original: str) -> bool:
    """Whether an equivalents row's mutated line matches ``line``: exactly, as a regular
    expression when the row starts with ``re:``, or ``case-only``: the mutant changed
    only the letter case of a line without quoted text (SQL keywords and names)."""
    if row == "case-only":
        return line != original and line.lower() == original.lower() and "'" not in line
    if row.startswith("re:"):
        return re.fullmatch(row[3:], line) is not None
    return row == line


def diff_of(name: str) -> str:
    shown = subprocess.run(
        [".venv/bin/mutmut", "show", name], capture_output=True, text=True, check=False
    )
    return shown.stdout


def changed_lines(diff: str) -> tuple[str, str]:
    lines = diff.splitlines()
    minus = [ln[1:].strip() for ln in lines if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:].strip() for ln in lines if ln.startswith("+") and not ln.startswith("+++")]
    return " ".join(minus), " ".join(plus)


def main() -> None:
    group, results, report, equivalents_file = sys.argv[1:5]
    equivalents = load_equivalents(pathlib.Path(equivalents_file))
    counts: collections.Counter[str] = collections.Counter()
    survivors: list[str] = []
    for line in pathlib.Path(results).read_text().splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name or "__mutmut_" not in name:
            continue
        counts[status] += 1
        if status in SURVIVED:
            survivors.append(name)
    killed = sum(counts[s] for s in KILLED)
    explained: list[tuple[str, str, str]] = []
    unexplained: list[tuple[str, str]] = []
    for name in survivors:
        diff = diff_of(name)
        key = re.sub(r"__mutmut_\d+$", "", name)
        minus, plus = changed_lines(diff)
        reason = next(
            (
                r
                for k, mutated, r in equivalents
                if fnmatch.fnmatchcase(key, k) and same(mutated, plus, minus)
            ),
            None,
        )
        if reason is None:
            unexplained.append((name, diff))
        else:
            explained.append((name, plus, reason))
    tested = killed + len(unexplained)
    score = killed / tested if tested else 1.0
    other = {s: n for s, n in counts.items() if s not in KILLED | SURVIVED}
    with open(report, "a") as out:
        out.write(
            f"{group}: {killed + len(survivors)} mutants, killed {killed}, "
            f"survived {len(unexplained)}, equivalent {len(explained)}; "
            f"score {score:.1%} of non-equivalent mutants killed"
            + (f" (outside the selection: {other})" if other else "")
            + "\n"
        )
        for name, plus, reason in explained:
            out.write(f"  equivalent: {name}: {plus}  -- {reason}\n")
        for name, diff in unexplained:
            out.write(f"  survived: {name}\n")
            out.write("".join(f"    {ln}\n" for ln in diff.splitlines() if ln[:1] in "+-"))


if __name__ == "__main__":
    main()
