"""k̂ = tr Σ / tr H (Zheng: Σ ≈ kH): the estimate, its propagated error and when it is not determined."""

from __future__ import annotations

import math

import pytest

from hessdiag.estimators.noise.alignment import noise_curvature_ratio


@pytest.mark.parametrize("trace_sigma, se_sigma, trace_h, se_h", [(3.0, 0.2, 5.0, 0.5), (0.7, 0.0, -2.0, 0.1),
                                                                  (10.0, 1.0, 0.5, 0.3)])
def test_ratio_and_first_order_error(trace_sigma, se_sigma, trace_h, se_h):
    """se(k̂)² = (se_Σ/tr H)² + (tr Σ·se_H/tr H²)² (module docstring), written out."""
    k = noise_curvature_ratio(trace_sigma, se_sigma, trace_h, se_h)
    assert k.estimate == pytest.approx(trace_sigma / trace_h, rel=1e-15)
    assert k.stderr == pytest.approx(math.sqrt((se_sigma / trace_h) ** 2 + (trace_sigma * se_h / trace_h**2) ** 2),
                                     rel=1e-14)
    assert k.reliable == (abs(trace_h) > 2 * se_h)


def test_a_negative_trace_is_reliable_but_says_the_model_cannot_hold():
    k = noise_curvature_ratio(1.0, 0.1, -4.0, 0.5)
    assert k.reliable and k.estimate == -0.25
    assert k.reason is not None and "tr H < 0" in k.reason


def test_a_trace_exactly_two_standard_errors_from_zero_is_not_determined():
    """'within two standard errors of zero' includes |tr H| = 2·se (0.4 = 2·0.2 exactly in binary)."""
    k = noise_curvature_ratio(1.0, 0.1, 0.4, 0.2)
    assert not k.reliable and "two standard errors" in k.reason
    assert noise_curvature_ratio(1.0, 0.1, 0.4, 0.199).reliable
    assert noise_curvature_ratio(1.0, 0.1, 3.0, 0.2).reason is None
