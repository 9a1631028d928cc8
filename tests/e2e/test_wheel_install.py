"""An install that starts: the conditions of the Docker image, reproduced without Docker.

The wheel is built and installed (not editable) into a fresh virtualenv owned by root
(or made read-only when the suite does not run as root); then, as an unprivileged user
(``nobody``) with an unwritable ``HOME``, the installed ``graph-engine`` runs ``--help``,
``schema``, ``ingest``, ``compute``, ``top`` and ``serve`` + ``GET /v1/health`` (and the
web explorer's page) against
the live Neo4j. This is what failed before: numba had nowhere to cache its kernels, the
Cypher files were not in the wheel, and the wheel installed a top-level ``api``.

Needs PyPI (the dependencies are installed as a user would) and the live Neo4j; marked
``slow`` and ``neo4j`` (both run in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_engine.config import Settings
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from tests import neo4j_live
from tests.conftest import free_port
from tests.contract.conftest import _neo4j_store

pytestmark = [pytest.mark.slow, pytest.mark.neo4j]

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
AS_ROOT = os.geteuid() == 0


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload, no-any-return]


def _interpreter() -> str:
    """A Python >= 3.11 that the unprivileged user may execute (this one may live in a
    home directory only its owner can enter, e.g. a pyenv under /root)."""
    candidates = [os.path.realpath(getattr(sys, "_base_executable", sys.executable))]
    candidates += [p for p in ("/usr/local/bin/python3", "/usr/bin/python3") if os.path.exists(p)]
    check = "import sys, venv; sys.exit(sys.version_info < (3, 11))"
    for python in candidates:
        kw: dict[str, object] = (
            {"user": NOBODY, "group": NOBODY, "extra_groups": []} if AS_ROOT else {}
        )
        try:
            if _run([python, "-c", check], cwd="/", **kw).returncode == 0:
                return python
        except PermissionError:
            continue
    pytest.fail(f"no Python >= 3.11 with venv that user {NOBODY} can run among {candidates}")


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """A fresh venv with the wheel installed, readable but not writable by the test user."""
    top = Path(tempfile.mkdtemp(prefix="graph-engine-wheel-"))
    top.chmod(0o755)
    try:
        dist = top / "dist"
        built = _run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(ROOT)],
        )
        assert built.returncode == 0, built.stdout + built.stderr
        (wheel,) = dist.glob("graph_engine-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        tops = {n.split("/", 1)[0] for n in names}
        assert "api" not in tops, "the wheel must not install a top-level 'api' package"
        assert {"graph_engine", "graph_engine_api"} <= tops
        assert "graph_engine/cypher/ingest/follow.cypher" in names
        assert "graph_engine/cypher/model.json" in names
        # the web explorer, built by scripts/install, ships as the API's package data
        assert "graph_engine_api/web/index.html" in names
        assert any(n.startswith("graph_engine_api/web/assets/") for n in names)
        venv = top / "venv"
        made = _run([_interpreter(), "-m", "venv", str(venv)])
        assert made.returncode == 0, made.stderr
        pip = _run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
             "-q", f"{wheel}[parquet]"],
        )  # fmt: skip
        assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
        if not AS_ROOT:  # no other user to become: make the install read-only instead
            for path in [venv, *venv.rglob("*")]:
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode & ~0o222)
        yield venv
    finally:
        for path in [top, *top.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o700)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A directory the unprivileged user owns (its data, quarantine and numba cache)."""
    path = Path(tempfile.mkdtemp(prefix="graph-engine-user-"))
    path.chmod(0o755)
    if AS_ROOT:
        os.chown(path, NOBODY, NOBODY)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _as_user(venv: Path, work: Path, server: neo4j_live.LiveNeo4j, salt: str) -> dict[str, object]:
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": "/nonexistent",  # unwritable, as for a container's service user
        "LANG": "C.UTF-8",
        "GRAPH_ENGINE_ENVIRONMENT": "production",
        "GRAPH_ENGINE_IDENTITY_SALT": salt,
        **server.env(),
    }
    kw: dict[str, object] = {"env": env, "cwd": str(work)}
    if AS_ROOT:
        kw.update(user=NOBODY, group=NOBODY, extra_groups=[])
    return kw


def test_installed_wheel_runs_as_unprivileged_user_on_live_neo4j(
    installed: Path, workdir: Path, settings: Settings
) -> None:
    server = neo4j_live.require()
    store = _neo4j_store(settings)  # an empty, marked test database
    salt = store.identity_salt()
    store.close()
    generate(workdir / "data", SyntheticConfig(customers=300, seed=11))
    if AS_ROOT:
        for path in [workdir / "data", *(workdir / "data").rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    kw = _as_user(installed, workdir, server, salt)
    ge = str(installed / "bin" / "graph-engine")

    who = _run(["id", "-u"], **kw)
    assert who.stdout.strip() == (str(NOBODY) if AS_ROOT else str(os.getuid()))

    helped = _run([ge, "--help"], **kw)
    assert helped.returncode == 0 and "ingest" in helped.stdout, helped.stderr

    schema = _run([ge, "schema", "--json"], **kw)
    assert schema.returncode == 0, schema.stderr

    quarantine = workdir / "rejected.jsonl"
    ingest = _run(
        [ge, "ingest", "data/events.jsonl", "--quarantine", str(quarantine), "--json"], **kw
    )
    assert ingest.returncode == 0, ingest.stderr
    report = json.loads(ingest.stdout)
    assert report["accepted"] > 1000

    compute = _run([ge, "compute", "--json"], **kw)
    assert compute.returncode == 0, compute.stderr
    assert json.loads(compute.stdout)["status"] == "complete"

    top = _run([ge, "top", "--limit", "5", "--json"], **kw)
    assert top.returncode == 0, top.stderr
    assert len(json.loads(top.stdout)["data"]) == 5

    port = free_port()
    proc = subprocess.Popen(
        [ge, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kw,  # type: ignore[arg-type]
    )
    try:
        health: dict[str, object] | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2) as r:
                    health = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert health is not None and health["status"] == "ok", health
        assert health["run_id"] is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/communities/1", timeout=5) as r:
            page = r.read().decode()
        assert '<div id="app">' in page and "/assets/" in page  # the explorer, installed
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
