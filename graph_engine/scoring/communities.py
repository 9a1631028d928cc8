"""Communities for marketers: stable ids across runs, bridges, profiles, segment lift.

References
----------
Guimerà, R., & Amaral, L. A. N. (2005). Functional cartography of complex metabolic
networks. Nature, 433 (participation coefficient).
Greene, D., Doyle, D., & Cunningham, P. (2010). Tracking the evolution of communities in
dynamic social networks. ASONAM (matching communities across snapshots by overlap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ParameterError
from graph_engine.snapshot import GraphSnapshot

__all__ = ["community_profiles", "lift", "match_communities", "participation_coefficient"]

IntArray = npt.NDArray[np.int64]


def match_communities(
    ids: Sequence[Hashable],
    membership: npt.ArrayLike,
    previous: Mapping[Hashable, int],
    min_jaccard: float = 0.3,
) -> tuple[IntArray, dict[str, int]]:
    """Relabel communities so that substantially the same ones keep last run's id.

    New and old communities are matched greedily by member overlap (largest overlap
    first), a pair only if their Jaccard similarity reaches ``min_jaccard``; each old
    id is used once. Unmatched new communities get fresh ids above every old one.

    Returns
    -------
    membership : ndarray
        Relabelled.
    report : dict
        ``matched`` communities, ``new`` communities, ``moved`` customers (in both runs,
        community id changed), ``compared`` customers (in both runs).

    Examples
    --------
    >>> m, r = match_communities(["a", "b", "c"], [0, 0, 1], {"a": 7, "b": 7, "c": 9})
    >>> m.tolist(), r["moved"]
    ([7, 7, 9], 0)
    """
    labels = np.asarray(membership, dtype=np.int64)
    if labels.size != len(ids):
        raise ParameterError(f"{labels.size} labels for {len(ids)} ids")
    old = np.array([previous.get(i, -1) for i in ids], dtype=np.int64)
    both = old >= 0
    new_sizes = Counter(labels.tolist())
    old_sizes = Counter(previous.values())
    pairs = Counter(zip(labels[both].tolist(), old[both].tolist(), strict=True))
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for (new, prev), overlap in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if new in mapping or prev in used:
            continue
        jaccard = overlap / (new_sizes[new] + old_sizes[prev] - overlap)
        if jaccard >= min_jaccard:
            mapping[new] = prev
            used.add(prev)
    next_id = max([*previous.values(), -1]) + 1
    for new in sorted(new_sizes):
        if new not in mapping:
            mapping[new] = next_id
            next_id += 1
    out = np.array([mapping[x] for x in labels.tolist()], dtype=np.int64)
    moved = int(np.count_nonzero(out[both] != old[both]))
    return out, {
        "matched": len(used),
        "new": len(new_sizes) - len(used),
        "moved": moved,
        "compared": int(both.sum()),
    }


def participation_coefficient(
    g: GraphSnapshot, membership: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """``1 - sum_c (k_ic / k_i)^2``: 0 inside one community, toward 1 for a bridge.

    ``g`` is the undirected interaction graph (each edge stored both ways).

    Examples
    --------
    >>> g = GraphSnapshot.from_edges(["a", "a"], ["b", "c"], directed=False)
    >>> participation_coefficient(g, [0, 0, 1]).round(2).tolist()
    [0.5, 0.0, 0.0]
    """
    labels = np.asarray(membership, dtype=np.int64)
    src, dst = g.sources(), g.indices
    k = np.bincount(src, minlength=g.n).astype(np.float64)
    if g.m == 0:
        return np.zeros(g.n)
    _, inverse = np.unique(labels, return_inverse=True)
    c = int(inverse.max()) + 1
    key = src * c + inverse[dst]
    uniq, counts = np.unique(key, return_counts=True)
    node = uniq // c
    frac_sq = np.bincount(node, weights=counts.astype(np.float64) ** 2, minlength=g.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(k > 0, 1.0 - frac_sq / np.maximum(k, 1) ** 2, 0.0)
    return np.clip(out, 0.0, 1.0)


def community_profiles(
    g: GraphSnapshot,
    membership: npt.ArrayLike,
    *,
    tiers: Sequence[str],
    revenue: npt.ArrayLike,
    participation: npt.ArrayLike,
    rank_by: npt.ArrayLike,
    bridge: npt.ArrayLike,
    tags: Sequence[Sequence[str]],
    top: int = 5,
) -> list[dict[str, Any]]:
    """One profile per community, largest first.

    Each profile: ``community_id``, ``size``, ``internal_edges``, ``density``
    (internal relationships / possible pairs), ``conductance`` (cut / min(volume,
    rest)), ``tier_mix``, ``revenue`` (total and mean), ``engagement`` (mean
    participation), ``top_influencers`` (by ``rank_by``), ``bridges`` (members with
    the highest participation coefficient), ``linked_communities`` (most cut edges),
    ``top_tags``.
    """
    labels = np.asarray(membership, dtype=np.int64)
    rev = np.asarray(revenue, dtype=np.float64)
    part = np.asarray(participation, dtype=np.float64)
    score = np.asarray(rank_by, dtype=np.float64)
    bridges = np.asarray(bridge, dtype=np.float64)
    src, dst = g.sources(), g.indices
    cs, cd = labels[src], labels[dst]
    internal = np.bincount(cs[cs == cd], minlength=int(labels.max(initial=-1)) + 1)
    volume = np.bincount(cs, minlength=internal.size)
    total_volume = float(volume.sum())
    cut_pairs = Counter(zip(cs[cs != cd].tolist(), cd[cs != cd].tolist(), strict=True))
    linked: dict[int, list[tuple[int, int]]] = {}
    for (a, b), count in cut_pairs.items():
        linked.setdefault(a, []).append((b, count))
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups = np.split(order, bounds) if labels.size else []
    ids = g.ids
    profiles = []
    for members in groups:
        cid = int(labels[members[0]])
        size = int(members.size)
        inner = int(internal[cid]) // (1 if g.directed else 2)
        vol = float(volume[cid])
        cut = vol - float(internal[cid])
        denom = min(vol, total_volume - vol)
        best = members[np.argsort(-score[members], kind="stable")[:top]]
        bridge_best = members[np.argsort(-bridges[members], kind="stable")[:top]]
        tag_counts = Counter(t for i in members.tolist() for t in tags[i])
        profiles.append(
            {
                "community_id": cid,
                "size": size,
                "internal_edges": inner,
                "density": inner / (size * (size - 1) / 2) if size > 1 else 0.0,
                "conductance": cut / denom if denom > 0 else 0.0,
                "tier_mix": dict(Counter(tiers[i] for i in members.tolist())),
                "revenue_total": float(rev[members].sum()),
                "revenue_mean": float(rev[members].mean()),
                "engagement_mean": float(part[members].mean()),
                "top_influencers": [
                    {"id": ids[i], "score": float(score[i]), "tier": tiers[i]}
                    for i in best.tolist()
                ],
                "bridges": [
                    {"id": ids[i], "participation_coefficient": float(bridges[i])}
                    for i in bridge_best.tolist()
                    if bridges[i] > 0
                ],
                "linked_communities": [
                    {"community_id": other, "edges": count}
                    for other, count in sorted(linked.get(cid, []), key=lambda x: (-x[1], x[0]))[
                        :top
                    ]
                ],
                "top_tags": [{"tag": t, "count": c} for t, c in tag_counts.most_common(top)],
            }
        )
    profiles.sort(key=_size_then_id)
    return profiles


def _size_then_id(profile: dict[str, Any]) -> tuple[int, int]:
    return (-int(profile["size"]), int(profile["community_id"]))


def lift(
    membership: Mapping[Any, int | None], segment: Iterable[Hashable], min_size: int = 1
) -> dict[str, Any]:
    """Over-/under-representation of a segment in each community versus the whole base.

    ``lift = (segment members in c / size of c) / (segment size / base size)``: above 1
    the community over-indexes on people like the segment.

    Returns
    -------
    dict
        ``segment_size`` (members found in the base), ``unknown`` (segment ids not in
        it), ``base_rate``, and ``communities``: per community ``community_id``, ``size``,
        ``members``, ``rate``, ``lift``, sorted by lift (communities smaller than
        ``min_size`` left out).

    Examples
    --------
    >>> r = lift({"a": 1, "b": 1, "c": 2, "d": 2}, ["a", "b"])
    >>> [(c["community_id"], c["lift"]) for c in r["communities"]]
    [(1, 2.0), (2, 0.0)]
    """
    seg = set(segment)
    unknown = [s for s in seg if s not in membership]
    found = seg - set(unknown)
    sizes: Counter[int] = Counter()
    hits: Counter[int] = Counter()
    for node, cid in membership.items():
        if cid is None:
            continue
        sizes[cid] += 1
        if node in found:
            hits[cid] += 1
    base = sum(sizes.values())
    base_rate = len(found) / base if base else 0.0
    rows = [
        {
            "community_id": cid,
            "size": size,
            "members": hits[cid],
            "rate": hits[cid] / size,
            "lift": (hits[cid] / size) / base_rate if base_rate else 0.0,
        }
        for cid, size in sizes.items()
        if size >= min_size
    ]
    rows.sort(key=lambda r: (-r["lift"], -r["size"], r["community_id"]))
    return {
        "segment_size": len(found),
        "unknown": len(unknown),
        "base_rate": base_rate,
        "communities": rows,
    }
