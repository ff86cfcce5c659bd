"""Wilson's score interval against scipy's, and against the quadratic that defines it; the delta-method
ratio errors against the dense covariance; Fieller's ends against the quadratic that defines them."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from hessdiag.linalg.intervals import Z95, Estimate, fieller_interval, ratio_estimate, ratio_stderr, wilson_interval


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
                                         (29, 43, 0.525, 0.795), (28, 49, 0.433, 0.7),
                                         (34, 49, 0.555, 0.805), (35, 49, 0.576, 0.822),
                                         (21, 54, 0.27, 0.522), (38, 54, 0.572, 0.809),
                                         (36, 62, 0.457, 0.695), (42, 62, 0.554, 0.78),
                                         (48, 70, 0.57, 0.782), (50, 70, 0.599, 0.807),
                                         (56, 77, 0.619, 0.814), (49, 77, 0.525, 0.735),
                                         (59, 83, 0.606, 0.797), (48, 83, 0.471, 0.679),
                                         (63, 93, 0.577, 0.764), (54, 93, 0.479, 0.676),
                                         (75, 105, 0.622, 0.792), (58, 105, 0.457, 0.644),
                                         (80, 113, 0.618, 0.784), (78, 113, 0.6, 0.768),
                                         (84, 119, 0.619, 0.78), (83, 119, 0.61, 0.773),
                                         (91, 128, 0.627, 0.782), (90, 128, 0.619, 0.775),
                                         (112, 141, 0.72, 0.853), (105, 141, 0.667, 0.809),
                                         (116, 146, 0.722, 0.852), (102, 146, 0.62, 0.767),
                                         (110, 157, 0.625, 0.767), (109, 157, 0.618, 0.761),
                                         (115, 164, 0.627, 0.766), (118, 164, 0.646, 0.783),
                                         (132, 171, 0.703, 0.828), (127, 171, 0.672, 0.802),
                                         (140, 187, 0.682, 0.805), (138, 187, 0.671, 0.796),
                                         (146, 195, 0.683, 0.804), (138, 195, 0.64, 0.767),
                                         (150, 202, 0.678, 0.798), (143, 202, 0.642, 0.766),
                                         (156, 212, 0.673, 0.791), (148, 212, 0.633, 0.756),
                                         (166, 219, 0.697, 0.81), (156, 219, 0.649, 0.768),
                                         (179, 237, 0.697, 0.806), (152, 237, 0.578, 0.7),
                                         (192, 253, 0.703, 0.807), (189, 253, 0.69, 0.797),
                                         (209, 277, 0.701, 0.801), (214, 277, 0.72, 0.818),
                                         (223, 300, 0.691, 0.789), (231, 300, 0.719, 0.814),
                                         (215, 307, 0.647, 0.749), (234, 307, 0.712, 0.806),
                                         (228, 315, 0.672, 0.77), (242, 315, 0.719, 0.811),
                                         (241, 319, 0.705, 0.799), (245, 319, 0.719, 0.811),
                                         (230, 341, 0.623, 0.722), (261, 341, 0.718, 0.807),
                                         (263, 361, 0.68, 0.772), (276, 361, 0.718, 0.805)])
def test_wilson_interval_of_the_benchmark_accuracies(k, n, lo, hi):
    """The figures the recommendation stated for its benchmark accuracy: 16 of 18 clear cases (26 cases), 18 of 20 (32
    cases), 15 of 23 (36 cases), 21 of 26 (42 cases), 22 of 27 (50 cases), 25 of 30 (58 cases), 28 of 33 (64 cases),
    30 of 35 (72 cases), 28 and 29 of 43 (88 cases, without and with the race), 28, 34 and 35 of 49 (96 cases:
    without the race, with it, with it before the race study covered every case), 21 and 38 of 54 (104 cases,
    without and with the race), 36 and 42 of 62 (120 cases, without and with the race), 48 and 50 of 70 (136 cases),
    56 and 49 of 77 (152 cases), 59 and 48 of 83 (168 cases), 63 and 54 of 93 (184 cases), 75 and 58 of 105 (200
    cases), 80 and 78 of 113 (216 cases), 84 and 83 of 119 (232 cases), 91 and 90 of 128 (248 cases), 112 and 105 of
    141 (264 cases), 116 and 102 of 146 (280 cases), 110 and 109 of 157 (296 cases), 115 and 118 of 164 (312
    cases), 132 and 127 of 171 (328 cases), 140 and 138 of 187 (360 cases), 146 and 138 of 195
    (376 cases), 150 and 143 of 202 (392 cases), 156 and 148 of 212 (408 cases),
    166 and 156 of 219 (424 cases), 179 and 152 of 237 (456 cases), 192 and 189 of 253 (488 cases), 209 and 214
    of 277 (536 cases), 223 and 231 of 300 (584 cases), 215 and 234 of 307 (600 cases), 228 and 242 of 315 (616
    cases), 241 and 245 of 319 (630 cases), 230 and 261 of 341 (658 cases),
    263 and 276 of 361 (690 cases); textbook values to 3 digits."""
    got = wilson_interval(k, n)
    assert (round(got.lo, 3), round(got.hi, 3)) == (lo, hi)


def test_wilson_interval_without_trials_is_unknown_and_bad_counts_are_refused():
    assert wilson_interval(0, 0).as_list() == [None, None]
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    assert math.isclose(wilson_interval(0, 10).lo, 0.0, abs_tol=1e-15)


@pytest.mark.parametrize("a, d, var_a, var_d, cov", [(2.0, 1.0, 0.09, 0.0625, 0.03), (3.0, -1.5, 0.2, 0.1, -0.05),
                                                     (-1.0, 4.0, 0.5, 0.3, 0.2), (1.0, 0.8, 0.01, 0.0, 0.0)])
def test_ratio_errors_are_the_delta_method_of_the_dense_covariance(a, d, var_a, var_d, cov):
    """The delta method: Var(A/D) ≈ gᵀ Σ g with g = ∇(a/d) = (1/d, −a/d²) and Σ = [[v_A, c], [c, v_D]]
    (c = 0 for `ratio_estimate`, whose errors are independent), computed here as a dense quadratic form."""
    g = np.array([1 / d, -a / d**2])
    sigma = np.array([[var_a, cov], [cov, var_d]])
    assert ratio_stderr(a, d, var_a, var_d, cov) == pytest.approx(math.sqrt(g @ sigma @ g), rel=1e-12)
    independent = ratio_estimate(Estimate(a, math.sqrt(var_a), "a"), Estimate(d, math.sqrt(var_d), "d"))
    assert independent.estimate == pytest.approx(a / d, rel=1e-15)
    assert independent.stderr == pytest.approx(math.sqrt(g @ np.diag([var_a, var_d]) @ g), rel=1e-12)


@pytest.mark.parametrize("a, d, var_a, var_d, cov", [(2.0, 1.0, 0.09, 0.0625, 0.03), (3.0, 1.5, 0.2, 0.1, -0.05),
                                                     (1.0, -1.0, 0.01, 0.02, 0.005), (0.5, 2.0, 0.3, 0.4, 0.3)])
def test_bounded_fieller_ends_solve_the_defining_quadratic(a, d, var_a, var_d, cov):
    """A bounded Fieller interval's ends are the roots r of (a − r d)² = z² (v_A − 2 r c + r² v_D): each
    end solves it (to 1e-10 of the terms) and the estimate a/d lies between them."""
    got = fieller_interval(a, d, var_a, var_d, cov, nonnegative=False)
    assert got.bounded and got.lo < a / d < got.hi
    for r in (got.lo, got.hi):
        lhs, rhs = (a - r * d) ** 2, Z95**2 * (var_a - 2 * r * cov + r * r * var_d)
        assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-12)


def test_unbounded_fieller_set_outside_two_roots_starts_at_the_upper_root():
    """D not significant (d² < z² v_D) and the set the outside of two roots r₁ < 0 < r₂: for a ratio known
    non-negative the reported set is [r₂, ∞), r₂ solving the defining quadratic."""
    a, d, var_a, var_d, cov = 1.0, 0.1, 0.01, 0.01, 0.0
    got = fieller_interval(a, d, var_a, var_d, cov)
    assert not got.bounded and math.isinf(got.hi) and got.lo > 0
    assert (a - got.lo * d) ** 2 == pytest.approx(Z95**2 * (var_a - 2 * got.lo * cov + got.lo**2 * var_d), rel=1e-10)
    roots = np.roots([d * d - Z95**2 * var_d, -2 * (a * d - Z95**2 * cov), a * a - Z95**2 * var_a])
    assert min(roots) < 0 < max(roots) and got.lo == pytest.approx(max(roots), rel=1e-10)
