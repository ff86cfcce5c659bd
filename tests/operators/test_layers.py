"""The layers, input forms and token losses of issue 13 through every operator, against dense float64.

Cases (`helpers.cases.LAYER_CASES`): LayerNorm + GELU, GroupNorm + SiLU, RMSNorm, Embedding with
keyword inputs (integer ids and masks) and a mapping output under `token_ce` and `next_token_ce` with
ignored positions, nn.MultiheadAttention (tuple output, key padding mask), scaled dot-product
attention (boolean mask), LSTM, GRU and nn.TransformerEncoderLayer (padding mask, token loss).

Tolerance 1e-10 relative (Frobenius), as in test_products: both sides are float64 computations of the
same quantity by different routes (the reference never batches, never masks by hand: torch's own
`cross_entropy(ignore_index=-100)` and `torch.func.hessian`), whose rounding is ~1e-15 relative per
entry; a wrong weight (1/N for 1/M), an ignored token counted, a padding row or a shifted label is an
O(1) error. Batch-size independence: 1e-12, the same sums in another order.
"""

from __future__ import annotations

import pytest
import torch

from helpers.cases import LAYER_CASE_IDS, LAYER_CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.operators import (
    EmpiricalFisherOperator,
    GGNOperator,
    GradientCovarianceOperator,
    HessianOperator,
    loss_and_gradient,
)
from hessdiag.operators.per_sample import PerSampleGradients

TOL = 1e-10


def _vectors(d: int, k: int = 3) -> torch.Tensor:
    return torch.randn(d, k, generator=torch.Generator().manual_seed(d), dtype=torch.float64)


@pytest.fixture(scope="module", params=LAYER_CASES, ids=LAYER_CASE_IDS)
def case_and_dense(request):
    case = request.param
    model, x, y = case.build()
    return case, Dense(model, x, y, case.loss)


@pytest.mark.parametrize("mode", ["retained", "fwd-rev"])
def test_hessian_products_match_dense(case_and_dense, mode):
    case, dense = case_and_dense
    op = HessianOperator(problem_for(case, 3), mode=mode)
    V = _vectors(op.d)
    assert rel_err(op.matmat(V), dense.hessian() @ V) < TOL


@pytest.mark.parametrize("operator, reference", [
    (GGNOperator, Dense.ggn), (EmpiricalFisherOperator, Dense.empirical_fisher),
    (GradientCovarianceOperator, Dense.gradient_covariance)], ids=["ggn", "empirical_fisher", "covariance"])
def test_gradient_based_operators_match_dense(case_and_dense, operator, reference):
    case, dense = case_and_dense
    op = operator(problem_for(case, 3))
    V = _vectors(op.d)
    assert rel_err(op.matmat(V), reference(dense) @ V) < TOL


def test_loss_gradient_and_per_sample_gradients_match_dense(case_and_dense):
    case, dense = case_and_dense
    problem = problem_for(case, 3)
    result = loss_and_gradient(problem)
    assert rel_err(result.gradient, dense.gradient()) < TOL
    assert result.loss == pytest.approx(float(dense.risk(dense.theta)), rel=1e-12)
    naive = dense.per_sample_gradients()
    for preference in ("func", "auto"):
        per_sample = PerSampleGradients(problem, preference)
        rows = torch.cat([torch.cat(per_sample.gradients(b).blocks, dim=1)[b.real] for b in problem.batches])
        assert rel_err(rows, naive) < TOL, per_sample.reason


def test_products_do_not_depend_on_batch_size(case_and_dense):
    case, _ = case_and_dense
    V = _vectors(problem_for(case).d)
    for op_class in (HessianOperator, GGNOperator, EmpiricalFisherOperator):
        results = [op_class(problem_for(case, b)).matmat(V) for b in (None, 1, 4)]
        for other in results[1:]:
            assert rel_err(other, results[0]) < 1e-12


def test_backpack_takes_keyword_inputs_and_token_losses():
    """Linear layers on token features (keyword inputs, ignored tokens): BackPACK's own path (not the
    fallback) matches the naive loop."""
    case = next(c for c in LAYER_CASES if c.name == "token_mlp_backpack")
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, 3)
    per_sample = PerSampleGradients(problem, "backpack")
    rows = torch.cat([torch.cat(per_sample.gradients(b).blocks, dim=1)[b.real] for b in problem.batches])
    assert per_sample.path == "backpack" and per_sample.fallback is None, per_sample.reason
    assert rel_err(rows, naive) < TOL
