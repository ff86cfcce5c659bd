"""The randomised matrix comparison against its formulas on dense float64 matrices and the same draws.

With the Rademacher probes z_1..z_n reconstructed from the same generator, the trace estimate is the
mean of z_iᵀ A z_i with the sample standard error (ddof 1), and the distance is √(x̄/ȳ) with
x_i = ‖(A − B) z_i‖², y_i = ‖B z_i‖², its standard error the delta method of the square root of a
ratio of correlated means: √(gᵀ C g / n) / (2√(x̄/ȳ)), g = (1/ȳ, −x̄/ȳ²), C the sample covariance
(ddof 1) of (x, y). All in float64 on d = 30, so 1e-10 relative is rounding only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hessdiag.estimators.fisher.comparison import compare_matrices
from hessdiag.linalg.probes import rademacher


def _sym(d: int, gen: torch.Generator) -> torch.Tensor:
    m = torch.randn(d, d, generator=gen, dtype=torch.float64)
    return m @ m.T / d


@pytest.mark.parametrize("seed", [0, 1])
def test_randomised_traces_and_distances_are_their_formulas_on_the_same_draws(seed):
    gen = torch.Generator().manual_seed(seed)
    d, probes, block = 30, 20, 8
    a = _sym(d, gen)
    b = a + 0.3 * _sym(d, gen)
    got = compare_matrices({"A": a, "B": b}, {"A_vs_B": ("A", "B")}, generator=torch.Generator().manual_seed(9),
                           probes=probes, exact_dim=0, block=block)
    draws = torch.Generator().manual_seed(9)
    z = torch.cat([rademacher(d, min(block, probes - s), draws) for s in range(0, probes, block)], dim=1)
    assert got.probes == probes and got.products == 2 * probes
    for name, m in (("A", a), ("B", b)):
        forms = (z * (m @ z)).sum(0).numpy()
        assert got.traces[name].estimate == pytest.approx(forms.mean(), rel=1e-10)
        assert got.traces[name].stderr == pytest.approx(forms.std(ddof=1) / math.sqrt(probes), rel=1e-10)
    x, y = ((a - b) @ z).pow(2).sum(0).numpy(), (b @ z).pow(2).sum(0).numpy()
    value = math.sqrt(x.mean() / y.mean())
    g = np.array([1 / y.mean(), -x.mean() / y.mean() ** 2])
    se = math.sqrt(g @ np.cov(np.stack([x, y]), ddof=1) @ g / probes) / (2 * value)
    assert got.distances["A_vs_B"].estimate == pytest.approx(value, rel=1e-10)
    assert got.distances["A_vs_B"].stderr == pytest.approx(se, rel=1e-10)
