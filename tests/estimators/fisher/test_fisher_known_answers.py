"""Known answers of thesis ch. 7 / App. D.3 (Table D.2), through hessdiag's operators and its report.

Tolerances for the linear-regression cases come from the sampling error at N = 20 000. At the
least-squares minimum θ*, with z_n = (x_n, 1) and residuals r_n = f_n − y_n,
    EF = (1/N) Σ r_n² z_n z_nᵀ,   F = GGN = H = (1/N) Σ z_n z_nᵀ   (MSE ½‖f − y‖², unit variance).
If y = x + ε with Var ε = σ², then r_n ≈ ε_n and EF − σ²F = (1/N) Σ (r_n² − σ²) z_n z_nᵀ has mean ≈ 0
and entry-wise standard deviation sd_ij = √(Var(ε²) E[z_i² z_j²]/N) with Var(ε²) = 2σ⁴ (Gaussian).
The tests require |EF − σ²F|_ij ≤ 5 sd_ij (a 5σ event has probability < 10⁻⁶) and
|tr EF/tr F − σ²| ≤ 5 sd of that ratio, √(2σ⁴ E[(x² + 1)²]/N)/E[x² + 1] (both estimated from the data).
For y = x + x²/2 + ε the best line is y = x + 1/2, r = (x² − 1)/2 − ε, and EF → diag(E[r²x²], E[r²])
= diag(3.5, 1.5) while F → I: a change of shape (ratio 7/3 between the diagonal entries), not of
scale; the test requires the measured ratio within 5 of its sampling standard deviations of 7/3.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from helpers.cases import CASES
from helpers.dense import rel_err
from helpers.problems import problem_for
from hessdiag.api import diagnose
from hessdiag.linalg import dense_matrix
from hessdiag.load import problem_from_objects
from hessdiag.operators import EmpiricalFisherOperator, GGNOperator, HessianOperator

N = 20_000


def _linear(d_in: int, d_out: int, weight: torch.Tensor | None = None, bias: torch.Tensor | None = None) -> nn.Module:
    with torch.device("meta"):
        model = nn.Linear(d_in, d_out)
    model = model.to_empty(device="cpu").double()
    with torch.no_grad():
        model.weight.copy_(weight if weight is not None else torch.zeros(d_out, d_in))
        model.bias.copy_(bias if bias is not None else torch.zeros(d_out))
    return model


def _regression(kind: str, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(N, 1, generator=gen, dtype=torch.float64)
    eps = torch.randn(N, 1, generator=gen, dtype=torch.float64)
    if kind == "correct":
        y = x + eps
    elif kind == "noise_variance_2":
        y = x + math.sqrt(2.0) * eps
    else:  # "quadratic"
        y = x + 0.5 * x**2 + eps
    design = torch.cat([x, torch.ones_like(x)], 1)
    coef = torch.linalg.lstsq(design, y).solution[:, 0]
    model = _linear(1, 1, coef[:1].reshape(1, 1), coef[1:])
    return model, x, y, design


def _matrices(model, x, y):
    problem = problem_from_objects(model, x, y, "mse", dtype="float64", device="cpu")
    return tuple(dense_matrix(op(problem)) for op in (EmpiricalFisherOperator, GGNOperator, HessianOperator))


@pytest.mark.parametrize("kind,sigma2", [("correct", 1.0), ("noise_variance_2", 2.0)])
def test_linear_regression_ef_is_sigma2_times_f(kind, sigma2):
    model, x, y, z = _regression(kind)
    ef, f, h = _matrices(model, x, y)
    assert rel_err(f, z.T @ z / N) < 1e-12 and rel_err(h, f) < 1e-12  # F = H: linear model, MSE
    sd = torch.sqrt(2 * sigma2**2 * (z[:, :, None] ** 2 * z[:, None, :] ** 2).mean(0) / N)
    assert torch.all((ef - sigma2 * f).abs() <= 5 * sd), (ef, f, sd)
    a = (x**2 + 1).squeeze(1)
    ratio_sd = math.sqrt(2 * sigma2**2 * float((a**2).mean()) / N) / float(a.mean())
    report = diagnose(model, (x, y), "mse", only=["fisher"], top_k=1, dtype="float64", device="cpu").to_dict()["fisher"]
    assert abs(report["EF_over_F_trace"] - sigma2) <= 5 * ratio_sd
    assert report["EF_over_F_trace_stderr"] == 0.0  # d = 2: exact traces
    assert report["rel_fro"]["F_vs_H"]["estimate"] < 1e-12
    expected_gap = abs(sigma2 - 1) * float(f.norm()) / float(f.norm())
    assert report["rel_fro"]["EF_vs_F"]["estimate"] == pytest.approx(expected_gap, abs=5 * float(sd.norm() / f.norm()))


def test_linear_regression_misspecified_shape_is_distorted():
    model, x, y, z = _regression("quadratic")
    ef, f, _ = _matrices(model, x, y)
    r2 = (model(x).detach() - y).pow(2).squeeze(1)
    xx, ones = r2 * x.squeeze(1) ** 2, r2
    ratio = float(xx.mean() / ones.mean())
    # delta-method sd of a ratio of two means of per-sample terms
    cov = torch.cov(torch.stack([xx, ones]))
    sd = math.sqrt(max(float(cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]), 0.0) / N) / float(ones.mean())
    assert float(ef[0, 0] / ef[1, 1]) == pytest.approx(ratio, rel=1e-12)
    assert abs(ratio - 7 / 3) <= 5 * sd
    assert abs(float(f[0, 0] / f[1, 1]) - 1) < 0.05  # F keeps the shape of E[zzᵀ] = I
    shape = float((ef / ef.trace() - f / f.trace()).norm())
    assert shape > 0.2  # 0.28 in the population; ≈ 0 (< 0.05) in the well-specified cases
    for kind in ("correct", "noise_variance_2"):
        ef_ok, f_ok, _ = _matrices(*_regression(kind)[:3])
        assert float((ef_ok / ef_ok.trace() - f_ok / f_ok.trace()).norm()) < 0.05


@pytest.mark.parametrize("loss,outputs", [("bce", 1), ("ce", 2)])
def test_logistic_regression_at_zero_has_ef_equal_to_f(loss, outputs):
    """At θ = 0, p = ½: (σ − y)² = ¼ = σ(1 − σ) for y ∈ {0, 1}, so every sample's g gᵀ equals its
    Fisher term exactly (two-class softmax likewise); EF = F up to rounding (1e-12)."""
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(300, 3, generator=gen, dtype=torch.float64)
    labels = torch.randint(0, 2, (300,), generator=gen)
    y = labels.double()[:, None] if loss == "bce" else labels
    model = _linear(3, outputs)
    problem = problem_from_objects(model, x, y, loss, dtype="float64", device="cpu")
    ef, f = dense_matrix(EmpiricalFisherOperator(problem)), dense_matrix(GGNOperator(problem))
    assert rel_err(ef, f) < 1e-12
    report = diagnose(model, (x, y), loss, only=["fisher"], top_k=2, dtype="float64", device="cpu").to_dict()["fisher"]
    assert report["EF_over_F_trace"] == pytest.approx(1.0, rel=1e-12)
    assert report["rel_fro"]["EF_vs_F"]["estimate"] < 1e-12
    assert report["cos_precond_F_EF"]["value"] == pytest.approx(1.0, abs=1e-6)  # same matrix, same CG iterates
    assert report["overlap"]["EF_vs_F"]["value"] == pytest.approx(1.0, abs=1e-8)
    assert report["rel_fro"]["F_vs_H"]["estimate"] < 1e-12  # a linear model: F = H for any loss


def test_zero_residuals_give_f_equal_h_and_a_vanishing_ef():
    """Prop. 7.2: H − G = Σ r_n ∇²f_n; an MLP fitted exactly (targets = its own outputs) has r = 0."""
    case = next(c for c in CASES if c.name == "mlp_mse_multi")
    model, x, _ = case.build()
    with torch.no_grad():
        y = model(x)
    report = diagnose(model, (x, y), "mse", only=["fisher"], top_k=2, dtype="float64", device="cpu").to_dict()["fisher"]
    assert report["residual_size"] == 0.0
    assert report["rel_fro"]["F_vs_H"]["estimate"] < 1e-12
    assert report["trace"]["EF"]["estimate"] == 0.0
    nonzero = problem_for(case)
    assert rel_err(dense_matrix(HessianOperator(nonzero)), dense_matrix(GGNOperator(nonzero))) > 1e-3  # r ≠ 0: H ≠ G
