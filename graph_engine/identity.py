"""Identity resolution: union-find over the persons that identity keys point to.

A person (customer) is created the first time one of their identity keys is seen.
An ``identity_link`` event says several keys are the same person; when they point to
two or more persons, those persons are merged into the oldest one (the *survivor*),
provided the merge rules allow it:

* the link must hold at least one key of a kind trusted to merge
  (``Settings.merge_kinds``; default WeChat UnionID, phone, the brand's CRM id) —
  two WeChat OpenIDs alone never merge two people;
* after the merge no person may hold two different keys of an *exclusive* kind
  (``Settings.exclusive_kinds``; default WeChat UnionID): an OpenID never merges two
  persons that have different UnionIDs, whatever else the link says.

The resolver works in memory on the state the store loaded and returns what changed
(new customers, attached keys, merges); the store applies those in one transaction.

References
----------
Tarjan, R. E. (1975). Efficiency of a good but not linear set union algorithm.
Journal of the ACM 22(2), 215-225. doi:10.1145/321879.321884

Tarjan, R. E., & van Leeuwen, J. (1984). Worst-case analysis of set union algorithms.
Journal of the ACM 31(2), 245-281. doi:10.1145/62.2160
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph_engine.errors import IdentityConflictError

__all__ = [
    "IdentityResolver",
    "IdentityState",
    "LinkOutcome",
    "Merge",
    "NewCustomer",
    "UnionFind",
    "identity_kind",
]


def identity_kind(key: str) -> str:
    """Return the kind of an identity key.

    Examples
    --------
    >>> identity_kind("wechat_unionid:u1")
    'wechat_unionid'
    """
    return key.partition(":")[0]


class UnionFind:
    """Disjoint sets over integer person keys; the smallest key of a set is its root.

    Path splitting (each node on a ``find`` walk is pointed at its grandparent) keeps
    ``find`` logarithmic amortised even without union by rank; the root is always the
    smallest member, so the oldest customer survives a merge and results do not
    depend on the order of unions.

    Examples
    --------
    >>> uf = UnionFind()
    >>> uf.union(5, 3), uf.union(3, 9), uf.find(9)
    (3, 3, 3)
    """

    __slots__ = ("_parent",)

    def __init__(self, parent: dict[int, int] | None = None) -> None:
        self._parent: dict[int, int] = dict(parent or {})

    def find(self, x: int) -> int:
        """Return the root of ``x`` (``x`` itself if it was never merged)."""
        parent = self._parent
        while True:
            p = parent.get(x)
            if p is None:
                return x
            gp = parent.get(p)
            if gp is not None:
                parent[x] = gp
            x = p

    def union(self, a: int, b: int) -> int:
        """Merge the sets of ``a`` and ``b``; return the surviving root."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        root, child = (ra, rb) if ra < rb else (rb, ra)
        self._parent[child] = root
        return root


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A person seen for the first time."""

    pk: int
    id: str
    first_key: str


@dataclass(frozen=True, slots=True)
class Merge:
    """Person ``merged`` folded into ``survivor``, and why."""

    survivor: int
    merged: int
    survivor_id: str
    merged_id: str
    reason: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What an identity link changed."""

    survivor: int
    attached: tuple[str, ...]
    merges: tuple[Merge, ...]


@dataclass
class IdentityState:
    """What the resolver needs from the store to resume.

    Attributes
    ----------
    keys : dict
        identity key -> customer pk it was attached to (maybe since merged).
    ids : dict
        canonical customer id -> pk (merged customers' ids stay as aliases).
    parents : dict
        merged pk -> pk it was merged into.
    next_pk : int
        The pk the next new customer gets.
    """

    keys: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    parents: dict[int, int] = field(default_factory=dict)
    next_pk: int = 1


class IdentityResolver:
    """Resolve references to customers and apply identity links, in memory.

    Parameters
    ----------
    state : IdentityState
        Loaded from the store.
    merge_kinds : iterable of str
        Kinds trusted to merge two persons.
    exclusive_kinds : iterable of str
        Kinds a person holds at most one key of.

    Examples
    --------
    >>> r = IdentityResolver(IdentityState(), ["wechat_unionid"], ["wechat_unionid"])
    >>> a = r.resolve("wechat_openid:o1"); b = r.resolve("wechat_openid:o2")
    >>> r.link(["wechat_openid:o1", "wechat_unionid:u"], "l1").merges
    ()
    >>> out = r.link(["wechat_openid:o2", "wechat_unionid:u"], "l2")
    >>> [(m.survivor, m.merged) for m in out.merges], r.resolve("wechat_openid:o2")
    ([(1, 2)], 1)
    """

    def __init__(
        self,
        state: IdentityState,
        merge_kinds: Iterable[str],
        exclusive_kinds: Iterable[str],
    ) -> None:
        self._keys = state.keys
        self._ids = state.ids
        self._uf = UnionFind(state.parents)
        self._next_pk = state.next_pk
        self._pk_ids = {pk: cid for cid, pk in state.ids.items()}
        self.merge_kinds = frozenset(merge_kinds)
        self.exclusive_kinds = frozenset(exclusive_kinds)
        self._exclusive: dict[int, dict[str, str]] = {}
        for key, pk in self._keys.items():
            kind = identity_kind(key)
            if kind in self.exclusive_kinds:
                self._exclusive.setdefault(self._uf.find(pk), {})[kind] = key
        self.new_customers: list[NewCustomer] = []
        self.new_keys: list[tuple[str, int]] = []

    # -- lookups -----------------------------------------------------------------
    def lookup(self, key: str) -> int | None:
        """Return the customer pk a key resolves to now, or None if unknown.

        A key ``external:X`` also finds the customer whose canonical id is ``X``.
        """
        pk = self._keys.get(key)
        if pk is None and key.startswith("external:"):
            pk = self._ids.get(key[9:])
        if pk is None:
            return None
        return self._uf.find(pk)

    def customer_id(self, pk: int) -> str:
        """Return the canonical id of a (root) customer pk."""
        return self._pk_ids[pk]

    def resolve(self, key: str) -> int:
        """Return the customer a key belongs to, creating the person if unknown."""
        pk = self.lookup(key)
        if pk is None:
            pk = self._create(key)
            self._attach(key, pk)
        return pk

    # -- changes -----------------------------------------------------------------
    def link(self, keys: Sequence[str], event_id: str) -> LinkOutcome:
        """Declare ``keys`` the same person; merge persons where the rules allow.

        Raises
        ------
        IdentityConflictError
            The link would merge persons without a trusted key, or give a person two
            different keys of an exclusive kind. Nothing is changed then.
        """
        persons = sorted({pk for k in keys if (pk := self.lookup(k)) is not None})
        unknown = [k for k in keys if self.lookup(k) is None]
        self._check_exclusive(keys, persons)
        trusted = [k for k in keys if identity_kind(k) in self.merge_kinds]
        if len(persons) > 1 and not trusted:
            names = ", ".join(self._pk_ids[p] for p in persons)
            raise IdentityConflictError(
                f"identity_link would merge customers {names} but none of its keys is "
                f"of a kind trusted to merge (trusted: {', '.join(sorted(self.merge_kinds))})",
                details={"field": "identities", "value": list(keys)},
            )
        if not persons:
            # a CRM id, when the link has one, becomes the new person's canonical id
            first = next((k for k in keys if identity_kind(k) == "external"), keys[0])
            persons = [self._create(first)]
        survivor = persons[0]
        merges = []
        for other in persons[1:]:
            merges.append(
                Merge(
                    survivor=survivor,
                    merged=other,
                    survivor_id=self._pk_ids[survivor],
                    merged_id=self._pk_ids[other],
                    reason=(
                        f"identity_link {event_id}: {trusted[0]} links "
                        f"{self._pk_ids[other]} to {self._pk_ids[survivor]}"
                    ),
                    evidence=tuple(keys),
                )
            )
            self._uf.union(survivor, other)
            moved = self._exclusive.pop(other, {})
            self._exclusive.setdefault(survivor, {}).update(moved)
        for key in unknown:
            self._attach(key, survivor)
        return LinkOutcome(survivor=survivor, attached=tuple(unknown), merges=tuple(merges))

    def _check_exclusive(self, keys: Sequence[str], persons: Sequence[int]) -> None:
        held: dict[str, set[str]] = {}
        for pk in persons:
            for kind, key in self._exclusive.get(pk, {}).items():
                held.setdefault(kind, set()).add(key)
        for key in keys:
            kind = identity_kind(key)
            if kind in self.exclusive_kinds:
                held.setdefault(kind, set()).add(key)
        for kind, distinct in held.items():
            if len(distinct) > 1:
                raise IdentityConflictError(
                    f"identity_link would give one person {len(distinct)} different "
                    f"{kind} keys ({', '.join(sorted(distinct))}); {kind} identifies "
                    "exactly one person, so these are different people",
                    details={"field": "identities", "value": list(keys)},
                )

    def _create(self, first_key: str) -> int:
        pk = self._next_pk
        self._next_pk += 1
        cid = self._new_id(first_key)
        self._ids[cid] = pk
        self._pk_ids[pk] = cid
        self.new_customers.append(NewCustomer(pk=pk, id=cid, first_key=first_key))
        return pk

    def _new_id(self, first_key: str) -> str:
        kind, _, value = first_key.partition(":")
        if kind == "external" and value not in self._ids:
            return value
        base = "cus_" + hashlib.sha1(first_key.encode()).hexdigest()[:12]
        cid, n = base, 1
        while cid in self._ids:
            n += 1
            cid = f"{base}_{n}"
        return cid

    def _attach(self, key: str, pk: int) -> None:
        self._keys[key] = pk
        self.new_keys.append((key, pk))
        kind = identity_kind(key)
        if kind in self.exclusive_kinds:
            self._exclusive.setdefault(pk, {})[kind] = key

    def drain(self) -> tuple[list[NewCustomer], list[tuple[str, int]]]:
        """Return and forget the customers and keys created since the last drain."""
        created, keys = self.new_customers, self.new_keys
        self.new_customers, self.new_keys = [], []
        return created, keys
