"""Preconditioned spectra against dense float64 truth on small models.

Truth: the dense Hessian (torch.func.hessian), the dense GGN (explicit Jacobians and output Hessians)
and naive per-sample gradients (`helpers.dense`); Ĥ = P^{-1/2} H P^{-1/2} formed densely and
decomposed by numpy. Tolerances: the scaled map and the exact summary are the same float64 numbers in
another order (1e-10 relative); Lanczos λ_max must lie within its certified residual of the dense
top (a bound); SLQ's λ̄ (40 probes, so that their spread estimates the standard error well; 6 probes
on d = 6 gave a spread 6× too small once) within 4 standard errors of the exact value.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.cases import CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.estimators.preconditioning import (
    adam_diagonal,
    fisher_mc_diagonal,
    jacobi_diagonal,
    preconditioned_map,
    progress_ratio,
    rate_ratio,
    summary_from_dense,
    summary_from_operator,
)
from hessdiag.linalg import dense_matrix
from hessdiag.operators import HessianOperator, loss_and_gradient
from hessdiag.operators.per_sample import PerSampleGradients

SMALL = [c for c in CASES if c.name in ("tanh_mlp_ce", "mlp_mse_multi", "logreg_bce", "cnn_pool_ce")]


def _truth(case):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    return dense, dense.hessian()


@pytest.mark.parametrize("case", SMALL, ids=str)
def test_diagonals_match_dense_matrices(case):
    dense, h = _truth(case)
    g = dense.per_sample_gradients()
    ef = (g**2).mean(0)
    assert rel_err(adam_diagonal(ef), ef.sqrt() + 1e-8) < 1e-15
    p = jacobi_diagonal(torch.diagonal(h))
    top = float(torch.diagonal(h).abs().max())
    assert rel_err(p, torch.diagonal(h).abs() + 1e-6 * top) < 1e-15


@pytest.mark.parametrize("case", [c for c in SMALL if c.loss in ("ce", "bce")], ids=str)
def test_monte_carlo_fisher_diagonal_is_unbiased_for_the_ggn_diagonal(case):
    """diag(F_mc) with S labels per row against the dense GGN diagonal: its per-coordinate error is an
    average of S·N independent terms, so with S = 400 the relative error is a few percent; 0.2 on the
    whole vector is more than five times the spread seen over seeds, and a wrong factor (a missing 1/S,
    training labels instead of sampled ones) is far outside it."""
    dense, _ = _truth(case)
    problem = problem_for(case, batch_size=4)
    truth = torch.diagonal(dense.ggn())
    estimate = fisher_mc_diagonal(problem, torch.Generator().manual_seed(0), samples=400)
    assert rel_err(estimate, truth) < 0.2
    again = fisher_mc_diagonal(problem_for(case, batch_size=7), torch.Generator().manual_seed(0), samples=400)
    assert rel_err(again, estimate) < 1e-10  # the labels do not depend on the batching


@pytest.mark.parametrize("case", [c for c in SMALL if c.loss in ("ce", "bce")], ids=str)
@pytest.mark.parametrize("path", ["backpack", "func", "func-jacobian"])
def test_monte_carlo_fisher_diagonal_is_the_same_on_every_per_sample_path(case, path):
    """The run's per-sample path forms the sampled labels' gradients: BackPACK, torch.func's vmap, and rows
    of the Jacobian (the path of a program exported for one batch size, where vmap's one-row forward fails;
    the diagonal's own vmap crashed every run of such a program above the dense limit)."""
    problem = problem_for(case, batch_size=4)
    reference = fisher_mc_diagonal(problem, torch.Generator().manual_seed(0), samples=3,
                                   per_sample=PerSampleGradients(problem, "func"))
    chosen = PerSampleGradients(problem, path.removesuffix("-jacobian"))
    if path == "func-jacobian":
        chosen.engine._fall_back(RuntimeError("one row refused"))
    estimate = fisher_mc_diagonal(problem, torch.Generator().manual_seed(0), samples=3, per_sample=chosen)
    assert chosen.engine.mode == {"backpack": "backpack", "func": "func-vmap", "func-jacobian": "func-jacobian"}[path]
    assert rel_err(estimate, reference) < 1e-12


@pytest.mark.parametrize("case", SMALL, ids=str)
def test_preconditioned_map_and_exact_summary(case):
    dense, h = _truth(case)
    problem = problem_for(case, batch_size=4)
    g = dense.per_sample_gradients()
    p = adam_diagonal((g**2).mean(0))
    s = p.rsqrt()
    h_hat = s[:, None] * h * s[None, :]
    mapped = dense_matrix(preconditioned_map(HessianOperator(problem), p))
    assert rel_err(mapped, h_hat) < 1e-10
    values = np.linalg.eigvalsh(h_hat.numpy())
    summary = summary_from_dense(h_hat.numpy(), 2.2e-16)
    assert summary.lambda_max.value == pytest.approx(values[-1], rel=1e-10)
    assert summary.mean_abs.estimate == pytest.approx(np.mean(np.abs(values)), rel=1e-10)
    assert summary.condition == pytest.approx(values[-1] / np.mean(np.abs(values)), rel=1e-10)


@pytest.mark.parametrize("case", SMALL, ids=str)
def test_operator_summary_brackets_the_dense_truth(case):
    dense, h = _truth(case)
    problem = problem_for(case, batch_size=4)
    p = jacobi_diagonal(torch.diagonal(h))
    s = p.rsqrt()
    values = np.linalg.eigvalsh((s[:, None] * h * s[None, :]).numpy())
    got = summary_from_operator(preconditioned_map(HessianOperator(problem), p),
                                generator=torch.Generator().manual_seed(0), tol=1e-8, max_matvecs=200, probes=40,
                                steps=problem.d)
    assert abs(got.lambda_max.value - values[-1]) <= got.lambda_max.residual + 1e-12
    # steps = d: every probe's Krylov space is the whole space, so each Gauss rule is exact for |·|
    # up to the probe's own weights (Hutchinson noise), which the standard error must cover
    exact = float(np.mean(np.abs(values)))
    assert abs(got.mean_abs.estimate - exact) <= 4 * got.mean_abs.stderr + 1e-12


def test_rate_and_progress_ratios_follow_their_formulas():
    case = SMALL[0]
    dense, h = _truth(case)
    problem = problem_for(case)
    grad = loss_and_gradient(problem).gradient
    p = jacobi_diagonal(torch.diagonal(h))
    s = p.rsqrt()
    base = summary_from_dense(h.numpy(), 2.2e-16)
    pre = summary_from_dense((s[:, None] * h * s[None, :]).numpy(), 2.2e-16)
    lam, lam_hat = np.linalg.eigvalsh(h.numpy()), np.linalg.eigvalsh((s[:, None] * h * s[None, :]).numpy())
    kappa, kappa_hat = lam[-1] / np.mean(np.abs(lam)), lam_hat[-1] / np.mean(np.abs(lam_hat))
    value, interval = rate_ratio(base, pre)
    assert value == pytest.approx(kappa / kappa_hat, rel=1e-10)
    assert interval.lo <= value <= interval.hi
    g = grad.to(torch.float64)
    expected = float(g @ (g / p)) / lam_hat[-1] / (float(g @ g) / lam[-1])
    value, interval = progress_ratio(grad, p, base, pre)
    assert value == pytest.approx(expected, rel=1e-10)
    assert interval.lo <= value <= interval.hi
    # the ratio is invariant to the scale of P
    assert progress_ratio(grad, 7.0 * p, base, summary_from_dense(
        (s[:, None] * h * s[None, :]).numpy() / 7.0, 2.2e-16))[0] == pytest.approx(expected, rel=1e-10)


def test_identity_preconditioner_changes_nothing():
    case = SMALL[1]
    _, h = _truth(case)
    base = summary_from_dense(h.numpy(), 2.2e-16)
    ones = torch.ones(h.shape[0], dtype=torch.float64)
    pre = summary_from_dense(h.numpy(), 2.2e-16)
    assert rate_ratio(base, pre)[0] == pytest.approx(1.0, rel=1e-14)
    grad = torch.randn(h.shape[0], generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert progress_ratio(grad, ones, base, pre)[0] == pytest.approx(1.0, rel=1e-14)
