"""Block spectra H_BB and their heterogeneity against dense float64 truth.

- A model whose Hessian is block-diagonal by construction: two branches f_k = tanh(w_kᵀx_k) with their
  own inputs and outputs under a summed squared error, so ∂²R/∂w_1∂w_2 = 0 and each block's spectrum is
  the spectrum of that branch's own Hessian, computed from the branch alone (a separate model).
- Generic small models: the block spectra equal eigvalsh of the dense Hessian's diagonal blocks.
Tolerances: exact paths (dense, or a small block's columns) agree to 1e-10 relative — the same
float64 numbers through another product order; the Lanczos path with as many steps as the block has
coordinates spans the whole block, so its Gauss rule holds every eigenvalue (1e-8: Lanczos rounding
after full re-orthogonalisation); with fewer steps the top Ritz value's certified residual must
contain the true top (a bound, so no tolerance of ours).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from torch import nn

from helpers.cases import CASES
from helpers.dense import Dense
from helpers.problems import problem_for
from hessdiag.estimators.blocks import block_heterogeneity, block_spectra, js_divergence
from hessdiag.estimators.blocks.heterogeneity import common_grid, smoothed
from hessdiag.load import problem_from_objects
from hessdiag.operators import HessianOperator


class TwoBranches(nn.Module):
    """f(x) = (tanh(w1ᵀx[:, :3]), tanh(w2ᵀx[:, 3:])): one parameter tensor per branch."""

    def __init__(self, w1: torch.Tensor, w2: torch.Tensor) -> None:
        super().__init__()
        self.w1, self.w2 = nn.Parameter(w1), nn.Parameter(w2)

    def forward(self, x):
        return torch.stack([torch.tanh(x[:, :3] @ self.w1), torch.tanh(x[:, 3:] @ self.w2)], dim=1)


class OneBranch(nn.Module):
    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x):
        return torch.tanh(x @ self.w)[:, None]


def _branches():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(40, 8, generator=gen, dtype=torch.float64)
    y = torch.randn(40, 2, generator=gen, dtype=torch.float64)
    w1 = 0.7 * torch.randn(3, generator=gen, dtype=torch.float64)
    w2 = 0.7 * torch.randn(5, generator=gen, dtype=torch.float64)
    return x, y, w1, w2


def _blocks(problem):
    return [(b.name, b.offset, b.numel) for b in problem.layout.blocks]


@pytest.mark.parametrize("path", ["dense", "columns", "lanczos"])
def test_block_diagonal_model_blocks_match_each_branch_alone(path):
    x, y, w1, w2 = _branches()
    problem = problem_from_objects(TwoBranches(w1, w2), x, y, "mse", dtype="float64", device="cpu")
    full = Dense(TwoBranches(w1, w2), x, y, "mse").hessian()
    assert float(full[:3, 3:].abs().max()) == 0.0  # block-diagonal by construction
    # each branch alone: mean over the same 40 rows of ½(f_k − y_k)²
    alone = [Dense(OneBranch(w1), x[:, :3], y[:, :1], "mse").hessian().numpy(),
             Dense(OneBranch(w2), x[:, 3:], y[:, 1:], "mse").hessian().numpy()]
    options = {"dense": dict(dense=full.numpy()), "columns": dict(steps=5, probes=1),
               "lanczos": dict(steps=2, probes=2)}[path]  # 3 coordinates ≤ 2·2 by columns, 5 > 4 by Lanczos
    spectra = block_spectra(HessianOperator(problem), _blocks(problem), generator=torch.Generator().manual_seed(0),
                            **options)
    for spectrum, truth in zip(spectra, alone):
        values = np.sort(np.linalg.eigvalsh(truth))
        nodes, weights = spectrum.pooled()
        if spectrum.method == "exact":
            assert np.allclose(np.sort(nodes), values, rtol=1e-10, atol=1e-14)
            assert np.allclose(weights, 1.0 / values.size)
            assert spectrum.top.value == pytest.approx(values[-1], rel=1e-10)
        else:  # two steps from each of two starts: a certified bracket of the top and a Gauss rule
            assert path == "lanczos" and spectrum.numel == 5 and len(spectrum.nodes) == 2
            assert values[0] - 1e-12 <= nodes.min() and nodes.max() <= values[-1] + 1e-12  # interlacing
            assert spectrum.top.value <= values[-1] + 1e-12
            assert np.min(np.abs(values - spectrum.top.value)) <= spectrum.top.residual  # certified
            assert weights.sum() == pytest.approx(1.0)
    assert [s.method for s in spectra] == (["exact", "lanczos"] if path == "lanczos" else ["exact", "exact"])


@pytest.mark.parametrize("case", [c for c in CASES if c.name in ("tanh_mlp_ce", "cnn_pool_ce")], ids=str)
def test_block_spectra_equal_the_dense_hessians_diagonal_blocks(case):
    model, x, y = case.build()
    full = Dense(model, x, y, case.loss).hessian().numpy()
    problem = problem_for(case, batch_size=5)
    spectra = block_spectra(HessianOperator(problem), _blocks(problem), steps=3, probes=1,
                            generator=torch.Generator().manual_seed(1))
    for spectrum, (_, offset, n) in zip(spectra, _blocks(problem)):
        values = np.linalg.eigvalsh(full[offset:offset + n, offset:offset + n])
        if spectrum.method == "exact":
            assert np.allclose(np.sort(spectrum.nodes[0]), values, rtol=1e-10, atol=1e-12)
        # Lanczos: the top Ritz value lies below the true top, which is within the certified residual
        assert spectrum.top.value <= values[-1] + 1e-10 * abs(values[-1]) + 1e-14
        assert np.min(np.abs(values - spectrum.top.value)) <= spectrum.top.residual  # certified


def test_js_divergence_matches_scipy_and_its_bounds():
    p = np.array([0.1, 0.4, 0.5, 0.0])
    q = np.array([0.3, 0.3, 0.1, 0.3])
    assert js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-12)
    assert js_divergence(p, p) == 0.0
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(math.log(2))


def test_average_js_is_the_mean_over_distinct_pairs_of_smoothed_exact_spectra():
    x, y, w1, w2 = _branches()
    problem = problem_from_objects(TwoBranches(w1, w2), x, y, "mse", dtype="float64", device="cpu")
    full = Dense(TwoBranches(w1, w2), x, y, "mse").hessian().numpy()
    spectra = block_spectra(HessianOperator(problem), _blocks(problem), dense=full,
                            generator=torch.Generator().manual_seed(0))
    result = block_heterogeneity(spectra)
    # brute force: Gaussian kernels of width 1 % of the joint node range on a common grid
    values = [np.linalg.eigvalsh(full[:3, :3]), np.linalg.eigvalsh(full[3:, 3:])]
    lo, hi = min(v.min() for v in values), max(v.max() for v in values)
    sigma = 0.01 * (hi - lo)
    grid = np.linspace(lo - 6 * sigma, hi + 6 * sigma, 512)
    dens = []
    for v in values:
        k = np.exp(-0.5 * ((grid[:, None] - v[None, :]) / sigma) ** 2).sum(1)
        dens.append(k / k.sum())
    assert result.pairs == 1 and result.average_js.stderr == 0.0
    assert result.average_js.estimate == pytest.approx(jensenshannon(dens[0], dens[1]) ** 2, rel=1e-9)
    tops = [v.max() for v in values]
    assert result.top_spread == pytest.approx(math.log10(max(tops) / min(tops)), rel=1e-10)
    g, s = common_grid(spectra)
    assert s == pytest.approx(sigma) and np.allclose(smoothed(values[0], np.full(3, 1 / 3), g, s), dens[0])


def test_identical_blocks_have_zero_heterogeneity_and_one_block_has_none():
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(30, 6, generator=gen, dtype=torch.float64)
    x[:, 3:] = x[:, :3]  # both branches see the same inputs ...
    y = torch.randn(30, 1, generator=gen, dtype=torch.float64).repeat(1, 2)  # ... and targets
    w = 0.5 * torch.randn(3, generator=gen, dtype=torch.float64)

    class Twins(TwoBranches):
        def forward(self, x):
            return torch.stack([torch.tanh(x[:, :3] @ self.w1), torch.tanh(x[:, 3:] @ self.w2)], dim=1)

    model = Twins(w.clone(), w.clone())
    model.w2 = nn.Parameter(w.clone())
    problem = problem_from_objects(model, x, y, "mse", dtype="float64", device="cpu")
    spectra = block_spectra(HessianOperator(problem), [("w1", 0, 3), ("w2", 3, 3)], steps=3, probes=1,
                            generator=torch.Generator().manual_seed(0))
    result = block_heterogeneity(spectra)
    assert result.average_js.estimate == pytest.approx(0.0, abs=1e-12)
    assert result.top_spread == pytest.approx(0.0, abs=1e-12)
    single = block_heterogeneity(spectra[:1])
    assert single.average_js is None and "one parameter block" in single.reason
