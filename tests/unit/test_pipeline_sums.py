"""Per-customer sums in ``compute`` do not depend on the order the store returns rows in.

Found by the live Neo4j suite: Neo4j returns orders in another order than SQLite, the
float totals differed in the last bit (780.57 vs 780.5699999999999) and two customers'
revenue percentiles swapped.
"""

from __future__ import annotations

import numpy as np

from graph_engine.scoring.money import weighted_sum


def test_sums_are_bit_identical_under_any_row_order() -> None:
    rng = np.random.default_rng(5)
    index = rng.integers(0, 50, size=5_000)
    amounts = np.round(rng.uniform(0.01, 999.99, size=5_000), 2)
    want = weighted_sum(50, index, amounts)
    differs = False
    for _ in range(20):
        perm = rng.permutation(index.size)
        got = weighted_sum(50, index[perm], amounts[perm])
        assert got.tobytes() == want.tobytes()
        naive = np.bincount(index[perm], weights=amounts[perm], minlength=50)
        differs |= naive.tobytes() != want.tobytes()
    # the naive read-order sum really does change with the order (the bug this guards)
    assert differs


def test_empty_and_out_of_range_lengths() -> None:
    assert weighted_sum(3, np.zeros(0, dtype=np.int64), np.zeros(0)).tolist() == [0, 0, 0]
    assert weighted_sum(2, np.array([1, 1]), np.array([0.5, 0.25])).tolist() == [0, 0.75]
