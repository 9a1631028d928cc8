"""Views of the current run for exploring it: overview, community map, community and
ego networks, referral trees.

What the web explorer (and anyone else) looks at, computed here so the API stays a thin
layer: each function reads the store through its contract, caps what it returns (the cap
and whether it was reached are part of the result) and returns a frozen result with a
``to_dict()``.

The networks are drawn from the store's current relationships (active follows, shares
aggregated per pair, referrals), with the current run's scores on the nodes:

- :func:`community_graph`: a community's most influential members and the relationships
  among them;
- :func:`ego_network`: a customer, the people one relationship away, and the people one
  more step away, the strongest ties first (breadth-first, so hop 1 is complete before
  hop 2 takes what room is left);
- :func:`community_map`: the largest communities and the relationships that cross
  between them (from the run's community profiles).

References
----------
.. [1] Newman, M. E. J. (2010). *Networks: An Introduction*, ch. 7 (ego networks) and
   ch. 11 (community structure). Oxford University Press.
   https://doi.org/10.1093/acprof:oso/9780199206650.001.0001
.. [2] Jacomy, M., Venturini, T., Heymann, S., Bastian, M. (2014). ForceAtlas2, a
   continuous graph layout algorithm for handy network visualization designed for the
   Gephi software. *PLoS ONE* 9(6): e98679 (how the explorer lays these networks out).
   https://doi.org/10.1371/journal.pone.0098679
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph_engine.algorithms.reach import referral_forest
from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.store.base import GraphStore, Link, ScoreRecord

__all__ = [
    "CommunityMap",
    "Network",
    "ReferralTrees",
    "community_graph",
    "community_map",
    "ego_network",
    "named_scores",
    "overview",
    "referral_trees",
]

#: Score fields a network node carries (with ``id``, ``name`` and, for ego networks, ``hop``).
NODE_FIELDS = (
    "tier",
    "tier_level",
    "community_id",
    "social_value",
    "influence",
    "expected_reach",
    "audience",
    "revenue",
    "bridge",
)

TIERS = ("employee", "kol", "koc", "consumer")


def _positive(name: str, value: int, maximum: int | None = None) -> None:
    if value < 1 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum is not None else ""
        raise ParameterError(f"{name}: {value} must be at least 1{bound}")


@dataclass(frozen=True)
class Network:
    """Customers and the relationships among them, as drawn by the explorer.

    ``nodes``: dicts with ``id``, ``name``, ``hop`` (ego networks; else None) and the
    score fields of :data:`NODE_FIELDS` (None for someone the current run did not
    score). ``links``: :class:`~graph_engine.store.base.Link` rows among the nodes.
    ``limit`` is the node cap; ``truncated`` says whether there were more candidates.
    """

    kind: str
    nodes: tuple[dict[str, Any], ...]
    links: tuple[Link, ...]
    limit: int
    truncated: bool
    config: dict[str, Any]

    def __post_init__(self) -> None:
        ids = {n["id"] for n in self.nodes}
        if len(ids) != len(self.nodes):
            raise ValueError("network nodes must be distinct")
        if any(link.source not in ids or link.target not in ids for link in self.links):
            raise ValueError("every link must join two nodes of the network")
        if len(self.nodes) > self.limit:
            raise ValueError(f"{len(self.nodes)} nodes exceed the cap of {self.limit}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the API's)."""
        return {
            "kind": self.kind,
            "nodes": [dict(n) for n in self.nodes],
            "links": [link._asdict() for link in self.links],
            "limit": self.limit,
            "truncated": self.truncated,
            "config": dict(self.config),
        }


def _node(
    customer_id: str, name: str | None, score: ScoreRecord | None, hop: int | None
) -> dict[str, Any]:
    node: dict[str, Any] = {"id": customer_id, "name": name, "hop": hop}
    for field in NODE_FIELDS:
        node[field] = getattr(score, field) if score is not None else None
    return node


def named_scores(store: GraphStore, rows: Iterable[ScoreRecord]) -> list[dict[str, Any]]:
    """Score rows as dicts with the customer's display ``name`` (None where unknown)."""
    materialised = list(rows)
    names = store.customer_names([r.customer_id for r in materialised])
    return [{**r.to_dict(), "name": names.get(r.customer_id)} for r in materialised]


def community_graph(
    store: GraphStore, community_id: int, *, limit: int = 500, by: str = "influence"
) -> Network:
    """A community's top ``limit`` members by ``by`` and the relationships among them.

    Raises
    ------
    NotFoundError
        No such community in the current run.
    ParameterError
        ``limit`` below 1.
    """
    _positive("limit", limit)
    (profile,) = store.community_profiles(community_id)
    members = store.top_scores(by=by, community_id=community_id, limit=limit)
    ids = [m.customer_id for m in members]
    names = store.customer_names(ids)
    nodes = tuple(_node(m.customer_id, names.get(m.customer_id), m, None) for m in members)
    links = tuple(store.relationships(ids, among=True, limit=_link_cap(limit)))
    return Network(
        kind="community",
        nodes=nodes,
        links=links,
        limit=limit,
        truncated=int(profile["size"]) > len(nodes),
        config={"community_id": community_id, "by": by, "size": int(profile["size"])},
    )


def _link_cap(nodes: int) -> int:
    """Links drawn for ``nodes`` nodes: enough for a dense picture, bounded."""
    return min(20 * nodes, 200_000)


def ego_network(store: GraphStore, reference: str, *, hops: int = 2, limit: int = 200) -> Network:
    """A customer's network to ``hops`` relationships (either direction), at most
    ``limit`` people, the strongest ties first.

    Breadth-first, the strongest ties first (relationship weight: share events,
    campaigns; ties by id): each hop takes at most its share of the room left (with
    ``hops=2`` and ``limit=200``: 100 people at hop 1, then the rest at hop 2), so a
    person with thousands of followers still shows the second circle. Everyone is
    placed at their true distance: a person cut from hop 1 by the cap is not shown at
    hop 2. ``truncated`` says the cap (or the link cap) left someone out. Links are every
    relationship among the chosen people.

    Raises
    ------
    NotFoundError
        Nobody is known by ``reference``.
    ParameterError
        ``hops`` outside 1..3 or ``limit`` below 2.
    """
    if not 1 <= hops <= 3:
        raise ParameterError(f"hops: {hops} must be 1, 2 or 3")
    if limit < 2:
        raise ParameterError(f"limit: {limit} must be at least 2")
    center = store.customer(reference).id
    hop_of: dict[str, int] = {center: 0}
    found = {center}  # everyone met so far, kept or cut by the cap
    frontier = [center]
    truncated = False
    for hop in range(1, hops + 1):
        if not frontier:
            break
        # each hop gets its share of the room left, so that hop 2 is not crowded out
        room = -(-(limit - len(hop_of)) // (hops - hop + 1))
        links = store.relationships(frontier, among=False, limit=_link_cap(limit))
        fresh: list[str] = []
        for link in links:
            for end in (link.source, link.target):
                if end not in found:
                    found.add(end)
                    fresh.append(end)
        truncated = truncated or len(fresh) > room or len(links) == _link_cap(limit)
        for customer_id in fresh[:room]:
            hop_of[customer_id] = hop
        frontier = fresh[:room]
    ids = list(hop_of)
    names = store.customer_names(ids)
    nodes = tuple(
        _node(cid, names.get(cid), _score_or_none(store, cid), hop_of[cid]) for cid in ids
    )
    return Network(
        kind="ego",
        nodes=nodes,
        links=tuple(store.relationships(ids, among=True, limit=_link_cap(limit))),
        limit=limit,
        truncated=truncated,
        config={"center": center, "hops": hops},
    )


def _score_or_none(store: GraphStore, customer_id: str) -> ScoreRecord | None:
    try:
        return store.scores(customer_id)
    except NotFoundError:  # no run yet, or not scored by it
        return None


@dataclass(frozen=True)
class CommunityMap:
    """The largest communities (``nodes``: profile fields) and the relationships
    between them (``links``: ``source``, ``target`` community ids, ``weight`` = cut
    relationships, each pair once). ``total`` is the number of communities in the run."""

    nodes: tuple[dict[str, Any], ...]
    links: tuple[dict[str, int], ...]
    limit: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the API's)."""
        return {
            "nodes": [dict(n) for n in self.nodes],
            "links": [dict(link) for link in self.links],
            "limit": self.limit,
            "total": self.total,
            "truncated": self.total > len(self.nodes),
        }


def community_map(store: GraphStore, *, limit: int = 300) -> CommunityMap:
    """The ``limit`` largest communities of the current run and their links.

    Each node: ``community_id``, ``size``, ``density``, ``conductance``,
    ``revenue_total``, ``engagement_mean``, ``tier_mix``, ``dominant_tier`` (the
    most represented tier other than ``consumer``, ``consumer`` if there is none) and
    ``top_influencer``. Links come from each profile's most linked communities.
    """
    _positive("limit", limit)
    profiles = store.community_profiles()
    shown = profiles[:limit]
    kept = {int(p["community_id"]) for p in shown}
    weights: dict[tuple[int, int], int] = defaultdict(int)
    for p in shown:
        a = int(p["community_id"])
        for other in p.get("linked_communities", []):
            b = int(other["community_id"])
            if b in kept and a != b:
                pair = (min(a, b), max(a, b))
                weights[pair] = max(weights[pair], int(other["edges"]))
    nodes = tuple(
        {
            "community_id": int(p["community_id"]),
            "size": int(p["size"]),
            "density": float(p["density"]),
            "conductance": float(p["conductance"]),
            "revenue_total": float(p["revenue_total"]),
            "engagement_mean": float(p["engagement_mean"]),
            "tier_mix": dict(p["tier_mix"]),
            "dominant_tier": _dominant(p["tier_mix"]),
            "top_influencer": (p.get("top_influencers") or [{}])[0].get("id"),
        }
        for p in shown
    )
    links = tuple({"source": a, "target": b, "weight": w} for (a, b), w in sorted(weights.items()))
    return CommunityMap(nodes=nodes, links=links, limit=limit, total=len(profiles))


def _dominant(tier_mix: dict[str, int]) -> str:
    special = sorted(
        (-count, TIERS.index(tier) if tier in TIERS else len(TIERS), tier)
        for tier, count in tier_mix.items()
        if tier != "consumer" and count
    )
    return special[0][2] if special else "consumer"


def overview(store: GraphStore, *, top: int = 5, ingests: int = 10) -> dict[str, Any]:
    """What the explorer's first page shows: the current run (None before the first),
    store counts (as the run began; now, before any run), tier counts (kept with the run
    since it priced social value in money; read from the scores for older runs), the top
    ``top`` KOLs, KOCs and employees by social value with their reasons, the largest
    communities, and the last ``ingests`` ingest runs with their quarantine counts."""
    _positive("top", top, 100)
    run = store.current_run()
    history = store.ingest_history(ingests)
    result: dict[str, Any] = {
        "run": run.to_dict() if run is not None else None,
        # a run keeps the store's counts as it began (no scan of the store per page view)
        "stats": run.counts if run is not None and run.counts else store.stats().to_dict(),
        "stats_as_of": "run" if run is not None and run.counts else "now",
        "ingest": {
            "runs": [
                {
                    "finished_at": h.finished_at,
                    **{
                        k: h.report.get(k)
                        for k in ("accepted", "rejected", "duplicates", "merges", "quarantine")
                    },
                    "sources": h.report.get("sources"),
                }
                for h in history
            ],
            "rejected_total": sum(int(h.report.get("rejected") or 0) for h in history),
        },
        "tiers": [],
        "top": {},
        "communities": [],
    }
    if run is None:
        return result
    kept = run.summary.get("tier_summary")
    result["tiers"] = kept if isinstance(kept, list) else store.tier_summary()
    result["top"] = {
        tier: named_scores(store, store.top_scores(by="social_value", tier=tier, limit=top))
        for tier in ("kol", "koc", "employee")
    }
    result["communities"] = [
        {
            k: p[k]
            for k in (
                "community_id",
                "size",
                "density",
                "conductance",
                "revenue_total",
                "tier_mix",
                "top_influencers",
            )
        }
        for p in store.community_profiles()[:top]
    ]
    return result


@dataclass(frozen=True)
class ReferralTrees:
    """A campaign's largest referral trees, for drawing: ``nodes`` (``id``, ``name``,
    ``generation``: 0 for a root referrer, ``tree``: index of its tree, largest first)
    and ``links`` (``source`` referrer, ``target`` converted referee). ``trees`` trees
    are drawn of ``total_trees``; ``limit`` caps the people drawn."""

    campaign_id: str
    nodes: tuple[dict[str, Any], ...]
    links: tuple[dict[str, str], ...]
    trees: int
    total_trees: int
    limit: int
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the API's)."""
        return {
            "campaign_id": self.campaign_id,
            "nodes": [dict(n) for n in self.nodes],
            "links": [dict(link) for link in self.links],
            "trees": self.trees,
            "total_trees": self.total_trees,
            "limit": self.limit,
            "truncated": self.truncated,
        }


def referral_trees(
    store: GraphStore, campaign_id: str, *, trees: int = 20, limit: int = 1000
) -> ReferralTrees:
    """The ``trees`` largest referral trees of a campaign, at most ``limit`` people.

    The trees are those the campaign statistics count
    (:func:`~graph_engine.algorithms.reach.referral_forest`: converted referees under
    their first converted referrer); a tree that would pass ``limit`` is cut
    breadth-first, and no tree starts once the cap is reached.

    Raises
    ------
    NotFoundError
        The campaign has no referrals.
    """
    _positive("trees", trees)
    _positive("limit", limit)
    rows = store.referral_rows(campaign_id)
    if not rows:
        raise NotFoundError(f"no referrals in campaign {campaign_id!r}")
    forest = referral_forest(rows)
    ranked = sorted(
        zip(forest.roots, forest.tree_sizes, strict=True), key=lambda t: (-t[1], repr(t[0]))
    )
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []
    drawn = 0
    for index, (root, _size) in enumerate(ranked[:trees]):
        if len(nodes) >= limit:
            break
        for person in forest.members(root)[: limit - len(nodes)]:
            nodes.append(
                {"id": str(person), "generation": forest.generation[person], "tree": index}
            )
            if person in forest.parent:
                links.append({"source": str(forest.parent[person]), "target": str(person)})
        drawn += 1
    names = store.customer_names([n["id"] for n in nodes])
    for node in nodes:
        node["name"] = names.get(node["id"])
    return ReferralTrees(
        campaign_id=campaign_id,
        nodes=tuple(nodes),
        links=tuple(links),
        trees=drawn,
        total_trees=len(ranked),
        limit=limit,
        truncated=len(nodes) < sum(forest.tree_sizes),
    )
