"""The graph-engine command end to end, in subprocesses, as a user runs it."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import datasets_dir

CLI = [sys.executable, "-m", "graph_engine.cli"]


def cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("gen")
    summary = as_json(
        cli("generate", "--customers", "3000", "--seed", "3", "--out", str(out), "--json")
    )
    return out, summary


def test_demo_20000_counts_match_ground_truth_minus_quarantine(tmp_path: Path) -> None:
    db = tmp_path / "X.db"
    result = as_json(cli("demo", "--customers", "20000", "--db", str(db), "--json", cwd=tmp_path))
    truth, ingest, stats = result["generated"], result["ingest"], result["stats"]
    for key, expected in truth["expected"].items():
        assert stats[key] == expected, key
    assert ingest["rejected"] == sum(truth["dirty"].values())
    assert ingest["duplicates"] == truth["duplicates"]
    assert ingest["accepted"] == truth["valid_events"] == stats["events"]
    assert ingest["merges"] == truth["expected"]["merges"] > 0
    quarantine = Path(ingest["quarantine"])
    assert len(quarantine.read_text().splitlines()) == ingest["rejected"]
    # the same stats come back from the stats command
    assert as_json(cli("stats", "--db", str(db), "--json")) == stats
    # a second demo run replaces the demo database
    again = as_json(cli("demo", "--customers", "500", "--db", str(db), "--json", cwd=tmp_path))
    assert again["stats"]["customers"] == 500


def test_ingest_twice_changes_no_count(
    tmp_path: Path, generated: tuple[Path, dict[str, Any]]
) -> None:
    out, summary = generated
    db = str(tmp_path / "twice.db")
    first = as_json(cli("ingest", str(out / "events.jsonl"), "--db", db, "--json"))
    assert set(first) >= {"accepted", "rejected", "duplicates", "merges", "quarantine"}
    stats = as_json(cli("stats", "--db", db, "--json"))
    assert {k: stats[k] for k in summary["expected"]} == summary["expected"]
    second = as_json(cli("ingest", str(out / "events.jsonl"), "--db", db, "--json"))
    assert second["accepted"] == 0 and second["merges"] == 0
    assert second["duplicates"] == first["accepted"] + first["duplicates"]
    assert as_json(cli("stats", "--db", db, "--json")) == stats


def _state(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's content (minus wall-clock columns), for exact comparison."""
    queries = {
        "customers": "SELECT * FROM customers ORDER BY pk",
        "identities": "SELECT * FROM identities ORDER BY key",
        "merges": "SELECT survivor, merged, survivor_id, merged_id, reason, evidence, event_id,"
        " at, edges_repointed, self_loops_dropped FROM merges ORDER BY seq",
        "follows": "SELECT * FROM follows ORDER BY follower, followee",
        "share_events": "SELECT * FROM share_events ORDER BY event_id",
        "referrals": "SELECT * FROM referrals ORDER BY referrer, referee, campaign_id",
        "orders": "SELECT * FROM orders ORDER BY order_id",
        "engagements": "SELECT * FROM engagements ORDER BY event_id",
        "event_log": "SELECT * FROM event_log ORDER BY event_id",
    }
    with sqlite3.connect(db) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def _killed_after(args: list[str], env: dict[str, str], db: Path, events: int) -> int:
    """Run the CLI with ``args``; SIGKILL it once ``db`` holds ``events`` committed events.

    Returns the events committed when it was killed (asserting it was killed mid-run).
    """
    proc = subprocess.Popen(
        [*CLI, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        try:
            with sqlite3.connect(db, timeout=0.1) as conn:
                committed = conn.execute("SELECT count(*) FROM event_log").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if committed >= events:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"
    assert committed > 0
    return int(committed)


def test_sigkill_mid_ingest_then_rerun_equals_one_clean_run(
    tmp_path: Path, generated: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = generated
    events = str(out / "events.jsonl")
    env = {
        **os.environ,
        "GRAPH_ENGINE_INGEST_BATCH_SIZE": "500",
        "GRAPH_ENGINE_IDENTITY_SALT": "kill-test",
    }
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    cli("ingest", events, "--db", str(clean), "--json", env=env)
    committed = _killed_after(["ingest", events, "--db", str(killed), "--json"], env, killed, 5000)
    rerun = as_json(cli("ingest", events, "--db", str(killed), "--json", env=env))
    assert rerun["duplicates"] >= committed
    assert _state(killed) == _state(clean)


def test_sigkill_mid_bulk_edge_list_then_rerun_equals_one_clean_run(tmp_path: Path) -> None:
    """The bulk edge-list path: each batch one transaction, so a re-run finishes the job."""
    rng = np.random.default_rng(5)
    pairs = rng.integers(0, 30_000, size=(400_000, 2))
    edges = tmp_path / "edges.txt.gz"
    with gzip.open(edges, "wt") as fh:
        fh.write("# a generated follow graph\n")
        fh.writelines(f"{a}\t{b}\n" for a, b in pairs.tolist())
    env = {
        **os.environ,
        "GRAPH_ENGINE_INGEST_BULK_BATCH_SIZE": "20000",
        "GRAPH_ENGINE_IDENTITY_SALT": "kill-test",
    }
    args = ["ingest", str(edges), "--type", "follow", "--at", "2026-01-01T00:00:00Z", "--json"]
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    first = as_json(cli(*args, "--db", str(clean), env=env))
    committed = _killed_after([*args, "--db", str(killed)], env, killed, 40_000)
    rerun = as_json(cli(*args, "--db", str(killed), env=env))
    assert rerun["duplicates"] >= committed
    assert rerun["accepted"] + rerun["duplicates"] == first["accepted"] + first["duplicates"]
    assert _state(killed) == _state(clean)


def test_strict_exits_1_when_rows_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"type": "order", "customer": "a", "order_id": "1", "amount": -1, "at": "2026-01-01"}\n'
    )
    proc = cli(
        "ingest", str(path), "--db", str(tmp_path / "s.db"), "--strict", "--json", check=False
    )
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["rejected"] == 1 and Path(report["quarantine"]).exists()
    relaxed = cli("ingest", str(path), "--db", str(tmp_path / "s.db"))
    assert "rejected" in relaxed.stdout and "amount: must be >= N" in relaxed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ingest", "/nonexistent/events.jsonl"],
            "error: /nonexistent/events.jsonl: no such file or directory",
        ),
        (["ingest", "{tmp}/events.jsonl", "--db", "{tmp}/missing-dir/x.db"], "does not exist"),
        (["ingest", "{tmp}/events.jsonl", "--db", "{tmp}"], "is a directory"),
        (["stats", "--db", "{tmp}/nothing.db"], "error: no database at"),
        (["stats", "--db", "{tmp}/junk.db"], "file is not a database"),
        (["ingest", "{tmp}/edges.txt"], "an edge list needs --type follow or share or referral"),
        (["ingest", "{tmp}/sheet.xlsx"], "cannot tell the format from suffix '.xlsx'"),
        (["ingest", "{tmp}/unreadable.jsonl", "--db", "{tmp}/u.db"], "cannot read"),
        (
            ["demo", "--customers", "10", "--db", "{tmp}/junk.db"],
            "is not a demo database; choose another --db",
        ),
        (["customer", "nobody", "--db", "{tmp}/u2.db"], "no customer with id or identity"),
        (["schema", "--db", "bolt://127.0.0.1:1"], "Neo4j password not set"),
        (["stats", "--db", "neo4j+s://127.0.0.1:1"], "GRAPH_ENGINE_NEO4J_PASSWORD"),
        (["stats", "--db", "postgres://x"], "unknown scheme 'postgres'"),
    ],
)
def test_errors_are_one_line_exit_2_no_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "events.jsonl").write_text("")
    (tmp_path / "edges.txt").write_text("1 2\n")
    (tmp_path / "sheet.xlsx").write_text("x")
    (tmp_path / "junk.db").write_bytes(b"not a database" * 200)
    unreadable = tmp_path / "unreadable.jsonl"
    unreadable.write_text("{}")
    unreadable.chmod(0)
    command = [a.format(tmp=tmp_path) for a in args]
    if os.geteuid() == 0 and "unreadable" in " ".join(args):
        # root reads any file: run this one as root without the capabilities that let it
        # (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set)
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test an unreadable file as root"
        proc = subprocess.run(
            [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *CLI, *command],
            capture_output=True,
            text=True,
            timeout=600,
        )
    else:
        proc = cli(*command, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or "Usage" in proc.stderr, proc.stderr
    assert message in " ".join(lines), proc.stderr


def test_customer_and_merges_commands(
    tmp_path: Path, generated: tuple[Path, dict[str, Any]]
) -> None:
    out, _ = generated
    db = str(tmp_path / "c.db")
    cli("ingest", str(out / "events.jsonl"), "--db", db)
    merges = as_json(cli("merges", "--db", db, "--limit", "3", "--json"))
    assert merges["count"] == 3 and "identity_link" in merges["data"][0]["reason"]
    merged_id = merges["data"][0]["merged_id"]
    person = as_json(cli("customer", merged_id, "--db", db, "--json"))
    assert person["id"] == merges["data"][0]["survivor_id"]
    assert merged_id in person["merged_ids"]
    assert all(not k.startswith("phone:1") for k in person["identities"])  # hashed


def test_ego_facebook_ingests_as_follows(tmp_path: Path) -> None:
    path = datasets_dir() / "facebook_combined.txt.gz"
    db = str(tmp_path / "fb.db")
    report = as_json(cli("ingest", str(path), "--type", "follow", "--db", db, "--json"))
    assert (report["accepted"], report["rejected"]) == (88_234, 0)
    stats = as_json(cli("stats", "--db", db, "--json"))
    assert stats["customers"] == 4_039 and stats["edges"]["FOLLOWS"] == 88_234


@pytest.mark.slow
def test_higgs_retweets_ingest_as_shares(tmp_path: Path) -> None:
    path = datasets_dir() / "higgs-retweet_network.edgelist.gz"
    db = str(tmp_path / "higgs.db")
    report = as_json(
        cli(
            "ingest",
            str(path),
            "--type",
            "share",
            "--columns",
            "viewer,sharer,count",
            "--action",
            "click",
            "--db",
            db,
            "--json",
        )
    )
    stats = as_json(cli("stats", "--db", db, "--json"))
    # 328,132 rows whose weights add up to 354,930 retweets among 256,491 users
    assert (report["accepted"], report["rejected"]) == (354_930, 0)
    assert stats["edges"]["SHARED_TO"] == 328_132 and stats["customers"] == 256_491
