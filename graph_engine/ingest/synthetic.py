"""Realistic synthetic social-CRM data with a planted ground truth.

The generator plants what later algorithms must find, then writes the event stream a
brand's systems would emit:

* **Communities** of heavy-tailed sizes; people follow mostly inside their community,
  choosing whom to follow by a Pareto popularity, so a few KOLs gather thousands of
  in-graph followers and most people a handful (Barabási & Albert 1999 in spirit).
* **External audiences** by platform (Weibo, Douyin, Xiaohongshu, Bilibili) for KOLs
  (1k to 3M, log-uniform) and small ones for some others; ~1 % staff.
* **Word of mouth**: posts spread as Independent Cascades (Kempe, Kleinberg & Tardos
  2003) over the follow graph with a planted probability per edge; every exposure is a
  ``share`` event (view / click / convert), so influence probabilities can be learned
  back from the log (Goyal, Bonchi & Lakshmanan 2010).
* **Red-packet referral campaigns** as Galton-Watson branching processes; converted
  referees place orders.
* **Orders** with log-normal amounts (many prospects never buy) and engagements.
* **Identities**: 1-4 channel identities per person (WeChat OpenID always; UnionID,
  phone, CRM id, Weibo, QQ), events naming people by whichever channel saw them, and
  ``identity_link`` events arriving before or after the person's activity.
* **Dirty rows**: a fraction of rows of every kind the ingest must reject, plus
  replayed duplicates.

``ground_truth.json`` records the planted communities, KOLs, staff, the counts the
store must end with, and ``edge_probabilities.csv.gz`` the planted p(u, v).

References
----------
Kempe, D., Kleinberg, J., & Tardos, É. (2003). Maximizing the spread of influence
through a social network. KDD. doi:10.1145/956750.956769
Goyal, A., Bonchi, F., & Lakshmanan, L. V. S. (2010). Learning influence probabilities
in social networks. WSDM. doi:10.1145/1718487.1718518
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ParameterError

#: a customer reference in a generated line
_REFERENCE = re.compile(
    r'"(?:follower|followee|sharer|viewer|referrer|referee|customer)":"([^"\\]*)"'
)

__all__ = ["GroundTruth", "SyntheticConfig", "generate"]

PLATFORMS = ("weibo", "douyin", "xiaohongshu", "bilibili")
TAGS = (
    "skincare",
    "mother_baby",
    "outdoor",
    "fitness",
    "digital",
    "foodie",
    "travel",
    "fashion",
    "pets",
    "student",
    "white_collar",
    "vip",
)
REGIONS = (
    "Shanghai",
    "Beijing",
    "Guangdong",
    "Zhejiang",
    "Jiangsu",
    "Sichuan",
    "Hubei",
    "Fujian",
    "Shandong",
    "Henan",
)
SURNAMES = (
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
)
GIVEN = (
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Li",
    "Qiang",
    "Lei",
    "Jun",
    "Yang",
    "Yan",
    "Jie",
    "Tao",
    "Ming",
    "Chao",
    "Xiu",
    "Xia",
    "Ping",
    "Gang",
    "Hui",
)
DIRT_KINDS = (
    "self_follow",
    "negative_amount",
    "bad_timestamp",
    "unknown_type",
    "unknown_identity_kind",
    "missing_field",
    "oversize",
    "bad_json",
)
_EPOCH = np.datetime64("2026-01-01T00:00:00", "s")
_TRUSTED = ("wechat_unionid", "phone", "external")
_OPTIONAL = ("weibo", "qq")
_MAX_OVERSIZE = 25


@dataclass(frozen=True)
class SyntheticConfig:
    """What to generate.

    Attributes
    ----------
    customers : int
        People (default 20,000).
    seed : int
        Everything is reproducible from it.
    communities : int or None
        Planted communities (default: one per ~400 people, at least 4).
    mean_follows : float
        Mean number of people each person follows.
    in_community : float
        Share of follows inside one's own community.
    kol_fraction, employee_fraction : float
        Share of KOLs (external audience >= 1,000) and of staff.
    posts_per_customer : float
        Posts (cascade seeds) per person.
    referral_campaigns : int
        Red-packet campaigns.
    dirty_fraction : float
        Dirty rows as a share of valid rows, split evenly over the dirty kinds
        (oversize rows, 70 kB each, are capped at 25).
    duplicate_fraction : float
        Valid events replayed with the same ``event_id``.
    days : int
        Length of the period, starting 2026-01-01.
    max_audience_per_share : int
        A post of an account with more followers reaches each follower with
        probability ``max_audience_per_share / followers`` (feeds do not show every
        post to everyone); the planted p(u, v) written to the ground truth includes
        that exposure, so it stays the probability that u's share makes v act.
    """

    customers: int = 20_000
    seed: int = 0
    communities: int | None = None
    mean_follows: float = 12.0
    in_community: float = 0.85
    kol_fraction: float = 0.01
    employee_fraction: float = 0.01
    posts_per_customer: float = 0.05
    referral_campaigns: int = 3
    dirty_fraction: float = 0.01
    duplicate_fraction: float = 0.002
    days: int = 180
    max_audience_per_share: int = 500

    def __post_init__(self) -> None:
        if self.customers < 10:
            raise ParameterError(f"customers must be >= 10, got {self.customers}")
        for name in (
            "in_community",
            "kol_fraction",
            "employee_fraction",
            "dirty_fraction",
            "duplicate_fraction",
        ):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ParameterError(f"{name} must lie in [0, 1], got {value}")


@dataclass(frozen=True)
class GroundTruth:
    """What was planted and what the store must hold after ingesting the files."""

    config: dict[str, Any]
    events_file: str
    expected: dict[str, Any]
    dirty: dict[str, int]
    duplicates: int
    valid_events: int
    kols: list[str] = field(default_factory=list)
    employees: list[str] = field(default_factory=list)
    communities: dict[str, int] = field(default_factory=dict)
    person_keys: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (copies of the containers, not of the strings in them)."""
        return {
            "config": dict(self.config),
            "events_file": self.events_file,
            "expected": json.loads(json.dumps(self.expected)),
            "dirty": dict(self.dirty),
            "duplicates": self.duplicates,
            "valid_events": self.valid_events,
            "kols": list(self.kols),
            "employees": list(self.employees),
            "communities": dict(self.communities),
            "person_keys": {p: list(keys) for p, keys in self.person_keys.items()},
        }


class _Writer:
    """Collects (time, JSON line) pairs; written sorted by time."""

    def __init__(self) -> None:
        self.times: list[npt.NDArray[np.int64]] = []
        self.lines: list[list[str]] = []

    def add(self, times: npt.NDArray[np.int64], lines: list[str]) -> None:
        assert len(times) == len(lines)
        self.times.append(np.asarray(times, dtype=np.int64))
        self.lines.append(lines)


def _ts(seconds: npt.NDArray[np.int64]) -> list[str]:
    """Seconds since 2026-01-01 UTC -> ISO 8601 in China time (+08:00)."""
    local = _EPOCH + (np.asarray(seconds, dtype=np.int64) + 8 * 3600).astype("timedelta64[s]")
    return [s + "+08:00" for s in np.datetime_as_string(local, unit="s").tolist()]


def generate(
    out_dir: str | Path,
    config: SyntheticConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> GroundTruth:
    """Generate a synthetic SCRM dataset into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Created if needed; receives ``events.jsonl``, ``ground_truth.json`` and
        ``edge_probabilities.csv.gz``.
    config : SyntheticConfig, optional
    progress : callable, optional
        Called with the name of each stage as it starts.

    Returns
    -------
    GroundTruth

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     truth = generate(d, SyntheticConfig(customers=300, seed=1))
    >>> truth.expected["customers"]
    300
    """
    cfg = config or SyntheticConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen = _Generator(cfg, progress or (lambda _stage: None))
    return gen.run(out)


class _Generator:
    def __init__(self, cfg: SyntheticConfig, progress: Callable[[str], None]) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.progress = progress
        self.n = cfg.customers
        self.span = cfg.days * 86400
        self.writer = _Writer()
        self.seq = 0

    def ids(self, count: int, prefix: str = "ev") -> list[str]:
        start, self.seq = self.seq, self.seq + count
        return [f"{prefix}-{i:010d}" for i in range(start, start + count)]

    # -- people ----------------------------------------------------------------------
    def people(self) -> None:
        rng, n = self.rng, self.n
        k = self.cfg.communities or max(4, n // 400)
        sizes = rng.lognormal(0.0, 0.6, size=k)
        self.community = rng.choice(k, size=n, p=sizes / sizes.sum())
        self.popularity = (rng.pareto(1.2, size=n) + 1.0) ** 1.3
        order = np.argsort(-self.popularity)
        n_kol = max(1, round(n * self.cfg.kol_fraction))
        self.is_kol = np.zeros(n, dtype=bool)
        self.is_kol[order[:n_kol]] = True
        self.is_employee = rng.random(n) < self.cfg.employee_fraction
        self.is_employee &= ~self.is_kol  # staff are never KOLs in the plant
        # identities: openid always; 2-4 keys always include a trusted kind
        n_keys = rng.choice([1, 2, 3, 4], size=n, p=[0.35, 0.35, 0.2, 0.1])
        self.keys: list[list[str]] = []
        self.follow_key: list[list[str]] = []
        self.order_key: list[list[str]] = []
        phone_base = rng.integers(0, 10**8, size=n)
        for i in range(n):
            keys = [f"wechat_openid:o{i:08d}x{phone_base[i] % 997:03d}"]
            extra = int(n_keys[i]) - 1
            if extra:
                trusted = rng.permutation(_TRUSTED)[: rng.integers(1, min(extra, 3) + 1)]
                kinds = list(trusted) + list(rng.permutation(_OPTIONAL)[: extra - len(trusted)])
                for kind in kinds:
                    if kind == "wechat_unionid":
                        keys.append(f"wechat_unionid:u{i:08d}")
                    elif kind == "phone":
                        keys.append(f"phone:1{3 + i % 7}{phone_base[i]:08d}{i % 10}")
                    elif kind == "external":
                        keys.append(f"crm-{i:07d}")
                    elif kind == "weibo":
                        keys.append(f"weibo:{5_000_000_000 + i}")
                    else:
                        keys.append(f"qq:{10_000_000 + i}")
            self.keys.append(keys)
            social = [k for k in keys if k.startswith(("wechat_openid", "weibo", "qq"))]
            buying = [k for k in keys if k.startswith(("external:", "crm-", "phone", "wechat"))]
            self.follow_key.append(social)
            self.order_key.append(buying or social)
        self.first_activity = rng.integers(0, self.span // 3, size=n)

    def key_for(self, person: npt.NDArray[np.int64], pools: list[list[str]]) -> list[str]:
        pick = self.rng.random(len(person))
        out = []
        for p, r in zip(person.tolist(), pick.tolist(), strict=True):
            pool = pools[p]
            out.append(pool[int(r * len(pool))])
        return out

    # -- follows -------------------------------------------------------------------------
    def follows(self) -> None:
        rng, n, cfg = self.rng, self.n, self.cfg
        out_deg = np.minimum(rng.geometric(1.0 / cfg.mean_follows, size=n), n // 2)
        src = np.repeat(np.arange(n, dtype=np.int64), out_deg)
        inside = rng.random(src.size) < cfg.in_community
        dst = np.empty(src.size, dtype=np.int64)
        glob = np.cumsum(self.popularity)
        dst[~inside] = np.searchsorted(glob, rng.random(int((~inside).sum())) * glob[-1])
        comm_of_src = self.community[src]
        for c in np.unique(self.community):
            members = np.flatnonzero(self.community == c)
            cum = np.cumsum(self.popularity[members])
            sel = np.flatnonzero(inside & (comm_of_src == c))
            dst[sel] = members[np.searchsorted(cum, rng.random(sel.size) * cum[-1])]
        dst = np.minimum(dst, n - 1)
        keep = src != dst
        pairs = np.unique(src[keep] * n + dst[keep])
        self.f_src, self.f_dst = pairs // n, pairs % n  # f_src follows f_dst
        m = pairs.size
        same = self.community[self.f_src] == self.community[self.f_dst]
        # planted p(followee -> follower): higher inside a community
        self.f_prob = np.clip(rng.beta(1.2, 18.0, size=m) * np.where(same, 1.6, 0.7), 0, 0.9)
        start = np.maximum(self.first_activity[self.f_src], self.first_activity[self.f_dst])
        self.f_at = start + rng.integers(0, self.span // 2, size=m)
        unfollow = rng.random(m) < 0.02
        self.f_active = ~unfollow
        ev = self.ids(m)
        lines = [
            f'{{"type":"follow","event_id":"{e}","at":"{t}","follower":"{a}","followee":"{b}",'
            f'"channel":"{c}"}}'
            for e, t, a, b, c in zip(
                ev,
                _ts(self.f_at),
                self.key_for(self.f_src, self.follow_key),
                self.key_for(self.f_dst, self.follow_key),
                rng.choice(["wechat", "weibo", "douyin"], size=m).tolist(),
                strict=True,
            )
        ]
        self.writer.add(self.f_at, lines)
        u = np.flatnonzero(unfollow)
        u_at = self.f_at[u] + rng.integers(3600, self.span // 4, size=u.size)
        ev = self.ids(u.size)
        lines = [
            f'{{"type":"follow","event_id":"{e}","at":"{t}","follower":"{a}","followee":"{b}",'
            f'"action":"unfollow"}}'
            for e, t, a, b in zip(
                ev,
                _ts(u_at),
                self.key_for(self.f_src[u], self.follow_key),
                self.key_for(self.f_dst[u], self.follow_key),
                strict=True,
            )
        ]
        self.writer.add(u_at, lines)
        # influence adjacency: followee -> followers (CSR)
        order = np.argsort(self.f_dst, kind="stable")
        self.inf_targets = self.f_src[order]
        self.inf_prob = self.f_prob[order]
        self.inf_ptr = np.zeros(n + 1, dtype=np.int64)
        followers = np.bincount(self.f_dst, minlength=n)
        np.cumsum(followers, out=self.inf_ptr[1:])
        # share of followers one post reaches: all, up to max_audience_per_share
        cap = self.cfg.max_audience_per_share
        self.exposure = np.minimum(1.0, cap / np.maximum(followers, 1))

    # -- shares --------------------------------------------------------------------------
    def shares(self) -> None:
        rng, n = self.rng, self.n
        posts = max(1, round(n * self.cfg.posts_per_customer))
        weight = np.sqrt(self.popularity)
        sharers = rng.choice(n, size=posts, p=weight / weight.sum())
        rows: list[tuple[int, int, int, str, int]] = []  # (at, sharer, viewer, action, post)
        for post, root in enumerate(sharers.tolist()):
            t0 = int(rng.integers(self.span // 4, self.span - 86400))
            frontier = [(root, t0)]
            active = {root}
            while frontier:
                nxt = []
                for u, t in frontier:
                    lo, hi = self.inf_ptr[u], self.inf_ptr[u + 1]
                    if lo == hi:
                        continue
                    targets, probs = self.inf_targets[lo:hi], self.inf_prob[lo:hi]
                    if hi - lo > self.cfg.max_audience_per_share:
                        # a big account's post reaches a sample of its followers
                        shown = rng.random(hi - lo) < self.exposure[u]
                        targets, probs = targets[shown], probs[shown]
                    view_p = np.maximum(0.35, probs)
                    viewed = rng.random(targets.size) < view_p
                    acted = viewed & (rng.random(targets.size) < probs / view_p)
                    delays = rng.integers(60, 2 * 86400, size=targets.size)
                    for v, d, a in zip(
                        targets[viewed].tolist(),
                        delays[viewed].tolist(),
                        acted[viewed].tolist(),
                        strict=True,
                    ):
                        rows.append((t + d, u, v, "view", post))
                        if a and v not in active:
                            active.add(v)
                            rows.append((t + d + 30, u, v, "click", post))
                            if rng.random() < 0.15:
                                rows.append((t + d + 600, u, v, "convert", post))
                            nxt.append((v, t + d + 600))
                frontier = nxt
        if not rows:
            return
        at = np.array([r[0] for r in rows], dtype=np.int64)
        a_idx = np.array([r[1] for r in rows], dtype=np.int64)
        b_idx = np.array([r[2] for r in rows], dtype=np.int64)
        ev = self.ids(len(rows))
        lines = [
            f'{{"type":"share","event_id":"{e}","at":"{t}","sharer":"{a}","viewer":"{b}",'
            f'"content_id":"post-{r[4]}","action":"{r[3]}","channel":"wechat"}}'
            for e, t, a, b, r in zip(
                ev,
                _ts(at),
                self.key_for(a_idx, self.follow_key),
                self.key_for(b_idx, self.follow_key),
                rows,
                strict=True,
            )
        ]
        self.writer.add(at, lines)
        self.share_pairs = np.unique(a_idx * n + b_idx)
        converts = [r for r in rows if r[3] == "convert"]
        self.conversion_orders = [(r[0] + 60, r[2], f"post-{r[4]}") for r in converts]

    # -- referrals -----------------------------------------------------------------------
    def referrals(self) -> None:
        rng, n = self.rng, self.n
        self.referral_orders: list[tuple[int, int, str, str]] = []
        triples: set[tuple[int, int, str]] = set()
        rows: list[tuple[int, int, int, str, bool, str | None, float]] = []
        for c in range(self.cfg.referral_campaigns):
            campaign = f"rp-2026-{c + 1:02d}"
            t0 = int(rng.integers(self.span // 5, self.span * 3 // 4))
            seeds = rng.choice(n, size=max(2, n // 200), replace=False)
            frontier = [(int(s), t0 + int(rng.integers(0, 86400))) for s in seeds]
            depth = 0
            while frontier and depth < 8:
                nxt = []
                for u, t in frontier:
                    lo, hi = self.inf_ptr[u], self.inf_ptr[u + 1]
                    k = int(rng.poisson(1.3))
                    if k == 0:
                        continue
                    pool = self.inf_targets[lo:hi]
                    cands = (
                        rng.choice(pool, size=min(k, pool.size), replace=False)
                        if pool.size
                        else rng.integers(0, n, size=k)
                    )
                    for v in cands.tolist():
                        if v == u or (u, v, campaign) in triples:
                            continue
                        triples.add((u, v, campaign))
                        at = t + int(rng.integers(600, 3 * 86400))
                        converted = bool(rng.random() < 0.35)
                        order_id = f"ord-rp{c + 1}-{len(rows):08d}" if converted else None
                        rows.append(
                            (
                                at,
                                u,
                                v,
                                campaign,
                                converted,
                                order_id,
                                float(rng.choice([5.0, 8.8, 10.0, 16.8])),
                            )
                        )
                        if converted and order_id is not None:
                            self.referral_orders.append((at + 120, v, order_id, campaign))
                            nxt.append((v, at + 120))
                frontier = nxt
                depth += 1
        if not rows:
            return
        times = np.array([r[0] for r in rows], dtype=np.int64)
        ev = self.ids(len(rows))
        refs = self.key_for(np.array([r[1] for r in rows]), self.order_key)
        refd = self.key_for(np.array([r[2] for r in rows]), self.follow_key)
        lines = []
        for e, stamp, a, b, r in zip(ev, _ts(times), refs, refd, rows, strict=True):
            order = f',"order_id":"{r[5]}"' if r[5] else ""
            lines.append(
                f'{{"type":"referral","event_id":"{e}","at":"{stamp}","referrer":"{a}",'
                f'"referee":"{b}","campaign_id":"{r[3]}","converted":{str(r[4]).lower()}'
                f'{order},"reward":{r[6]}}}'
            )
        self.writer.add(times, lines)
        self.referral_count = len(triples)

    # -- orders and engagement -----------------------------------------------------------
    def orders(self) -> None:
        rng, n = self.rng, self.n
        lam = rng.gamma(0.5, 2.0, size=n)
        counts = rng.poisson(lam)
        who = np.repeat(np.arange(n), counts)
        at = self.first_activity[who] + rng.integers(0, self.span * 2 // 3, size=who.size)
        amount = np.round(rng.lognormal(5.0, 1.0, size=who.size), 2)
        campaigns: list[str | None] = [None] * who.size
        order_ids = [f"ord-{i:09d}" for i in range(who.size)]
        for t, v, post in self.__dict__.get("conversion_orders", []):
            who = np.append(who, v)
            at = np.append(at, t)
            amount = np.append(amount, round(float(rng.lognormal(5.3, 0.6)), 2))
            campaigns.append(None)
            order_ids.append(f"ord-wom-{len(order_ids):09d}")
            del post
        for t, v, oid, campaign in self.referral_orders:
            who = np.append(who, v)
            at = np.append(at, t)
            amount = np.append(amount, round(float(rng.lognormal(4.8, 0.5)), 2))
            campaigns.append(campaign)
            order_ids.append(oid)
        ev = self.ids(who.size)
        lines = []
        for e, t, c, oid, amt, camp in zip(
            ev,
            _ts(at),
            self.key_for(who, self.order_key),
            order_ids,
            amount.tolist(),
            campaigns,
            strict=True,
        ):
            extra = f',"campaign_id":"{camp}"' if camp else ""
            lines.append(
                f'{{"type":"order","event_id":"{e}","at":"{t}","customer":"{c}",'
                f'"order_id":"{oid}","amount":{amt}{extra}}}'
            )
        self.writer.add(at, lines)
        self.order_count = who.size
        self.revenue = np.bincount(who, weights=amount, minlength=n)
        kinds = ["like", "comment", "reply", "checkin", "survey", "other"]
        e_counts = rng.poisson(rng.gamma(0.7, 1.5, size=n))
        who = np.repeat(np.arange(n), e_counts)
        at = self.first_activity[who] + rng.integers(0, self.span * 2 // 3, size=who.size)
        kind = rng.choice(kinds, size=who.size, p=[0.45, 0.2, 0.1, 0.15, 0.05, 0.05])
        ev = self.ids(who.size)
        lines = [
            f'{{"type":"engagement","event_id":"{e}","at":"{t}","customer":"{c}",'
            f'"kind":"{k}","content_id":"post-{i % 997}"}}'
            for i, (e, t, c, k) in enumerate(
                zip(ev, _ts(at), self.key_for(who, self.follow_key), kind.tolist(), strict=True)
            )
        ]
        self.writer.add(at, lines)
        self.engagement_count = who.size

    # -- profiles and identity links ----------------------------------------------------
    def profiles(self) -> None:
        rng, n = self.rng, self.n
        at = np.maximum(self.first_activity - rng.integers(0, 86400, size=n), 0)
        ext = np.zeros((n, len(PLATFORMS)), dtype=np.int64)
        kol = np.flatnonzero(self.is_kol)
        total = np.exp(rng.uniform(np.log(1_000), np.log(3_000_000), size=kol.size))
        share = rng.dirichlet(np.full(len(PLATFORMS), 0.5), size=kol.size)
        ext[kol] = np.floor(total[:, None] * share).astype(np.int64)
        # a KOL's main platform alone carries >= 1,000 followers
        main = np.argmax(share, axis=1)
        ext[kol, main] = np.maximum(ext[kol, main], 1_000)
        small = np.flatnonzero(~self.is_kol & (rng.random(n) < 0.3))
        ext[small, rng.integers(0, len(PLATFORMS), size=small.size)] = rng.integers(
            0, 999, size=small.size
        )
        ev = self.ids(n)
        lines = []
        for i, (e, t) in enumerate(zip(ev, _ts(at), strict=True)):
            ref = self.order_key[i][0]
            followers = {PLATFORMS[j]: int(ext[i, j]) for j in range(len(PLATFORMS)) if ext[i, j]}
            tags = rng.choice(TAGS, size=int(rng.integers(0, 4)), replace=False).tolist()
            body: dict[str, Any] = {
                "type": "customer",
                "event_id": e,
                "at": t,
                "customer": ref,
                "name": f"{SURNAMES[i % 20]} {GIVEN[(i * 7) % 20]}",
                "region": REGIONS[int(self.community[i]) % len(REGIONS)],
            }
            if followers:
                body["external_followers"] = followers
            if tags:
                body["tags"] = tags
            if self.is_employee[i]:
                body["is_employee"] = True
                body["employee_of"] = "brand-hq"
            lines.append(json.dumps(body, separators=(",", ":")))
        self.writer.add(at, lines)
        self.external = ext
        multi = [i for i in range(n) if len(self.keys[i]) > 1]
        early = rng.random(len(multi)) < 0.5
        link_at = np.array(
            [
                max(int(self.first_activity[i]) - 3600, 0)
                if e
                else int(rng.integers(self.span // 3, self.span))
                for i, e in zip(multi, early.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
        ev = self.ids(len(multi))
        lines = [
            json.dumps(
                {"type": "identity_link", "event_id": e, "at": t, "identities": self.keys[i]},
                separators=(",", ":"),
            )
            for e, t, i in zip(ev, _ts(link_at), multi, strict=True)
        ]
        self.writer.add(link_at, lines)

    # -- dirt ----------------------------------------------------------------------------
    def dirt(self, valid: int) -> dict[str, int]:
        rng, n = self.rng, self.n
        per_kind = round(valid * self.cfg.dirty_fraction / len(DIRT_KINDS))
        counts = {}
        for kind in DIRT_KINDS:
            # oversize rows are 70 kB each: a few suffice to test the limit
            count = min(per_kind, _MAX_OVERSIZE) if kind == "oversize" else per_kind
            at = rng.integers(0, self.span, size=count)
            who = rng.integers(0, n, size=count)
            other = (who + 1 + rng.integers(0, n - 1, size=count)) % n
            ev = self.ids(count, prefix=f"dirty-{kind}")
            a_keys = self.key_for(who, self.follow_key)
            b_keys = self.key_for(other, self.follow_key)
            lines = []
            for e, t, a, b in zip(ev, _ts(at), a_keys, b_keys, strict=True):
                if kind == "self_follow":
                    line = (
                        f'{{"type":"follow","event_id":"{e}","at":"{t}",'
                        f'"follower":"{a}","followee":"{a}"}}'
                    )
                elif kind == "negative_amount":
                    line = (
                        f'{{"type":"order","event_id":"{e}","at":"{t}","customer":"{a}",'
                        f'"order_id":"bad-{e}","amount":-{rng.integers(1, 500)}.5}}'
                    )
                elif kind == "bad_timestamp":
                    line = (
                        f'{{"type":"follow","event_id":"{e}","at":"31/02/2026 25:61",'
                        f'"follower":"{a}","followee":"{b}"}}'
                    )
                elif kind == "unknown_type":
                    line = f'{{"type":"purchase","event_id":"{e}","at":"{t}","customer":"{a}"}}'
                elif kind == "unknown_identity_kind":
                    line = (
                        f'{{"type":"engagement","event_id":"{e}","at":"{t}",'
                        f'"customer":"tiktok:{a.partition(":")[2]}","kind":"like"}}'
                    )
                elif kind == "missing_field":
                    line = (
                        f'{{"type":"share","event_id":"{e}","at":"{t}","sharer":"{a}",'
                        f'"viewer":"{b}","action":"view"}}'
                    )
                elif kind == "oversize":
                    line = (
                        f'{{"type":"customer","event_id":"{e}","at":"{t}","customer":"{a}",'
                        f'"name":"{"x" * 70_000}"}}'
                    )
                else:
                    line = f'{{"type":"follow","event_id":"{e}","at":"{t}","follower":"{a}",'
                lines.append(line)
            self.writer.add(at, lines)
            counts[kind] = count
        return counts

    # -- expected state ------------------------------------------------------------------
    def expected_merges(self, order: npt.NDArray[np.int64], lines: list[str]) -> int:
        """Replay the valid stream's identity keys to count person merges."""
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while x in parent:
                x = parent[x]
            return x

        comp_of: dict[str, int] = {}
        comps = merges = 0
        references = _REFERENCE.findall
        for idx in order.tolist():
            line = lines[idx]
            if line.startswith('{"type":"identity_link"'):
                keys = json.loads(line)["identities"]
                roots = {find(comp_of[k]) for k in keys if k in comp_of}
                if not roots:
                    comps += 1
                    roots = {comps}
                root = min(roots)
                for other in roots - {root}:
                    parent[other] = root
                    merges += 1
                for k in keys:
                    comp_of.setdefault(k, root)
                continue
            # the generator writes references as plain JSON strings (no escapes), in
            # field order; a regex finds them without decoding the whole line
            for key in references(line):
                if key not in comp_of:
                    comps += 1
                    comp_of[key] = comps
        return merges

    def run(self, out: Path) -> GroundTruth:
        self.progress("people")
        self.people()
        self.progress("follows")
        self.follows()
        self.progress("word-of-mouth cascades")
        self.shares()
        self.progress("referral campaigns")
        self.referrals()
        self.progress("orders and engagement")
        self.orders()
        self.progress("profiles and identities")
        self.profiles()
        valid_lines = [line for chunk in self.writer.lines for line in chunk]
        valid_times = np.concatenate(self.writer.times)
        valid = len(valid_lines)
        valid_order = np.argsort(valid_times, kind="stable")
        self.progress("identity replay")
        merges = self.expected_merges(valid_order, valid_lines)
        self.progress("dirty rows")
        n_dup = round(valid * self.cfg.duplicate_fraction)
        dup_idx = self.rng.choice(valid, size=n_dup, replace=False) if n_dup else np.zeros(0, int)
        self.writer.add(valid_times[dup_idx] + 1, [valid_lines[i] for i in dup_idx.tolist()])
        dirty = self.dirt(valid)
        self.progress("writing events")
        lines = [line for chunk in self.writer.lines for line in chunk]
        times = np.concatenate(self.writer.times)
        events = out / "events.jsonl"
        with events.open("w", encoding="utf-8") as fh:
            order = np.argsort(times, kind="stable").tolist()
            for lo in range(0, len(order), 100_000):
                fh.write("\n".join([lines[i] for i in order[lo : lo + 100_000]]) + "\n")
        self.progress("ground truth")
        return self.truth(out, events, merges, dirty, n_dup, valid)

    def truth(
        self, out: Path, events: Path, merges: int, dirty: dict[str, int], n_dup: int, valid: int
    ) -> GroundTruth:
        n = self.n
        person = [f"p{i:07d}" for i in range(n)]
        expected = {
            "customers": n,
            "identities": sum(len(k) for k in self.keys),
            "merges": merges,
            "edges": {
                "FOLLOWS": int(self.f_active.sum()),
                "SHARED_TO": int(getattr(self, "share_pairs", np.zeros(0)).size),
                "REFERRED": int(getattr(self, "referral_count", 0)),
            },
            "orders": int(self.order_count),
            "engagements": int(self.engagement_count),
        }
        truth = GroundTruth(
            config=asdict(self.cfg),
            events_file=str(events),
            expected=expected,
            dirty=dirty,
            duplicates=n_dup,
            valid_events=valid,
            kols=[person[i] for i in np.flatnonzero(self.is_kol).tolist()],
            employees=[person[i] for i in np.flatnonzero(self.is_employee).tolist()],
            communities={person[i]: int(c) for i, c in enumerate(self.community.tolist())},
            person_keys={person[i]: self.keys[i] for i in range(n)},
        )
        (out / "ground_truth.json").write_text(json.dumps(truth.to_dict()), encoding="utf-8")
        # level 1: 4x faster than gzip's default 9 here, the file about 20% larger
        with gzip.open(
            out / "edge_probabilities.csv.gz", "wt", encoding="utf-8", compresslevel=1
        ) as fh:
            fh.write("influencer,influenced,p\n")
            effective = self.f_prob * self.exposure[self.f_dst]
            for a, b, p in zip(
                self.f_dst.tolist(), self.f_src.tolist(), effective.tolist(), strict=True
            ):
                fh.write(f"{person[a]},{person[b]},{p:.6f}\n")
        return truth
