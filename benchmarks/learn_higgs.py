"""Learned influence probabilities on a real word-of-mouth log: the Higgs retweets.

The Higgs activity log (De Domenico et al. 2013) lists who retweeted whom and when.
Each retweet "a b t RT" becomes a share event: b's content (one content id per author
per day, since tweet ids are not published) made a act (``click``). All events go
through the store; the probabilities are learned on the first 70% of the period
(``store.snapshot(..., until=split)``) and judged on the rest: does a higher learned
p(b -> a) predict that a retweets b again after the split?

Reported: ROC AUC of the learned p against baselines (weighted cascade 1 / in-degree,
the raw retweet count, plain maximum likelihood without a prior) on the edges seen before
the split whose influencer acted again after it (p is a per-action probability), and the
held-out retweet rate by decile of learned p.

Caveat: the log has no exposures (no follower graph, no views): every edge in it is a
success, so per-edge Bernoulli trials are not identifiable from it alone.

Run: ``.venv/bin/python benchmarks/learn_higgs.py`` (writes
``benchmarks/results/learn_higgs.json``).
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph_engine.algorithms.reach import edge_probabilities, learn_probabilities
from graph_engine.config import Settings
from graph_engine.ingest import Ingestor
from graph_engine.store import SQLiteStore

LOG = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "higgs-activity_time.txt.gz"


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the rank statistic (ties averaged)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size)
    sorted_scores = scores[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(avg, counts)
    pos = labels.sum()
    neg = labels.size - pos
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def main() -> None:
    started = time.perf_counter()
    with gzip.open(LOG, "rt") as fh:
        rows = [ln.split() for ln in fh]
    rt = [(a, b, int(t)) for a, b, t, kind in rows if kind == "RT" and a != b]
    times = np.array([t for *_, t in rt])
    split = int(np.quantile(times, 0.7))
    events = [
        {
            "type": "share",
            "event_id": f"rt-{i}",
            "at": datetime.fromtimestamp(t, UTC).isoformat(),
            "sharer": f"tw{b}",
            "viewer": f"tw{a}",
            "content_id": f"{b}:{t // 86400}",
            "action": "click",
        }
        for i, (a, b, t) in enumerate(rt)
    ]
    out: dict[str, Any] = {
        "retweets": len(rt),
        "split": datetime.fromtimestamp(split, UTC).isoformat(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(identity_salt="bench", quarantine_dir=Path(tmp) / "q")
        store = SQLiteStore(f"sqlite:///{tmp}/higgs.db", identity_salt="bench")
        t0 = time.perf_counter()
        report = Ingestor(store, settings).ingest_rows(events)
        out["ingest_seconds"] = time.perf_counter() - t0
        out["ingest_accepted"] = report.accepted
        g = store.snapshot(("SHARED_TO",), influence=True, until=datetime.fromtimestamp(split, UTC))
        t0 = time.perf_counter()
        learned = learn_probabilities(g)
        out["learn_seconds"] = time.perf_counter() - t0
        mle = learn_probabilities(g, prior_strength=0.0)
        store.close()
    ig = learned.graph
    ids = ig.ids
    src, dst = ig.sources(), ig.indices
    later = {(f"tw{b}", f"tw{a}") for a, b, t in rt if t >= split}
    # p is per action of the influencer: judge it on edges whose influencer acted
    # (was retweeted by anyone) after the split
    active_later = {f"tw{b}" for a, b, t in rt if t >= split}
    keep = np.array([ids[u] in active_later for u in src.tolist()])
    labels = np.array(
        [(ids[u], ids[v]) in later for u, v in zip(src.tolist(), dst.tolist(), strict=True)]
    )
    out["edges_all"] = ig.m
    out["auc_all_edges_unconditional"] = {
        "learned": auc(learned.p, labels),
        "retweet_count": auc(learned.successes.astype(float), labels),
    }
    wc = edge_probabilities(ig, "weighted_cascade")[keep]
    labels = labels[keep]
    learned_p, mle_p, counts = learned.p[keep], mle.p[keep], learned.successes[keep]
    out["edges_influencer_active_after_split"] = int(keep.sum())
    out["edges_repeated_after_split"] = int(labels.sum())
    out["auc"] = {
        "learned": auc(learned_p, labels),
        "mle_no_prior": auc(mle_p, labels),
        "retweet_count": auc(counts.astype(float), labels),
        "weighted_cascade": auc(wc, labels),
    }
    deciles = np.quantile(learned_p, np.linspace(0, 1, 11))
    bins = np.clip(np.searchsorted(deciles, learned_p, side="right") - 1, 0, 9)
    out["repeat_rate_by_learned_p_decile"] = [
        {
            "mean_p": float(learned_p[bins == d].mean()),
            "repeat_rate": float(labels[bins == d].mean()),
            "edges": int((bins == d).sum()),
        }
        for d in range(10)
        if (bins == d).any()
    ]
    out["summary"] = learned.summary()
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out, indent=1, default=str))
    res = Path(__file__).parent / "results"
    res.mkdir(exist_ok=True)
    (res / "learn_higgs.json").write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
