"""Comparing partitions (test helper only)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence

__all__ = ["nmi"]


def nmi(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Normalised mutual information of two labelings of the same items (arithmetic mean
    of the entropies; 1.0 when both put everything in one group)."""
    n = len(a)
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    mutual = sum(v / n * math.log(v * n / (ca[x] * cb[y])) for (x, y), v in cab.items())
    ha = -sum(v / n * math.log(v / n) for v in ca.values())
    hb = -sum(v / n * math.log(v / n) for v in cb.values())
    return 1.0 if ha + hb == 0 else 2 * mutual / (ha + hb)
