"""Derived quantities: nulls with reasons where a formula means nothing, intervals from residuals.

Inputs are Ritz values with residuals set by hand, so every expected number is exact arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hessdiag.estimators.spectrum.ratios import (
    smallest_positive_from_dense,
    smallest_positive_from_ritz,
    spectrum_ratios,
)
from hessdiag.estimators.spectrum.spectral_norm import spectral_norm
from hessdiag.estimators.spectrum.step_sizes import step_sizes
from hessdiag.linalg import LanczosResult, RitzValue
from hessdiag.linalg.quadrature import MeanAbsEigenvalue


def _ritz(which, *pairs):
    return LanczosResult(which, [RitzValue(v, r) for v, r in pairs], 10, True)


def test_positive_definite_spectrum_gives_every_step_size():
    top, bottom = _ritz("largest", (10.0, 1e-6)), _ritz("smallest", (2.0, 1e-6))
    s = step_sizes(top, bottom, spectral_norm(top, bottom), gradient_sq_norm=4.0, gradient_curvature=8.0)
    assert s.gd_1_over_L2 == pytest.approx(0.1) and s.gd_max_2_over_lmax == pytest.approx(0.2)
    assert s.gd_opt == pytest.approx(2 / 12) and s.gd_along_gradient == pytest.approx(0.5)
    assert s.curvature_along_gradient == pytest.approx(2.0) and not s.notes
    lo, hi = s.intervals["gd_opt"]
    assert lo == pytest.approx(2 / (12 + 2e-6)) and hi == pytest.approx(2 / (12 - 2e-6))


def test_indefinite_or_degenerate_cases_are_null_with_a_reason():
    top, bottom = _ritz("largest", (10.0, 1e-6)), _ritz("smallest", (-0.5, 1e-6))
    s = step_sizes(top, bottom, spectral_norm(top, bottom), gradient_sq_norm=1.0, gradient_curvature=-3.0)
    assert s.gd_opt is None and any("positive definite" in n for n in s.notes)
    assert s.gd_along_gradient is None and any("no minimiser along −g" in n for n in s.notes)
    assert s.curvature_along_gradient == pytest.approx(-3.0)
    zero_g = step_sizes(top, bottom, spectral_norm(top, bottom), gradient_sq_norm=0.0, gradient_curvature=None)
    assert zero_g.gd_along_gradient is None and any("zero gradient" in n for n in zero_g.notes)
    straddle = _ritz("smallest", (1e-7, 1e-6))  # cannot be told from 0
    s = step_sizes(top, straddle, spectral_norm(top, straddle), 1.0, 1.0)
    assert s.gd_opt is None
    negative = _ritz("largest", (-1.0, 1e-9))
    s = step_sizes(negative, _ritz("smallest", (-4.0, 1e-9)), spectral_norm(negative, None), 1.0, -1.0)
    assert s.gd_max_2_over_lmax is None and s.gd_opt is None and s.gd_1_over_L2 == pytest.approx(1.0)


def test_smallest_positive_eigenvalue_only_when_certified():
    found, why = smallest_positive_from_ritz(_ritz("smallest", (-2.0, 1e-9), (-1e-3, 1e-9), (0.25, 1e-9)))
    assert found == (0.25, 1e-9) and why is None
    found, why = smallest_positive_from_ritz(_ritz("smallest", (-2.0, 1e-9), (1e-10, 1e-9)))
    assert found is None and "cannot be told from 0" in why
    found, why = smallest_positive_from_ritz(_ritz("smallest", (-2.0, 1e-9), (-1.0, 1e-9)))
    assert found is None and "--top-k" in why


def test_ratios_with_uncertainty():
    top = _ritz("largest", (8.0, 0.0))
    norm = spectral_norm(top, None)
    r = spectrum_ratios(top, norm, MeanAbsEigenvalue(0.5, 0.05, "slq", 8), (2.0, 0.1))
    assert r.outlier == pytest.approx(16.0) and r.outlier_stderr == pytest.approx(1.6)
    assert r.condition_positive == pytest.approx(4.0)
    assert r.condition_interval == pytest.approx((8 / 2.1, 8 / 1.9))
    none = spectrum_ratios(top, norm, MeanAbsEigenvalue(0.0, 0.0, "exact", 0), None, "no positive part")
    assert none.outlier is None and none.condition_positive is None and len(none.notes) == 2
    assert none.as_dict()["lmax_over_lmin_positive"]["value"] is None
    wide = spectrum_ratios(top, norm, MeanAbsEigenvalue(0.5, 0.0, "exact", 0), (0.05, 0.1))
    assert wide.condition_interval[1] == math.inf


def test_every_interval_takes_the_residuals_of_both_ends():
    """Residuals large enough to matter (5 %, 10 %, 20 %), compared at 1e-12: the reciprocal intervals
    [s/(v + r), s/(v − r)], the ratio interval [(λ_max − r_max)/(λ_min⁺ + r), (λ_max + r_max)/(λ_min⁺ − r)],
    the outlier ratio's relative errors added in quadrature, and a λ_max or λ_min whose bar reaches 0
    makes the steps that need it positive null."""
    top, bottom = _ritz("largest", (10.0, 0.5)), _ritz("smallest", (2.0, 0.2))
    norm = spectral_norm(top, bottom)
    assert (norm.value, norm.residual) == (10.0, 0.5)
    s = step_sizes(top, bottom, norm, gradient_sq_norm=4.0, gradient_curvature=8.0)
    assert s.intervals["gd_1_over_L2"] == pytest.approx((1 / 10.5, 1 / 9.5), rel=1e-12)
    assert s.intervals["gd_max_2_over_lmax"] == pytest.approx((2 / 10.5, 2 / 9.5), rel=1e-12)
    assert s.intervals["gd_opt"] == pytest.approx((2 / 12.7, 2 / 11.3), rel=1e-12)
    r = spectrum_ratios(top, norm, MeanAbsEigenvalue(0.5, 0.05, "slq", 8), (2.0, 0.2))
    assert r.condition_interval == pytest.approx((9.5 / 2.2, 10.5 / 1.8), rel=1e-12)
    assert r.outlier_stderr == pytest.approx(20.0 * math.hypot(0.1, 0.05), rel=1e-12)
    barely = _ritz("largest", (0.4, 0.5))  # positive value, bar reaching below 0
    s = step_sizes(barely, _ritz("smallest", (0.2, 0.1)), spectral_norm(barely, None), 1.0, 1.0)
    assert s.gd_max_2_over_lmax is None and s.gd_opt is None
    assert spectrum_ratios(barely, spectral_norm(barely, None), MeanAbsEigenvalue(0.5, 0.0, "exact", 0),
                           (0.2, 0.1)).condition_positive is None


def test_spectral_norm_widens_its_bar_over_both_candidates():
    """|λ_max| = 5 ± 0.1 against |λ_min| = 4.95 ± 0.2: the value is 5 (top), but ‖H‖₂ may be |λ_min| up to
    5.15, so the bar must reach 5.15 (0.15); with 4.6 ± 0.2 the bottom cannot win and the bar stays 0.1."""
    top = _ritz("largest", (5.0, 0.1))
    close = spectral_norm(top, _ritz("smallest", (-4.95, 0.2)))
    assert close.source == "top" and close.value == 5.0 and close.residual == pytest.approx(0.15, rel=1e-12)
    far = spectral_norm(top, _ritz("smallest", (-4.6, 0.2)))
    assert far.value == 5.0 and far.residual == pytest.approx(0.1, rel=1e-12)


def test_the_dense_floor_scales_with_d():
    """λ within d·ε·max|λ| of 0 counts as 0: with d = 4, ε = 1e-3 and max|λ| = 1 the floor is 4e-3."""
    found, why = smallest_positive_from_dense(np.array([-1.0, 3e-3, 5e-3, 1.0]), 1e-3)
    assert why is None and found == (5e-3, pytest.approx(4e-3, rel=1e-12))
