"""Learned influence probabilities against the synthetic generator's planted ones.

Generates ``--customers`` people (default 20,000), ingests them, learns p(u, v) from
the share and referral events, and compares with ``edge_probabilities.csv.gz`` (the
planted probability that u's share makes v act, feed exposure included) on the edges
with evidence: Pearson and Spearman correlation, mean, and calibration by quintile of
the learned p, for several priors.

Run: ``.venv/bin/python benchmarks/learn_synthetic.py [--customers N]`` (writes
``benchmarks/results/learn_synthetic.json``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph_engine.algorithms.reach import learn_probabilities
from graph_engine.config import Settings
from graph_engine.ingest import Ingestor
from graph_engine.ingest.readers import Source
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.store import SQLiteStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "syn"
        generate(out, SyntheticConfig(customers=args.customers, seed=0))
        settings = Settings(identity_salt="bench", quarantine_dir=Path(tmp) / "q")
        store = SQLiteStore(f"sqlite:///{tmp}/syn.db", identity_salt="bench")
        Ingestor(store, settings).ingest([Source(out / "events.jsonl", "jsonl")])
        g = store.snapshot(("FOLLOWS", "SHARED_TO", "REFERRED"), influence=True)
        truth = json.loads((out / "ground_truth.json").read_text())
        canon = {p: store.customer(keys[0]).id for p, keys in truth["person_keys"].items()}
        store.close()
        planted = {}
        with gzip.open(out / "edge_probabilities.csv.gz", "rt") as fh:
            for row in csv.DictReader(fh):
                planted[(canon[row["influencer"]], canon[row["influenced"]])] = float(row["p"])
    for base, strength in (
        ("influencer", 5.0),
        ("influencer", 2.0),
        ("pooled", 5.0),
        ("influencer", 0.0),
        ("influencer", "auto"),
    ):
        started = time.perf_counter()
        learned = learn_probabilities(g, base=base, prior_strength=strength)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        p = learned.to_dict()
        trials = dict(zip(p, learned.trials.tolist(), strict=True))
        keys = [k for k in planted if k in p and trials[k] > 0]
        true = np.array([planted[k] for k in keys])
        est = np.array([p[k] for k in keys])
        edges = np.quantile(est, np.linspace(0, 1, 6))
        bins = np.clip(np.searchsorted(edges, est, side="right") - 1, 0, 4)
        res = {
            "base": base,
            "prior_strength": strength,
            "fitted_prior_strength": learned.config["fitted_prior_strength"],
            "seconds": seconds,
            "planted_edges": len(planted),
            "edges_with_evidence": len(keys),
            "pearson": float(np.corrcoef(true, est)[0, 1]),
            "spearman": float(spearmanr(true, est).statistic),
            "mean_planted": float(true.mean()),
            "mean_learned": float(est.mean()),
            "calibration_by_quintile": [
                {"learned": float(est[bins == b].mean()), "planted": float(true[bins == b].mean())}
                for b in range(5)
                if (bins == b).any()
            ],
        }
        results.append(res)
        print(json.dumps(res), flush=True)
    res_dir = Path(__file__).parent / "results"
    res_dir.mkdir(exist_ok=True)
    (res_dir / "learn_synthetic.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
