"""EF and the gradient covariance Σ for the token losses, whose weights are 1/M (M labelled tokens) and
whose per-sequence gradients are scaled by c = N/M in Σ, against the dense references of
tests/helpers/dense.py (Σ = (1/N) Σ_n (ğ_n − ∇R)(ğ_n − ∇R)ᵀ with ğ_n = (N/M) g_n, built from a Python
loop of per-sample gradients). 1e-10 relative, as in test_products: float64 on both sides.
"""

from __future__ import annotations

import pytest
import torch

from helpers.cases import LAYER_CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.operators import EmpiricalFisherOperator, GradientCovarianceOperator

TOKEN_CASES = [c for c in LAYER_CASES if c.name in ("embedding_tokens", "embedding_next_token")]


@pytest.mark.parametrize("batch_size", [None, 3])
@pytest.mark.parametrize("case", TOKEN_CASES, ids=[c.name for c in TOKEN_CASES])
def test_token_loss_ef_and_covariance_match_dense(case, batch_size):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    assert dense.normaliser != dense.n  # M ≠ N: the scale c = N/M is not 1
    problem = problem_for(case, batch_size)
    V = torch.randn(problem.d, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert rel_err(EmpiricalFisherOperator(problem).matmat(V), dense.empirical_fisher() @ V) < 1e-10
    assert rel_err(GradientCovarianceOperator(problem).matmat(V), dense.gradient_covariance() @ V) < 1e-10
