"""Gradient norms, density φ (Eq. 6.29) and the improvement ratio R (Eq. 6.30).

Tolerances: φ and R are a handful of float64 operations on sums of d ≤ 10⁴ terms; 1e-12 relative
leaves room for the summation order (numpy's pairwise sums vs a direct formula) and nothing more.
"""

from __future__ import annotations

import numpy as np
import pytest

from hessdiag.estimators.geometry.gradient_geometry import (
    ZERO_GRADIENT,
    gradient_density,
    gradient_norms,
    improvement_ratio,
)


def test_density_extremes_and_formula():
    d = 17
    assert gradient_density(np.full(d, -3.0)) == pytest.approx(1.0, rel=1e-15)
    one_hot = np.zeros(d)
    one_hot[4] = 2.5
    assert gradient_density(one_hot) == pytest.approx(1 / d, rel=1e-15)
    g = np.random.default_rng(0).standard_normal(10_000)
    assert gradient_density(g) == pytest.approx(np.abs(g).sum() ** 2 / (g.size * (g @ g)), rel=1e-12)
    assert 1 / g.size <= gradient_density(g) <= 1


def test_density_and_norms_are_scale_safe():
    """No underflow or overflow: φ is scale invariant and the norms scale exactly."""
    g = np.random.default_rng(1).standard_normal(50)
    for scale in (1e-200, 1e200):
        assert gradient_density(scale * g) == pytest.approx(gradient_density(g), rel=1e-12)
        # abs=0: at 1e-200 pytest's default absolute tolerance (1e-12) would pass any value, an underflow to 0 too
        assert gradient_norms(scale * g).l2 == pytest.approx(scale * np.linalg.norm(g), rel=1e-12, abs=0)
    norms = gradient_norms(g)
    assert (norms.l1, norms.linf) == (pytest.approx(np.abs(g).sum()), np.abs(g).max())
    assert norms.as_dict().keys() >= {"l2", "l1"}


def test_zero_gradient_gives_null_with_reason():
    assert gradient_density(np.zeros(5)) is None
    ratio, reason = improvement_ratio(gradient_norms(np.zeros(5)), None, 5, (1.0, 1.0), (2.0, 3.0))
    assert ratio is None and reason == ZERO_GRADIENT and "zero" in reason


def test_ratio_is_i_sign_over_i_gd_and_an_interval():
    g = np.random.default_rng(2).standard_normal(30)
    norms, phi = gradient_norms(g), gradient_density(g)
    l2, linf = 2.0, 11.0
    exact, _ = improvement_ratio(norms, phi, 30, (l2, l2), (linf, linf))
    i_gd, i_sign = norms.l2**2 / l2, norms.l1**2 / linf  # Eq. 6.27, 6.28
    assert exact.lo == pytest.approx(i_sign / i_gd, rel=1e-12) and exact.hi == pytest.approx(exact.lo, rel=1e-12)
    wide, _ = improvement_ratio(norms, phi, 30, (1.9, 2.1), (10.0, 12.0))
    assert wide.lo <= exact.lo <= wide.hi
    assert wide.lo == pytest.approx(phi * 30 * 1.9 / 12.0) and wide.hi == pytest.approx(phi * 30 * 2.1 / 10.0)
    assert wide.improvement_sign[0] <= i_sign <= wide.improvement_sign[1]


def test_favours():
    g = np.ones(4)
    norms, phi = gradient_norms(g), 1.0
    assert improvement_ratio(norms, phi, 4, (1.0, 1.0), (2.0, 3.0))[0].favours == "sign"  # R ∈ [4/3, 2]
    assert improvement_ratio(norms, phi, 4, (1.0, 1.0), (5.0, 6.0))[0].favours == "euclidean"
    assert improvement_ratio(norms, phi, 4, (1.0, 1.0), (3.0, 5.0))[0].favours == "undecided"
    assert improvement_ratio(norms, phi, 4, (0.0, 0.0), (0.0, 0.0))[0] is None  # H = 0
    unbounded, _ = improvement_ratio(norms, phi, 4, (1.0, 1.0), (0.0, 3.0))
    assert unbounded.hi == float("inf")


def test_improvement_intervals_are_ordered_and_a_negative_l2_end_is_clipped():
    """I_GD = ‖g‖₂²/L2 over L2 ∈ [1.9, 2.1] is [‖g‖₂²/2.1, ‖g‖₂²/1.9] (lo ≤ hi); an L2 bar reaching below
    0 (L2 = 0.5 ± 1) is clipped at 0 (L2 ≥ 0 always): R's lower end is then 0, not negative, and
    I_GD's upper end unbounded."""
    g = np.random.default_rng(3).standard_normal(12)
    norms, phi = gradient_norms(g), gradient_density(g)
    wide, _ = improvement_ratio(norms, phi, 12, (1.9, 2.1), (10.0, 12.0))
    assert wide.improvement_gd == pytest.approx((norms.l2**2 / 2.1, norms.l2**2 / 1.9), rel=1e-12)
    assert wide.improvement_sign == pytest.approx((norms.l1**2 / 12.0, norms.l1**2 / 10.0), rel=1e-12)
    clipped, _ = improvement_ratio(norms, phi, 12, (-0.5, 1.5), (10.0, 12.0))
    assert clipped.l2 == (0.0, 1.5) and clipped.lo == 0.0
    assert clipped.improvement_gd[1] == float("inf")
