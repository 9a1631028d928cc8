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
from scipy.stats import hypergeom

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
    membership: Mapping[Any, int | None],
    segment: Iterable[Hashable],
    min_size: int = 1,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Over-/under-representation of a segment in each community versus the whole base,
    with its significance.

    ``lift = (segment members in c / size of c) / (segment size / base size)``: above 1
    the community over-indexes on people like the segment. Whether that is more than
    chance is the one-sided hypergeometric test of drawing at least that many segment
    members in a community of that size from the base without replacement
    (``p_value``), corrected for testing every community at once by Benjamini-Hochberg
    (``q_value``; ``significant``: ``q_value < alpha`` and lift above 1). A one-member
    community whose member is in the segment has lift ``1 / base_rate`` but a p-value of
    ``base_rate``: it is listed, not significant.

    Parameters
    ----------
    membership : mapping id -> community id (None: in no community)
    segment : iterable of ids
    min_size : int
        Communities smaller than this are left out (and not tested).
    alpha : float
        False discovery rate for ``significant``.

    Returns
    -------
    dict
        ``segment_size`` (members found in the base), ``unknown`` (segment ids not in
        it), ``base_rate``, ``alpha``, ``min_size``, and ``communities``: per community
        ``community_id``, ``size``, ``members``, ``rate``, ``lift``, ``p_value``,
        ``q_value``, ``significant``; significant ones first, then by lift.

    Raises
    ------
    ParameterError
        ``min_size`` below 1 or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> r = lift({"a": 1, "b": 1, "c": 2, "d": 2}, ["a", "b"])
    >>> [(c["community_id"], c["lift"], round(c["p_value"], 3)) for c in r["communities"]]
    [(1, 2.0, 0.167), (2, 0.0, 1.0)]

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a
    practical and powerful approach to multiple testing. *Journal of the Royal
    Statistical Society B*, 57(1), 289-300.
    https://doi.org/10.1111/j.2517-6161.1995.tb02031.x
    """
    if min_size < 1:
        raise ParameterError(f"min_size: {min_size} must be at least 1")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha: {alpha} must be between 0 and 1")
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
    in_base = sum(hits.values())
    base_rate = len(found) / base if base else 0.0
    kept = sorted(cid for cid, size in sizes.items() if size >= min_size)
    drawn = np.array([sizes[c] for c in kept], dtype=np.int64)
    got = np.array([hits[c] for c in kept], dtype=np.int64)
    # P(X >= got) for X ~ Hypergeom(base, segment members in the base, community size)
    p = hypergeom.sf(got - 1, base, in_base, drawn) if kept else np.zeros(0)
    q = _benjamini_hochberg(np.asarray(p, dtype=np.float64))
    rows = []
    for i, cid in enumerate(kept):
        rate = got[i] / drawn[i]
        value = rate / base_rate if base_rate else 0.0
        rows.append(
            {
                "community_id": cid,
                "size": int(drawn[i]),
                "members": int(got[i]),
                "rate": float(rate),
                "lift": float(value),
                "p_value": float(min(1.0, p[i])),
                "q_value": float(q[i]),
                "significant": bool(q[i] < alpha and value > 1),
            }
        )
    rows.sort(key=lambda r: (not r["significant"], -r["lift"], -r["size"], r["community_id"]))
    return {
        "segment_size": len(found),
        "unknown": len(unknown),
        "base_rate": base_rate,
        "alpha": alpha,
        "min_size": min_size,
        "communities": rows,
    }


def _benjamini_hochberg(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values (monotone, capped at 1)."""
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out
