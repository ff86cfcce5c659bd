"""Wilson's score interval against scipy's, and against the quadratic that defines it."""

import math

import pytest
from scipy.stats import binomtest

from hessdiag.linalg.intervals import Z95, wilson_interval


@pytest.mark.parametrize("k, n", [(16, 18), (0, 5), (5, 5), (1, 2), (13, 18), (250, 1000), (1, 1)])
def test_wilson_interval_matches_scipy_and_solves_its_quadratic(k, n):
    got = wilson_interval(k, n)
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert got.lo == pytest.approx(ref.low, abs=1e-12) and got.hi == pytest.approx(ref.high, abs=1e-12)
    for p in (got.lo, got.hi):  # an end that is not clamped solves (k/n − p)² = z² p(1 − p)/n
        if 0.0 < p < 1.0:
            assert (k / n - p) ** 2 == pytest.approx(Z95 ** 2 * p * (1 - p) / n, rel=1e-10)
    assert got.lo <= k / n <= got.hi


@pytest.mark.parametrize("k, n, lo, hi", [(16, 18, 0.672, 0.969), (18, 20, 0.699, 0.972), (15, 23, 0.449, 0.812),
                                         (21, 26, 0.621, 0.915), (22, 27, 0.633, 0.918),
                                         (25, 30, 0.664, 0.927), (28, 33, 0.691, 0.933),
                                         (30, 35, 0.706, 0.937), (28, 43, 0.502, 0.776),
                                         (29, 43, 0.525, 0.795)])
def test_wilson_interval_of_the_benchmark_accuracies(k, n, lo, hi):
    """The figures the recommendation stated for its benchmark accuracy: 16 of 18 clear cases (26 cases),
    18 of 20 (32 cases), 15 of 23 (36 cases), 21 of 26 (42 cases),
    22 of 27 (50 cases), 25 of 30 (58 cases), 28 of 33 (64 cases),
    30 of 35 (72 cases), 28 and 29 of 43 (88 cases, without and with the race); textbook values to 3 digits."""
    got = wilson_interval(k, n)
    assert (round(got.lo, 3), round(got.hi, 3)) == (lo, hi)


def test_wilson_interval_without_trials_is_unknown_and_bad_counts_are_refused():
    assert wilson_interval(0, 0).as_list() == [None, None]
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    assert math.isclose(wilson_interval(0, 10).lo, 0.0, abs_tol=1e-15)
