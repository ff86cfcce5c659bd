"""The stationary-point check: rounding floors of ‖∇R‖ and the float32-checkpoint test."""

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
    assert got.floor_quantisation == pytest.approx(floor_q)
    assert got.floor_summation == pytest.approx(torch.finfo(torch.float64).eps * 10.0)
    assert got.stationary and got.checkpoint_precision == "float32"
    big = stationarity(tiny * 20 * FACTOR, theta, n_samples=100, trace_ef=1.0, l2=4.0, dtype=torch.float64)
    assert not big.stationary


def test_float64_checkpoints_use_their_own_precision():
    theta = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) + 1e-12
    grad = torch.full((3,), 1e-9, dtype=torch.float64)
    got = stationarity(grad, theta, n_samples=4, trace_ef=None, l2=1.0, dtype=torch.float64)
    assert got.checkpoint_precision == "float64" and got.floor_summation is None
    assert got.floor_quantisation == pytest.approx(torch.finfo(torch.float64).eps * float(theta.norm()) / 2)
    assert not got.stationary  # 1.7e-9 is far above float64 rounding
    assert math.isfinite(got.floor)
