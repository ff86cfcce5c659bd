"""Residual size r(θ) = Σ_n ‖∇_f ℓ_n‖₁ and its weighted mean (`estimators.fisher.residuals`) against brute
force: the residual of each sample by autograd of the reference per-sample loss (tests/helpers/dense.py)
with respect to the whole data's outputs, one row at a time. The mean divides by N (ce, mse, bce) or by
M, the labelled tokens. 1e-12 relative: sums of a few dozen float64 absolute values.
"""

from __future__ import annotations

import pytest
import torch

from helpers.cases import CASES, LAYER_CASES
from helpers.dense import Dense, per_sample_loss
from helpers.problems import problem_for
from hessdiag.estimators.fisher.residuals import residual_size

CASE_BY_NAME = {c.name: c for c in CASES + LAYER_CASES}
NAMES = ["tanh_mlp_ce", "mlp_mse_multi", "logreg_bce", "embedding_tokens", "embedding_next_token"]


def _brute_force(case) -> tuple[float, float]:
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    out = dense.outputs(dense.theta, x).detach()
    total = 0.0
    for n in range(dense.n):
        row = out[n : n + 1].clone().requires_grad_(True)
        (residual,) = torch.autograd.grad(per_sample_loss(case.loss, row, y[n : n + 1]).sum(), row)
        total += float(residual.abs().sum())
    return total, total / dense.normaliser


@pytest.mark.parametrize("batch_size", [None, 4])
@pytest.mark.parametrize("name", NAMES)
def test_residual_size_is_the_summed_l1_norm_of_the_output_gradients(name, batch_size):
    case = CASE_BY_NAME[name]
    total, mean = _brute_force(case)
    size = residual_size(problem_for(case, batch_size))
    assert size.total == pytest.approx(total, rel=1e-12) and size.mean == pytest.approx(mean, rel=1e-12)
    assert size.as_dict() == {"sum": size.total, "mean": size.mean}


def test_padding_rows_count_for_nothing():
    """Batches padded to a fixed size with weight-0 copies of their first row (as for a program exported for
    one batch size): the same sum and mean."""
    case = CASE_BY_NAME["tanh_mlp_ce"]
    problem = problem_for(case, 7)
    problem.batches = [b.padded(7) for b in problem.batches]
    assert any(bool((b.w == 0).any()) for b in problem.batches)  # some padding to leave out
    total, mean = _brute_force(case)
    size = residual_size(problem)
    assert size.total == pytest.approx(total, rel=1e-12) and size.mean == pytest.approx(mean, rel=1e-12)
