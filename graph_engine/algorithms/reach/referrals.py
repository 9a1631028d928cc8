"""Referral analytics: referral trees, viral coefficient by generation, cycle time.

A campaign's referral log (who invited whom, when, converted or not) becomes a forest:
every converted referee hangs under the referrer of their *earliest* converted referral
(first touch); a referral that would close a cycle is not used as a tree edge (counted).
Roots are referrers nobody referred in that campaign (generation 0).

Per generation g: members, referrers (members who sent an invite), invites, conversions,
and the viral coefficient ``K = invites per referrer x invite conversion rate`` (the
issue's definition) next to ``K per member`` (invites per member x conversion rate,
the growth factor of a whole cohort, used for projections). With K per member below 1
a campaign dies out; the projection after n more waves is
``users + cohort * (K + K^2 + ... + K^n)`` from the last generation's cohort.

Cycle time: for each converted referral u -> v where u itself converted through a
referral of the same campaign, the time from u's own conversion to v's: the clock
starts when the referrer joined. An invitation u sent before joining (the log keeps the
earliest invitation, which can predate the referrer's own conversion) is counted from
the join, so it counts as 0 hours, never negative; how many did so is reported
(``cycle_time_early_invites``). The median in hours is reported.

References
----------
Leskovec, J., Adamic, L. A., & Huberman, B. A. (2007). The dynamics of viral marketing.
ACM Transactions on the Web, 1(1).
Skok, D. (2009). Lessons learned - viral marketing. forEntrepreneurs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

import numpy as np

from graph_engine.algorithms._checks import check_int
from graph_engine.errors import ParameterError

__all__ = [
    "CampaignReferrals",
    "GenerationStats",
    "ReferralForest",
    "ReferralRow",
    "referral_forest",
    "referral_stats",
]

ReferralRow = tuple[Hashable, Hashable, str, datetime, bool]
"""(referrer id, referee id, campaign id, at, converted)."""


class _Rates:
    """Conversion rate and K-factor of anything that counts invites and referrers."""

    invites: int
    conversions: int
    referrers: int

    @property
    def conversion_rate(self) -> float:
        """Converted invites / invites."""
        return self.conversions / self.invites if self.invites else 0.0

    @property
    def k_factor(self) -> float:
        """Invites per referrer x conversion rate (= conversions per referrer)."""
        return self.conversions / self.referrers if self.referrers else 0.0


@dataclass(frozen=True)
class GenerationStats(_Rates):
    """One generation of a campaign's referral forest."""

    generation: int
    members: int
    referrers: int
    invites: int
    conversions: int

    @property
    def k_per_member(self) -> float:
        """Invites per member x conversion rate (= conversions per member)."""
        return self.conversions / self.members if self.members else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "generation": self.generation,
            "members": self.members,
            "referrers": self.referrers,
            "invites": self.invites,
            "conversions": self.conversions,
            "conversion_rate": self.conversion_rate,
            "k_factor": self.k_factor,
            "k_per_member": self.k_per_member,
        }


@dataclass(frozen=True)
class CampaignReferrals(_Rates):
    """Referral statistics of one campaign.

    Attributes
    ----------
    campaign_id : str
    invites, conversions, referrers : int
    users : int
        People in the forest (roots and converted referees).
    trees, largest_tree, depth, breadth : int
        Number of trees, the largest tree's size, the deepest generation, the largest
        generation.
    generations : tuple of GenerationStats
    by_group : mapping
        Per group of the referrer (tier, community, ...): referrers, invites,
        conversions, k_factor.
    cycle_time_median_hours : float or None
    cycle_time_samples : int
    cycle_time_early_invites : int
        Samples whose invitation predates the referrer's own conversion (counted as 0 h).
    cycles_skipped : int
        Converted referrals not used as tree edges because they would close a cycle.
    """

    campaign_id: str
    invites: int
    conversions: int
    referrers: int
    users: int
    trees: int
    largest_tree: int
    depth: int
    breadth: int
    generations: tuple[GenerationStats, ...]
    by_group: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    cycle_time_median_hours: float | None = None
    cycle_time_samples: int = 0
    cycle_time_early_invites: int = 0
    cycles_skipped: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_group", MappingProxyType(dict(self.by_group)))

    def project(self, waves: int) -> float:
        """Projected users after ``waves`` more waves at the recent K per member.

        K is that of the last generation that sent invites (the current growth factor);
        the cohort is the last generation's members.
        """
        waves = check_int("waves", waves, 0)
        sending = [gen for gen in self.generations if gen.invites]
        if not sending or not self.generations:
            return float(self.users)
        k = sending[-1].k_per_member
        cohort = self.generations[-1].members
        return float(self.users + cohort * sum(k**w for w in range(1, waves + 1)))

    def to_dict(self, waves: int = 3) -> dict[str, Any]:
        """JSON-ready form, with the projection after ``waves`` waves."""
        return {
            "campaign_id": self.campaign_id,
            "invites": self.invites,
            "conversions": self.conversions,
            "conversion_rate": self.conversion_rate,
            "referrers": self.referrers,
            "k_factor": self.k_factor,
            "users": self.users,
            "trees": self.trees,
            "largest_tree": self.largest_tree,
            "depth": self.depth,
            "breadth": self.breadth,
            "generations": [g.to_dict() for g in self.generations],
            "by_group": {k: dict(v) for k, v in self.by_group.items()},
            "cycle_time_median_hours": self.cycle_time_median_hours,
            "cycle_time_samples": self.cycle_time_samples,
            "cycle_time_early_invites": self.cycle_time_early_invites,
            "cycles_skipped": self.cycles_skipped,
            "projected_users": {str(w): self.project(w) for w in range(1, waves + 1)},
        }


def referral_stats(
    rows: Iterable[ReferralRow],
    *,
    groups: Mapping[Any, str] | None = None,
    campaigns: Sequence[str] | None = None,
) -> dict[str, CampaignReferrals]:
    """Referral trees and viral coefficients per campaign.

    Parameters
    ----------
    rows : iterable of (referrer, referee, campaign_id, at, converted)
        The referral log (``store.referral_rows()``).
    groups : mapping id -> label, optional
        Break K down by the referrer's group (tier, community, region...); people not
        in the mapping are grouped as "unknown".
    campaigns : sequence of str, optional
        Only these campaigns.

    Returns
    -------
    dict of campaign id -> CampaignReferrals

    Raises
    ------
    ParameterError
        A row that is not a 5-tuple of the documented types (its position is named).

    Examples
    --------
    >>> t = datetime(2026, 1, 1)
    >>> rows = [("a", "b", "cny", t, True), ("a", "c", "cny", t, False),
    ...         ("b", "d", "cny", t, True)]
    >>> s = referral_stats(rows)["cny"]
    >>> s.depth, s.trees, s.users, [g.k_factor for g in s.generations]
    (2, 1, 3, [1.0, 1.0, 0.0])
    """
    by_campaign: dict[str, list[ReferralRow]] = defaultdict(list)
    wanted = None if campaigns is None else set(campaigns)
    for i, row in enumerate(rows):
        if not isinstance(row, tuple | list) or len(row) != 5:
            raise ParameterError(
                f"rows[{i}]: expected (referrer, referee, campaign_id, at, converted)"
            )
        if not isinstance(row[3], datetime):
            raise ParameterError(f"rows[{i}]: at = {row[3]!r} is not a datetime")
        if wanted is None or row[2] in wanted:
            by_campaign[str(row[2])].append((row[0], row[1], str(row[2]), row[3], bool(row[4])))
    return {
        campaign: _campaign(campaign, items, groups)
        for campaign, items in sorted(by_campaign.items())
    }


@dataclass(frozen=True)
class ReferralForest:
    """One campaign's referral forest (see the module notes for the rules).

    ``parent``: converted referee -> referrer (first converted touch); ``roots``:
    members nobody referred, each the root of one tree, ordered by ``repr``;
    ``generation``: member -> depth below its root; ``tree_sizes``: aligned with
    ``roots``; ``joined_at``: when each referee converted; ``cycles``: referrals not
    used because they would close a cycle.
    """

    parent: Mapping[Hashable, Hashable]
    roots: tuple[Hashable, ...]
    generation: Mapping[Hashable, int]
    tree_sizes: tuple[int, ...]
    joined_at: Mapping[Hashable, datetime]
    cycles: int

    def members(self, root: Hashable) -> list[Hashable]:
        """The tree under ``root``, breadth-first (children in ``repr`` order)."""
        children: dict[Hashable, list[Hashable]] = defaultdict(list)
        for child, par in self.parent.items():
            children[par].append(child)
        order = [root]
        for node in order:  # grows while iterating
            order.extend(sorted(children.get(node, ()), key=repr))
        return order


def referral_forest(rows: Iterable[ReferralRow]) -> ReferralForest:
    """The referral forest of one campaign's rows ``(referrer, referee, campaign_id,
    at, converted)``, in any order.

    Examples
    --------
    >>> t = datetime(2026, 1, 1)
    >>> f = referral_forest([("a", "b", "x", t, True), ("b", "c", "x", t, True),
    ...                      ("c", "a", "x", t, True), ("a", "d", "x", t, False)])
    >>> f.roots, f.tree_sizes, f.generation["c"], f.cycles, f.members("a")
    (('a',), (3,), 2, 1, ['a', 'b', 'c'])
    """
    rows = sorted(rows, key=lambda r: (r[3], repr(r[0]), repr(r[1])))
    parent: dict[Hashable, Hashable] = {}
    joined_at: dict[Hashable, datetime] = {}
    uf: dict[Hashable, Hashable] = {}

    def find(x: Hashable) -> Hashable:
        uf.setdefault(x, x)
        while uf[x] != x:
            uf[x] = uf[uf[x]]
            x = uf[x]
        return x

    cycles = 0
    for referrer, referee, _, at, converted in rows:
        if not converted or referee in parent or referee == referrer:
            continue
        if find(referrer) == find(referee):
            cycles += 1
            continue
        parent[referee] = referrer
        joined_at[referee] = at
        uf[find(referee)] = find(referrer)
    members = set(parent) | {r[0] for r in rows}
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    for child, par in parent.items():
        children[par].append(child)
    roots = sorted((m for m in members if m not in parent), key=repr)
    generation: dict[Hashable, int] = {}
    tree_sizes = []
    for root in roots:
        stack = [(root, 0)]
        size = 0
        while stack:
            node, gen = stack.pop()
            generation[node] = gen
            size += 1
            stack.extend((c, gen + 1) for c in children.get(node, ()))
        tree_sizes.append(size)
    return ReferralForest(
        parent=parent,
        roots=tuple(roots),
        generation=generation,
        tree_sizes=tuple(tree_sizes),
        joined_at=joined_at,
        cycles=cycles,
    )


def _campaign(
    campaign: str, rows: list[ReferralRow], groups: Mapping[Any, str] | None
) -> CampaignReferrals:
    rows = sorted(rows, key=lambda r: (r[3], repr(r[0]), repr(r[1])))
    forest = referral_forest(rows)
    parent, joined_at, generation = forest.parent, forest.joined_at, forest.generation
    referrers_all = {r[0] for r in rows}
    members = set(parent) | referrers_all
    roots, tree_sizes, cycles = forest.roots, forest.tree_sizes, forest.cycles
    invites: dict[int, int] = defaultdict(int)
    conversions: dict[int, int] = defaultdict(int)
    senders: dict[int, set[Hashable]] = defaultdict(set)
    group_stats: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"referrers": set(), "invites": 0, "conversions": 0}
    )
    cycle_hours: list[float] = []
    for referrer, referee, _, at, converted in rows:
        gen = generation[referrer]
        invites[gen] += 1
        conversions[gen] += int(converted)
        senders[gen].add(referrer)
        if groups is not None:
            g = group_stats[groups.get(referrer, "unknown")]
            g["referrers"].add(referrer)
            g["invites"] += 1
            g["conversions"] += int(converted)
        if converted and referrer in joined_at and parent.get(referee) == referrer:
            cycle_hours.append((at - joined_at[referrer]).total_seconds() / 3600.0)
    early = sum(1 for h in cycle_hours if h < 0)
    cycle_hours = [max(0.0, h) for h in cycle_hours]
    size_by_gen: dict[int, int] = defaultdict(int)
    for gen in generation.values():
        size_by_gen[gen] += 1
    depth = max(size_by_gen) if size_by_gen else 0
    gens = tuple(
        GenerationStats(g, size_by_gen[g], len(senders[g]), invites[g], conversions[g])
        for g in range(depth + 1)
    )
    by_group = {
        name: {
            "referrers": len(s["referrers"]),
            "invites": s["invites"],
            "conversions": s["conversions"],
            "conversion_rate": s["conversions"] / s["invites"] if s["invites"] else 0.0,
            "k_factor": s["conversions"] / len(s["referrers"]) if s["referrers"] else 0.0,
        }
        for name, s in sorted(group_stats.items())
    }
    return CampaignReferrals(
        campaign_id=campaign,
        invites=len(rows),
        conversions=sum(int(r[4]) for r in rows),
        referrers=len(referrers_all),
        users=len(members),
        trees=len(roots),
        largest_tree=max(tree_sizes, default=0),
        depth=depth,
        breadth=max(size_by_gen.values(), default=0),
        generations=gens,
        by_group=by_group,
        cycle_time_median_hours=float(np.median(cycle_hours)) if cycle_hours else None,
        cycle_time_samples=len(cycle_hours),
        cycle_time_early_invites=early,
        cycles_skipped=cycles,
    )
