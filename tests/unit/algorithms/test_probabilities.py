"""Learned influence probabilities: the formula on a hand-built store, and the planted truth."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from graph_engine.algorithms.maximization import select_seeds
from graph_engine.algorithms.reach import estimate_spread, learn_probabilities
from graph_engine.config import Settings
from graph_engine.errors import ParameterError
from graph_engine.ingest import Ingestor
from graph_engine.ingest.readers import Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.snapshot import GraphSnapshot
from graph_engine.store import SQLiteStore
from tests.conftest import ingest
from tests.reach_exact import exact_spread, ic_worlds


def share(sharer: str, viewer: str, content: str, action: str, at: str) -> dict[str, str]:
    return {
        "type": "share",
        "sharer": sharer,
        "viewer": viewer,
        "content_id": content,
        "action": action,
        "at": at,
    }


def test_bernoulli_estimate_with_prior_and_window(store: SQLiteStore, settings: Settings) -> None:
    rows = [{"type": "follow", "follower": f, "followee": "kol"} for f in ("v", "w")]
    # kol posts 4 pieces in March; v clicks one, w only views
    for c in range(4):
        rows.append(share("kol", "v", f"c{c}", "view", "2026-03-02T10:00:00+00:00"))
        rows.append(share("kol", "w", f"c{c}", "view", "2026-03-02T10:00:00+00:00"))
    rows.append(share("kol", "v", "c0", "click", "2026-03-02T11:00:00+00:00"))
    # an old campaign in January: v converted twice
    rows.append(share("kol", "v", "old1", "convert", "2026-01-05T10:00:00+00:00"))
    rows.append(share("kol", "v", "old2", "click", "2026-01-06T10:00:00+00:00"))
    rows.append({"type": "referral", "referrer": "v", "referee": "x", "converted": True})
    ingest(store, settings, rows)
    march = store.snapshot(
        ("FOLLOWS", "SHARED_TO", "REFERRED"),
        influence=True,
        since=datetime(2026, 3, 1, tzinfo=UTC),
    )
    learned = learn_probabilities(march, prior_strength=0.0)
    p = learned.to_dict()
    assert p[("kol", "v")] == pytest.approx(1 / 4)
    assert p[("kol", "w")] == pytest.approx(0.0)
    # the referral (at T0, in the window) is evidence too: 1 invite, 1 conversion
    assert p[("v", "x")] == pytest.approx(1.0)
    trials = dict(zip(p, learned.trials.tolist(), strict=True))
    assert trials[("kol", "v")] == 4
    # parallel FOLLOWS (reversed) and SHARED_TO were merged into one edge
    assert learned.graph.m == 3
    everything = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True)
    all_time = learn_probabilities(everything, prior_strength=0.0).to_dict()
    assert all_time[("kol", "v")] == pytest.approx(3 / 6)
    shrunk = learn_probabilities(march, prior_strength=4.0, base=0.5).to_dict()
    assert shrunk[("kol", "v")] == pytest.approx((1 + 4 * 0.5) / (4 + 4))
    # no evidence: the weighted-cascade fallback (1 / in-degree)
    no_window = store.snapshot(
        ("FOLLOWS", "SHARED_TO", "REFERRED"),
        influence=True,
        since=datetime(2027, 1, 1, tzinfo=UTC),
    )
    fallback = learn_probabilities(no_window)
    assert fallback.with_evidence == 0
    assert fallback.to_dict()[("kol", "v")] == pytest.approx(1.0)
    # learned probabilities plug into reach on their own graph
    est = estimate_spread(learned.graph, ["kol"], learned, n_simulations=2000, seed=0)
    # exactly 1 + 1/4 (v) + 1/4 (x, whom v surely brings) = 1.5, by live-edge enumeration
    kol = list(learned.graph.ids).index("kol")
    exact = exact_spread(learned.graph, ic_worlds(learned.graph, learned.p.tolist()), [kol])
    assert exact == pytest.approx(1.5)
    assert abs(est.mean - exact) <= 4 * est.std_error
    # v (sure to bring x) beats kol (1 + 0.25 expected)
    assert select_seeds(learned.graph, learned, k=1, min_rr_sets=2000).seeds == ("v",)


def test_learning_needs_evidence_properties() -> None:
    g = GraphSnapshot.from_edges(["a"], ["b"])
    with pytest.raises(ParameterError, match="missing: relationship"):
        learn_probabilities(g)


def test_learned_probabilities_track_the_planted_ones(tmp_path: Path) -> None:
    out = tmp_path / "syn"
    generate(out, SyntheticConfig(customers=4000, seed=3))
    settings = Settings(identity_salt="syn-salt", quarantine_dir=tmp_path / "q")
    store = SQLiteStore(f"sqlite:///{tmp_path / 'syn.db'}", identity_salt="syn-salt")
    try:
        Ingestor(store, settings).ingest([Source(out / "events.jsonl", "jsonl")])
        g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True)
        learned = learn_probabilities(g)
        truth = json.loads((out / "ground_truth.json").read_text())
        canon = {p: store.customer(keys[0]).id for p, keys in truth["person_keys"].items()}
    finally:
        store.close()
    planted = {}
    with gzip.open(out / "edge_probabilities.csv.gz", "rt") as fh:
        for row in csv.DictReader(fh):
            planted[(canon[row["influencer"]], canon[row["influenced"]])] = float(row["p"])
    p = learned.to_dict()
    trials = dict(zip(p, learned.trials.tolist(), strict=True))
    keys = [k for k in planted if k in p and trials[k] > 0]
    assert len(keys) > 5000
    true = np.array([planted[k] for k in keys])
    est = np.array([p[k] for k in keys])
    # calibrated on average, and informative edge by edge
    assert est.mean() == pytest.approx(true.mean(), rel=0.25)
    assert np.corrcoef(true, est)[0, 1] > 0.25
