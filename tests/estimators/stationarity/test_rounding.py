"""The stationary-point check: rounding floors of ‖∇R‖ and the float32-checkpoint test.

The floors are ε-sized (1e-16…1e-6), far below pytest.approx's default absolute tolerance of 1e-12, so
every comparison sets abs=0 and a relative tolerance of 1e-12 (the same float64 products).
"""

from __future__ import annotations

import math

import pytest
import torch

from hessdiag.estimators.stationarity import stationarity
from hessdiag.estimators.stationarity.rounding import FACTOR, float32_checkpoint


def test_float32_checkpoints_are_recognised():
    theta32 = torch.tensor([0.1, -3.7, 2.5e-3], dtype=torch.float32).to(torch.float64)
    assert float32_checkpoint(theta32)
    assert not float32_checkpoint(theta32 + 1e-12)


def test_a_gradient_at_the_float32_floor_is_stationary_and_a_large_one_is_not():
    theta = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float32).to(torch.float64)
    eps32 = torch.finfo(torch.float32).eps
    floor_q = 4.0 * eps32 * float(theta.norm()) / 2  # L2 = 4
    tiny = torch.tensor([floor_q, 0.0, 0.0], dtype=torch.float64)
    got = stationarity(tiny, theta, n_samples=100, trace_ef=1.0, l2=4.0, dtype=torch.float64)
    assert got.floor_quantisation == pytest.approx(floor_q, rel=1e-12, abs=0)
    assert got.floor_summation == pytest.approx(torch.finfo(torch.float64).eps * 10.0, rel=1e-12, abs=0)
    assert got.stationary and got.checkpoint_precision == "float32"
    big = stationarity(tiny * 20 * FACTOR, theta, n_samples=100, trace_ef=1.0, l2=4.0, dtype=torch.float64)
    assert not big.stationary


def test_float64_checkpoints_use_their_own_precision():
    theta = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) + 1e-12
    grad = torch.full((3,), 1e-9, dtype=torch.float64)
    got = stationarity(grad, theta, n_samples=4, trace_ef=None, l2=1.0, dtype=torch.float64)
    assert got.checkpoint_precision == "float64" and got.floor_summation is None
    eps64 = torch.finfo(torch.float64).eps
    assert got.floor_quantisation == pytest.approx(eps64 * float(theta.norm()) / 2, rel=1e-12, abs=0)
    assert not got.stationary  # 1.7e-9 is far above float64 rounding
    assert math.isfinite(got.floor)


@pytest.mark.parametrize("n_samples, trace_ef", [(49, 6.25), (1000, 0.01)])
def test_summation_floor_is_eps_sqrt_n_times_rms_gradient(n_samples, trace_ef):
    """ε_p·√N·RMS‖g_n‖ with RMS‖g_n‖ = √tr(EF): N = 49, tr EF = 6.25 gives ε·7·2.5."""
    theta = torch.tensor([1.0, -2.0], dtype=torch.float32).to(torch.float64)
    got = stationarity(torch.ones(2, dtype=torch.float64), theta, n_samples=n_samples, trace_ef=trace_ef, l2=None,
                       dtype=torch.float32)
    eps32 = torch.finfo(torch.float32).eps
    assert got.floor_summation == pytest.approx(eps32 * math.sqrt(n_samples) * math.sqrt(trace_ef), rel=1e-12, abs=0)
    assert got.floor_quantisation is None and got.floor == got.floor_summation


def test_quantisation_uses_the_checkpoints_precision_not_the_problems():
    """A float64 checkpoint (not float32-representable) evaluated in float32: its quantisation floor is
    L2·ε_64‖θ‖/2, while the summation floor uses the problem's ε_32."""
    theta = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) + 1e-12
    got = stationarity(torch.ones(3, dtype=torch.float64), theta, n_samples=4, trace_ef=1.0, l2=3.0,
                       dtype=torch.float32)
    assert got.checkpoint_precision == "float64"
    assert got.floor_quantisation == pytest.approx(3.0 * torch.finfo(torch.float64).eps * float(theta.norm()) / 2,
                                                   rel=1e-12, abs=0)
    assert got.floor_summation == pytest.approx(torch.finfo(torch.float32).eps * 2.0, rel=1e-12, abs=0)


def test_a_gradient_exactly_factor_times_the_floor_is_stationary():
    """‖∇R‖ ≤ FACTOR × floor includes equality ([x, 0, 0] has norm x exactly)."""
    theta = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float32).to(torch.float64)
    floor = stationarity(torch.zeros(3, dtype=torch.float64), theta, n_samples=100, trace_ef=1.0, l2=4.0,
                         dtype=torch.float64).floor
    options = dict(n_samples=100, trace_ef=1.0, l2=4.0, dtype=torch.float64)
    at = torch.tensor([FACTOR * floor, 0.0, 0.0], dtype=torch.float64)
    assert stationarity(at, theta, **options).stationary
    assert not stationarity(at * (1 + 1e-12), theta, **options).stationary
