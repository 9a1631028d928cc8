"""Tier rules: employee / KOL (nano ... mega) / KOC / consumer, with a reason in words.

Defaults (override in a TOML file, ``Settings.tier_rules_file``):

- ``employee``: marked as staff. Staff are never classed as KOL or KOC (their reach is
  still computed and shown).
- ``kol``: external audience on some platform reaches that platform's first level
  (default 1,000), or the total external audience reaches the default first level.
  Levels: nano 1k-10k, micro 10k-50k, mid 50k-500k, macro 500k-1M, mega >= 1M, with
  per-platform thresholds (e.g. Weibo audiences are cheaper than Xiaohongshu ones).
  The level is the highest any platform (or the total) reaches.
- ``koc`` (key opinion consumer): not a KOL, in the top 5% of expected in-network
  word-of-mouth reach, and at least one proven conversion from their shares or
  referrals.
- ``consumer``: everyone else.

TOML layout::

    [kol]
    levels = { nano = 1000, micro = 10000, mid = 50000, macro = 500000, mega = 1000000 }

    [kol.platforms.weibo]
    nano = 2000
    micro = 20000
    mid = 50000
    macro = 100000
    mega = 1000000

    [koc]
    top_fraction = 0.05
    min_conversions = 1

References
----------
Campbell, C., & Farrell, J. R. (2020). More than meets the eye: the functional
components underlying influencer marketing. Business Horizons, 63(4).
"""

from __future__ import annotations

import bisect
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ConfigError

__all__ = ["LEVEL_NAMES", "TierRules", "Tiers", "assign_tiers", "human"]

LEVEL_NAMES = ("nano", "micro", "mid", "macro", "mega")
DEFAULT_LEVELS: tuple[int, ...] = (1_000, 10_000, 50_000, 500_000, 1_000_000)


def human(n: float) -> str:
    """132000 -> '132k', 1200000 -> '1.2M', to three significant digits.

    Examples
    --------
    >>> human(132_000), human(1_200_000), human(950), human(999_999)
    ('132k', '1.2M', '950', '1M')
    """
    if n >= 999.5:  # rounds to at least 1k
        thousands = float(f"{n / 1_000:.3g}")
        if thousands < 1_000:
            return f"{thousands:g}k"
        return f"{float(f'{n / 1_000_000:.3g}'):g}M"
    return f"{n:.3g}"


def _levels(where: str, table: Any) -> tuple[int, ...]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table of level thresholds, got {table!r}")
    unknown = set(table) - set(LEVEL_NAMES)
    if unknown:
        raise ConfigError(f"{where}: unknown level(s) {sorted(unknown)} (known: {LEVEL_NAMES})")
    values = []
    for name, default in zip(LEVEL_NAMES, DEFAULT_LEVELS, strict=True):
        v = table.get(name, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"{where}.{name} = {v!r}: must be a positive integer")
        values.append(v)
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ConfigError(f"{where}: thresholds must increase nano < micro < ... < mega")
    return tuple(values)


@dataclass(frozen=True)
class TierRules:
    """Thresholds of the tier rules (see the module docstring)."""

    levels: tuple[int, ...] = DEFAULT_LEVELS
    platform_levels: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    koc_top_fraction: float = 0.05
    koc_min_conversions: int = 1
    source: str = "defaults"

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform_levels", MappingProxyType(dict(self.platform_levels)))
        platforms = ((f"kol.platforms.{p}", v) for p, v in self.platform_levels.items())
        for where, levels in [("kol.levels", self.levels), *platforms]:
            if len(levels) != len(LEVEL_NAMES):
                raise ConfigError(
                    f"{where}: {len(levels)} thresholds, want one per level {LEVEL_NAMES}"
                )
        if not 0 < self.koc_top_fraction <= 1:
            raise ConfigError(f"koc.top_fraction = {self.koc_top_fraction!r}: must be in (0, 1]")
        if self.koc_min_conversions < 0:
            raise ConfigError(f"koc.min_conversions = {self.koc_min_conversions!r}: must be >= 0")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "mapping") -> TierRules:
        """Rules from a parsed TOML document; errors name the source and key."""
        unknown = set(data) - {"kol", "koc", "value"}
        if unknown:
            raise ConfigError(
                f"{source}: unknown section(s) {sorted(unknown)} (known: kol, koc, value)"
            )
        kol = data.get("kol", {})
        koc = data.get("koc", {})
        levels = _levels(f"{source}: kol.levels", kol.get("levels", {}))
        platforms = {
            str(name).lower(): _levels(f"{source}: kol.platforms.{name}", table)
            for name, table in kol.get("platforms", {}).items()
        }
        top = koc.get("top_fraction", 0.05)
        conv = koc.get("min_conversions", 1)
        if isinstance(top, bool) or not isinstance(top, int | float):
            raise ConfigError(f"{source}: koc.top_fraction = {top!r} is not a number")
        if isinstance(conv, bool) or not isinstance(conv, int):
            raise ConfigError(f"{source}: koc.min_conversions = {conv!r} is not an integer")
        try:
            return cls(levels, platforms, float(top), conv, source)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> TierRules:
        """Rules from a TOML file (see the module docstring)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"tier rules file {str(path)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"tier rules file {str(path)!r}: {exc}") from None
        return cls.from_mapping(data, source=str(path))

    def level(self, audience: int, platform: str | None) -> int:
        """Index of the level ``audience`` reaches on ``platform`` (-1: none)."""
        thresholds = self.platform_levels.get((platform or "").lower(), self.levels)
        return bisect.bisect_right(thresholds, audience) - 1

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (recorded in each run's config)."""
        return {
            "levels": dict(zip(LEVEL_NAMES, self.levels, strict=True)),
            "platforms": {
                p: dict(zip(LEVEL_NAMES, v, strict=True)) for p, v in self.platform_levels.items()
            },
            "koc_top_fraction": self.koc_top_fraction,
            "koc_min_conversions": self.koc_min_conversions,
            "source": self.source,
        }


@dataclass(frozen=True, eq=False)
class Tiers:
    """Tier, level and reason per customer."""

    tier: tuple[str, ...]
    level: tuple[str | None, ...]
    reason: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        """Customers per tier."""
        out: dict[str, int] = {}
        for t in self.tier:
            out[t] = out.get(t, 0) + 1
        return out


def assign_tiers(
    is_employee: npt.ArrayLike,
    external_followers: Sequence[Mapping[str, int]],
    expected_reach: npt.ArrayLike,
    conversions: npt.ArrayLike,
    rules: TierRules | None = None,
) -> Tiers:
    """Apply the tier rules to every customer.

    Parameters
    ----------
    is_employee : array_like of bool
    external_followers : sequence of mapping platform -> followers
    expected_reach : array_like of float
        Single-seed expected in-network reach.
    conversions : array_like of int
        Proven conversions from the person's shares and referrals.
    rules : TierRules, optional

    Returns
    -------
    Tiers

    Examples
    --------
    >>> t = assign_tiers([False, True], [{"weibo": 132_000}, {}], [1.0, 9.0], [0, 3])
    >>> t.tier, t.level
    (('kol', 'employee'), ('mid', None))
    >>> t.reason[0]
    'external audience 132k on weibo → mid KOL'
    """
    rules = rules or TierRules()
    staff = np.asarray(is_employee, dtype=bool)
    reach = np.asarray(expected_reach, dtype=np.float64)
    conv = np.asarray(conversions, dtype=np.int64)
    n = staff.size
    if not (len(external_followers) == reach.size == conv.size == n):
        raise ConfigError("assign_tiers: inputs have different lengths")
    # top fraction of reach: the share of customers whose reach is >= yours (ties share
    # a place, so the input order never decides a tier)
    at_least = n - np.searchsorted(np.sort(reach), reach, side="left")
    top_share = at_least / max(n, 1)
    # shown as a whole percentage, rounded up, at least 1
    top_pct = np.maximum(1, np.ceil(100 * top_share))
    tiers: list[str] = []
    levels: list[str | None] = []
    reasons: list[str] = []
    level = rules.level
    top_share_of = top_share.tolist()
    top_pct_of = top_pct.tolist()
    # numpy scalars format as Python numbers do; lists are faster to index
    reach_of, conv_of, staff_of = reach.tolist(), conv.tolist(), staff.tolist()
    for i in range(n):
        followers = external_followers[i]
        ext = {str(k): int(v) for k, v in followers.items() if int(v) > 0} if followers else {}
        total = sum(ext.values())
        best, best_platform, best_audience = -1, None, 0
        for platform, audience in sorted(ext.items()):
            lv = level(audience, platform)
            if lv > best or (lv == best and audience > best_audience):
                best, best_platform, best_audience = lv, platform, audience
        total_level = level(total, None)
        if len(ext) > 1 and total_level > best:
            best, best_platform, best_audience = total_level, None, total
        where = f"on {best_platform}" if best_platform else f"across {len(ext)} platforms"
        if staff_of[i]:
            tiers.append("employee")
            levels.append(None)
            extra = f"; external audience {human(total)}, not classed as KOL" if total else ""
            reasons.append(f"marked as staff → employee{extra}")
        elif best >= 0:
            name = LEVEL_NAMES[best]
            tiers.append("kol")
            levels.append(name)
            reasons.append(f"external audience {human(best_audience)} {where} → {name} KOL")
        elif (
            reach_of[i] > 0
            and top_share_of[i] <= rules.koc_top_fraction
            and conv_of[i] >= max(1, rules.koc_min_conversions)
        ):
            tiers.append("koc")
            levels.append(None)
            pct = int(top_pct_of[i])
            reasons.append(
                f"top {pct}% expected word-of-mouth reach ({reach_of[i]:.3g} people), "
                f"{conv_of[i]} proven conversions → KOC"
            )
        else:
            tiers.append("consumer")
            levels.append(None)
            why = []
            if total:
                why.append(f"external audience {human(total)} below the KOL threshold")
            pct = int(top_pct_of[i])
            if reach_of[i] <= 0:
                pass  # no reach to rank
            elif top_share_of[i] > rules.koc_top_fraction:
                why.append(
                    f"expected reach in the top {pct}%, not the top {rules.koc_top_fraction:.0%}"
                )
            else:  # in the top fraction with reach: too few conversions
                why.append(f"top {pct}% reach but {conv_of[i]} proven conversions")
            reasons.append(("; ".join(why) or "no audience or reach yet") + " → consumer")
    return Tiers(tuple(tiers), tuple(levels), tuple(reasons))
