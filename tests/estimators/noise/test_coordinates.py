"""Per-coordinate noise factors against their formulas evaluated one coordinate at a time (math.erf).

The inputs are synthetic moments (mean ḡ_i, variance s_i) with coordinates of every kind: ordinary,
ḡ_i = 0 with s_i > 0 (η² = ∞, ρ = ½), and unmoved ones (ḡ_i = s_i = 0, left out). Quantiles are the
inverted-CDF order statistics x_(⌈qn⌉) of the factor values themselves, sorted by brute force.
Tolerance 1e-12 relative: the same float64 formulas in another arrangement (m ḡ²/(m ḡ² + s) against
1/(1 + η²), erf of √m|ḡ|/(√2 σ) against erf(1/(√2 η))).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hessdiag.estimators.noise.coordinates import (
    COIN_FLIP_MARGIN,
    FACTORS,
    QUANTILES,
    coin_flip_shares_by_batch_size,
    coordinate_factors,
    coordinate_noise,
)
from hessdiag.estimators.noise.moments import GradientMoments
from hessdiag.estimators.noise.scalars import REFERENCE_BATCH_SIZES
from hessdiag.load import ParamBlock, ParamLayout

REL = 1e-12


def _moments_vectors(d: int, seed: int, zero_mean: list[int], unmoved: list[int]):
    rng = np.random.default_rng(seed)
    mean = rng.standard_normal(d) * rng.uniform(0.01, 1.0, d)
    variance = rng.uniform(0.0, 2.0, d) ** 2
    mean[zero_mean + unmoved] = 0.0
    variance[unmoved] = 0.0
    return torch.from_numpy(mean), torch.from_numpy(variance)


def _factors_one_by_one(mean: torch.Tensor, variance: torch.Tensor, m: int) -> dict[str, list[float]]:
    """η² = s/(m ḡ²), SVAG 1/(1 + η²), Adam (1 + η²)^(−1/2), sign erf(1/(√2 η)), ρ = ½(1 + sign)."""
    out = {name: [] for name in FACTORS}
    for g, s in zip(mean.tolist(), variance.tolist()):
        if g == 0 and s == 0:
            continue
        eta2 = s / (m * g * g) if g != 0 else math.inf
        sign = math.erf(1 / (math.sqrt(2) * math.sqrt(eta2))) if eta2 > 0 else 1.0
        for name, value in zip(FACTORS, (eta2, 1 / (1 + eta2), (1 + eta2) ** -0.5, sign, 0.5 * (1 + sign))):
            out[name].append(value)
    return out


def _order_statistic(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-12)) - 1]


@pytest.mark.parametrize("m", [1, 8, 100])
def test_factors_for_a_batch_of_m_samples(m):
    mean, variance = _moments_vectors(40, m, zero_mean=[3, 17], unmoved=[5, 6, 30])
    got = coordinate_factors(mean, variance, m)
    want = _factors_one_by_one(mean, variance, m)
    assert int(got["defined"].sum()) == 37
    for name in FACTORS:
        assert got[name].tolist() == pytest.approx(want[name], rel=REL), name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coin_flip_shares_are_those_of_rho_at_each_batch_size(seed):
    """ρ_i(m) = ½(1 + erf(√m|ḡ_i|/(√2 σ_i))) < ½ + margin, counted over the defined coordinates."""
    mean, variance = _moments_vectors(400, 10 + seed, zero_mean=[0, 1], unmoved=[2])
    mean = mean * 0.02  # most coordinates noisy at m = 1, most clear at m = 512: the shares differ
    shares = coin_flip_shares_by_batch_size(mean, variance)
    for m in REFERENCE_BATCH_SIZES:
        rho = _factors_one_by_one(mean, variance, m)["rho"]
        expected = sum(r < 0.5 + COIN_FLIP_MARGIN for r in rho) / len(rho)
        assert shares[str(m)] == pytest.approx(expected, rel=REL), m
    assert shares["1"] > shares["512"]


def test_per_layer_summaries_leave_out_unmoved_coordinates_of_earlier_layers():
    """Layers t0 (with 3 unmoved coordinates), t1 and t2 (one ḡ = 0 each): each layer's quantiles, means and
    counts are those of its own defined coordinates, whatever precedes it in θ."""
    sizes = (9, 14, 11)
    mean, variance = _moments_vectors(sum(sizes), 7, zero_mean=[12, 26], unmoved=[0, 4, 8])
    blocks, offset = [], 0
    for i, n in enumerate(sizes):
        blocks.append(ParamBlock(f"t{i}", (n,), offset, n))
        offset += n
    moments = GradientMoments(mean, variance + mean**2, torch.eye(4, dtype=torch.float64), 50, mean, False)
    variance = moments.variance  # (s + ḡ²) − ḡ², as the estimator reads it
    result = coordinate_noise(moments, ParamLayout(tuple(blocks)))
    for block in blocks:
        sl = slice(block.offset, block.offset + block.numel)
        layer = result.per_layer[block.name]
        want = _factors_one_by_one(mean[sl], variance[sl], 1)
        assert layer["zero_coordinates"] == block.numel - len(want["eta2"])
        assert layer["infinite_eta2"] == sum(math.isinf(v) for v in want["eta2"])
        assert layer["grad_norm_sq"] == pytest.approx(float((mean[sl] ** 2).sum()), rel=REL)
        for name in FACTORS:
            for q in QUANTILES:
                got = layer[name][f"q{round(100 * q):02d}"]
                assert got == pytest.approx(_order_statistic(want[name], q), rel=REL), (block.name, name, q)
            if name != "eta2":  # η²'s mean is ∞ in layers with ḡ_i = 0
                assert layer[name]["mean"] == pytest.approx(np.mean(want[name]), rel=REL), (block.name, name)
    assert result.overall["zero_coordinates"] == 3
