"""The recommendation on the thesis' quadratics (`hessdiag calibrate` cells): it follows the race
where it makes a call, and is inconclusive exactly where R(θ₀) straddles 1 across the repetitions."""

from __future__ import annotations

import pytest

from hessdiag.experiments.calibration import calibrate
from hessdiag.recommend.calibration import calibration_calls


@pytest.fixture(scope="module")
def grids():
    return [calibrate(dim=8, reps=12, seed=seed) for seed in (0, 1, 2)]


def test_inconclusive_exactly_where_R_straddles_1(grids):
    for cal in grids:
        calls = calibration_calls(cal)
        for cell, call in zip(cal.cells, calls.cells):
            lo, hi = cell.R_range
            straddles = lo <= 1.0 <= hi
            assert (call.call == "inconclusive") == straddles
            if not straddles:
                assert call.call == ("sign" if lo > 1 else "euclidean")


def test_conclusive_calls_follow_the_race_in_most_cells(grids):
    """Pooled over three seeds: ≥ 80 % of the conclusive cells name the winner after 100 steps.

    (Measured 91–100 % per seed at the CLI defaults; the local one-step rule applied to the mean R
    agrees in only 61–70 % of all cells, which is why straddling cells must stay inconclusive.)
    """
    decided = [c for cal in grids for c in calibration_calls(cal).conclusive]
    assert len(decided) >= 10
    assert sum(bool(c.follows) for c in decided) / len(decided) >= 0.8
