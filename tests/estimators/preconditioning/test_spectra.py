"""The intervals of κ_eff, the rate ratio and the one-step progress ratio against brute force over the bars.

Each quantity is a monotone function of λ_max ∈ [θ − r, θ + r] (clipped at 0) and λ̄ ∈ [λ̄ ± Z95·se]
(module docstring: "Intervals take the ends of the certified residual of λ_max and of λ̄ ± 1.96
standard errors"); its interval must be exactly the smallest and largest value over those boxes,
found here by evaluating the formula on a grid of every box (monotone in each variable: the grid's
corners hold the extremes). Bars are wide (5–20 %) so that an end read from the wrong side is an O(10 %)
error; tolerance 1e-12 relative (the same float64 quotients).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from hessdiag.estimators.preconditioning import progress_ratio, rate_ratio
from hessdiag.estimators.preconditioning.spectra import SpectrumSummary, summary_from_eigenvalues
from hessdiag.linalg import Z95, MeanAbsEigenvalue, RitzValue

REL = 1e-12


def _summary(top: float, residual: float, mean: float, stderr: float) -> SpectrumSummary:
    return SpectrumSummary(RitzValue(top, residual), MeanAbsEigenvalue(mean, stderr, "slq", 10), 0)


def _box(s: SpectrumSummary) -> tuple[np.ndarray, np.ndarray]:
    top, mean = s.lambda_max, s.mean_abs
    return (np.maximum(np.linspace(top.value - top.residual, top.value + top.residual, 5), 0.0),
            np.linspace(mean.estimate - Z95 * mean.stderr, mean.estimate + Z95 * mean.stderr, 5))


def _kappas(s: SpectrumSummary) -> list[float]:
    tops, means = _box(s)
    return [t / m for t, m in itertools.product(tops, means)]


CASES = [(_summary(10.0, 0.5, 2.0, 0.1), _summary(4.0, 0.8, 1.5, 0.2)),
         (_summary(3.0, 0.1, 0.9, 0.05), _summary(50.0, 2.5, 20.0, 1.0))]


@pytest.mark.parametrize("base, pre", CASES)
def test_condition_interval_is_the_range_over_the_bars(base, pre):
    for s in (base, pre):
        iv = s.condition_interval()
        assert (iv.lo, iv.hi) == pytest.approx((min(_kappas(s)), max(_kappas(s))), rel=REL)
        assert s.condition == pytest.approx(s.lambda_max.value / s.mean_abs.estimate, rel=REL)


@pytest.mark.parametrize("base, pre", CASES)
def test_rate_ratio_interval_is_the_range_over_both_summaries_bars(base, pre):
    value, iv = rate_ratio(base, pre)
    ratios = [a / b for a, b in itertools.product(_kappas(base), _kappas(pre))]
    assert value == pytest.approx(base.condition / pre.condition, rel=REL)
    assert (iv.lo, iv.hi) == pytest.approx((min(ratios), max(ratios)), rel=REL)


@pytest.mark.parametrize("base, pre", CASES)
def test_progress_ratio_interval_is_the_range_over_the_top_bars(base, pre):
    """(gᵀP⁻¹g/λ_max(Ĥ)) / (‖g‖²/λ_max(H)), with gᵀP⁻¹g summed coordinate by coordinate."""
    gen = torch.Generator().manual_seed(0)
    g = torch.randn(12, generator=gen, dtype=torch.float64)
    p = torch.rand(12, generator=gen, dtype=torch.float64) + 0.1
    weighted = sum(gi * gi / pi for gi, pi in zip(g.tolist(), p.tolist())) / sum(gi * gi for gi in g.tolist())
    value, iv = progress_ratio(g, p, base, pre)
    assert value == pytest.approx(weighted * base.lambda_max.value / pre.lambda_max.value, rel=REL)
    ratios = [weighted * a / b for a, b in itertools.product(_box(base)[0], _box(pre)[0])]
    assert (iv.lo, iv.hi) == pytest.approx((min(ratios), max(ratios)), rel=REL)


def test_a_bar_reaching_zero_leaves_the_far_end_unknown():
    """λ_max(Ĥ) ∈ [0, 2]: the progress ratio has no finite upper end; λ̄ within 1.96 se of 0: neither has κ."""
    base, pre = _summary(10.0, 0.5, 2.0, 0.1), _summary(1.0, 1.0, 0.5, 0.3)
    g, p = torch.ones(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    assert progress_ratio(g, p, base, pre)[1].hi is None
    assert pre.condition_interval().hi is None and rate_ratio(base, pre)[1].lo is None


def test_exact_summary_from_eigenvalues_carries_the_d_eps_allowance():
    """λ_max = the largest eigenvalue ± d·ε·max|λ| (docstring), λ̄ = mean |λ| exactly (stderr 0)."""
    values = np.array([-6.0, -0.5, 0.25, 1.0, 3.0])
    s = summary_from_eigenvalues(values, 1e-10)
    assert s.lambda_max.value == 3.0
    assert s.lambda_max.residual == pytest.approx(5 * 1e-10 * 6.0, rel=1e-15, abs=0)
    assert (s.mean_abs.estimate, s.mean_abs.stderr) == (pytest.approx(10.75 / 5, rel=1e-15), 0.0)
