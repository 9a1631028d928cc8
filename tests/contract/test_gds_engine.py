"""The GDS compute engine on the live Neo4j (marked ``neo4j``; runs in CI).

One synthetic store of 20,000 customers is computed with ``--engine python`` and then
with ``graph-engine compute --engine gds`` (the CLI, as a user runs it); the two runs
must agree: PageRank influence to 1e-6 relative, communities with NMI >= 0.9 and
modularity within 0.01, the same tier for >= 99% of customers. Then what the engine
promises around the computation: the run records engine and version, projections are
dropped (also when a stage fails), a plan too large for the heap is refused before
anything is projected, and a rerun keeps the previous run's community ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph_engine.config import Settings
from graph_engine.engines import GdsEngine, PythonEngine, select_engine
from graph_engine.errors import ConfigError, InsufficientMemoryError, StoreError
from graph_engine.ingest import Ingestor, Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.pipeline import compute
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store import SQLiteStore
from graph_engine.store.base import RunRecord, ScoreRecord
from graph_engine.store.gds import GRAPH_PREFIX, GdsClient
from graph_engine.store.neo4j import Neo4jStore
from tests import neo4j_live
from tests.contract.conftest import _neo4j_store
from tests.e2e.test_cli import as_json, cli
from tests.partitions import nmi

CUSTOMERS = 20_000


@dataclass
class Computed:
    store: Neo4jStore
    settings: Settings
    python: RunRecord
    gds: RunRecord
    env: dict[str, str]
    catalog: set[str]  # GDS graphs of this library that existed before the tests

    def projections(self) -> set[str]:
        """Graphs of this library in the GDS catalog now, not counting earlier ones."""
        gds = self.store.gds()
        assert gds is not None
        return set(gds.graphs(GRAPH_PREFIX)) - self.catalog

    def scores(self, run: RunRecord) -> dict[Any, ScoreRecord]:
        return {s.customer_id: s for s in self.store.run_scores(run.run_id)}


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Computed]:
    tmp = tmp_path_factory.mktemp("gds")
    settings = Settings(identity_salt="test-salt", quarantine_dir=tmp / "q", ingest_batch_size=5000)
    store = _neo4j_store(settings)
    generate(tmp / "data", SyntheticConfig(customers=CUSTOMERS, seed=11))
    Ingestor(store, settings).ingest([Source(tmp / "data" / "events.jsonl", "jsonl")])
    python = compute(store, settings, engine="python")
    gds_client = store.gds()
    assert gds_client is not None
    before = set(gds_client.graphs(GRAPH_PREFIX))  # what other processes left, if any
    server = neo4j_live.require()
    env = {**os.environ, **server.env(), "GRAPH_ENGINE_IDENTITY_SALT": "test-salt"}
    out = as_json(cli("compute", "--engine", "gds", "--json", env=env, cwd=tmp))
    gds = store.current_run()
    assert gds is not None and gds.run_id == out["run_id"]
    yield Computed(store, settings, python, gds, env, before)
    store.close()


@pytest.mark.neo4j
def test_gds_run_is_published_and_records_engine_and_version(computed: Computed) -> None:
    run, store = computed.gds, computed.store
    assert run.status == "complete"
    gds = store.gds()
    assert gds is not None
    assert run.config["engine"] == "gds"
    assert run.config["engine_version"] == gds.version()
    assert computed.python.config["engine"] == "python"
    assert computed.python.config["engine_version"] is None
    detection = run.summary["community_detection"]
    assert detection["algorithm"] == "gds.leiden"
    assert detection["randomSeed"] == computed.settings.compute_seed
    estimate = run.summary["engine_memory_estimate"]
    assert 0 < estimate["influence"]["bytes_min"] <= estimate["influence"]["bytes_max"]
    assert estimate["heap_free"] > estimate["communities"]["bytes_min"]
    # every projection the run made is gone
    assert computed.projections() == set()


@pytest.mark.neo4j
def test_engines_agree_on_influence_communities_and_tiers(computed: Computed) -> None:
    py, gd = computed.scores(computed.python), computed.scores(computed.gds)
    assert len(py) > 0.9 * CUSTOMERS
    assert py.keys() == gd.keys()
    ids = sorted(py)
    a = np.array([py[i].influence for i in ids])
    b = np.array([gd[i].influence for i in ids])
    assert np.all(a > 0)
    np.testing.assert_allclose(b, a, rtol=1e-6, atol=0)
    agreement = nmi([py[i].community_id for i in ids], [gd[i].community_id for i in ids])  # type: ignore[misc]
    assert agreement >= 0.9, agreement
    q_py = computed.python.summary["modularity"]
    q_gds = computed.gds.summary["modularity"]
    assert abs(q_py - q_gds) <= 0.01, (q_py, q_gds)
    same_tier = np.mean([py[i].tier == gd[i].tier for i in ids])
    assert same_tier >= 0.99, same_tier
    # the published form is the same whichever engine ran
    assert {type(getattr(py[ids[0]], f)) for f in ScoreRecord.__dataclass_fields__} == {
        type(getattr(gd[ids[0]], f)) for f in ScoreRecord.__dataclass_fields__
    }
    assert py[ids[0]].details.keys() == gd[ids[0]].details.keys()


@pytest.mark.neo4j
def test_rerun_keeps_community_ids(computed: Computed) -> None:
    again = compute(computed.store, computed.settings, engine="gds")
    try:
        stability = again.summary["community_stability"]
        assert stability["compared"] > 0.9 * CUSTOMERS
        # nothing changed since the last run: every customer keeps their community id
        assert stability["moved"] <= 0.01 * stability["compared"], stability
    finally:
        assert computed.projections() == set()


@pytest.mark.neo4j
def test_failure_mid_computation_drops_the_projection_and_keeps_the_previous_run(
    computed: Computed, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = computed.store
    before = store.current_run()
    assert before is not None
    seen: list[str] = []
    real_call = GdsClient.call

    def failing(self: GdsClient, algorithm: str, graph: Any, config: Any) -> dict[str, Any]:
        seen.extend(computed.projections())  # the projection exists while it runs
        if algorithm == "leiden":
            raise StoreError("injected: GDS failed mid-run")
        return real_call(self, algorithm, graph, config)

    monkeypatch.setattr(GdsClient, "call", failing)
    with pytest.raises(StoreError, match="injected"):
        compute(store, computed.settings, engine="gds")
    assert any("communities" in name for name in seen)
    assert computed.projections() == set()
    assert store.current_run().run_id == before.run_id  # type: ignore[union-attr]
    assert store.runs(limit=1)[0].status == "failed"


@pytest.mark.neo4j
def test_a_plan_beyond_the_heap_is_refused_before_projecting(computed: Computed) -> None:
    gds = computed.store.gds()
    assert gds is not None
    engine = GdsEngine(gds, "x")
    with pytest.raises(InsufficientMemoryError) as err:
        engine.check_memory(2_000_000_000, 20_000_000_000, 20_000_000_000)
    message = str(err.value)
    assert "MiB" in message and "heap free" in message and "--engine python" in message
    details = err.value.details
    assert details["bytes_min"] > details["heap_free"] > 0
    assert computed.projections() == set()


@pytest.mark.neo4j
def test_auto_picks_gds_on_neo4j(computed: Computed) -> None:
    engine = select_engine(computed.store, "auto")
    assert isinstance(engine, GdsEngine) and engine.version
    assert isinstance(select_engine(computed.store, "python"), PythonEngine)


def test_auto_is_python_and_gds_is_refused_on_sqlite(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        assert isinstance(select_engine(store, "auto"), PythonEngine)
        with pytest.raises(ConfigError, match="Graph Data Science"):
            select_engine(store, "gds")
        with pytest.raises(ConfigError, match="not one of"):
            select_engine(store, "spark")
    finally:
        store.close()


def test_cli_refuses_gds_on_sqlite(tmp_path: Path) -> None:
    proc = cli(
        "compute", "--engine", "gds", "--db", str(tmp_path / "g.db"), check=False, cwd=tmp_path
    )
    assert proc.returncode != 0
    assert "Graph Data Science" in proc.stderr


KILLED = """
import os, signal
from graph_engine.config import get_settings
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store.neo4j import Neo4jStore

settings = get_settings()
gds = Neo4jStore(settings.store_url, settings).gds()
with gds.project(GraphSnapshot.from_edges(["a"], ["b"]), label="run-00000-0dead0ff_influence"):
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would, mid-computation
"""


@pytest.mark.neo4j
def test_a_killed_runs_projection_is_released_by_the_next_run(computed: Computed) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", KILLED], env=computed.env, timeout=120)
    assert proc.returncode == -9
    left = {n for n in computed.projections() if "run-00000-0dead0ff" in n}
    assert len(left) == 1  # the killed process could not drop it
    gds = computed.store.gds()
    assert gds is not None
    # a graph someone projected with the client directly is not the engine's to drop
    with gds.project(GraphSnapshot.from_edges(["a"], ["b"]), label="analyst") as mine:
        run = compute(computed.store, computed.settings, engine="gds")
        assert set(run.summary["engine_released"]) == left
        assert mine.name in gds.graphs(GRAPH_PREFIX)
    assert computed.projections() == set()
