"""The Monte-Carlo Fisher F_mc: its products, its sampled labels, and its convergence to F = GGN.

Products: 1e-10 relative against (1/NS) Σ ĝĝᵀ built by a naive per-sample loop on the operator's own
sampled labels (same float64 numbers, another order). Convergence: E‖F_mc − F‖_F² = c/S exactly (an
average of S independent unbiased draws per sample), and the squared error is a sum over N·d² terms,
so it concentrates: ‖F_mc − F‖_F·√S stays within a factor 2 from one S to the next (an error drop
by √8 ≈ 2.8 per 8× more samples is expected; the assertion allows down to √8/2 each time), and the
error falls by more than 4× (8× expected) from S = 1 to S = 64.
"""

from __future__ import annotations

import pytest
import torch

from helpers.cases import CASES, LAYER_CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.linalg import dense_matrix
from hessdiag.operators import GGNOperator
from hessdiag.operators.fisher_mc import MonteCarloFisherOperator
from hessdiag.operators.per_sample import PerSampleGradients
from hessdiag.rng import generator

CASE_BY_NAME = {c.name: c for c in CASES + LAYER_CASES}


@pytest.mark.parametrize("name", ["tanh_mlp_ce", "mlp_mse_multi", "logreg_bce", "embedding_tokens",
                                  "embedding_next_token"])
def test_products_match_the_naive_sampled_outer_products(name):
    case = CASE_BY_NAME[name]
    model, x, _ = case.build()
    problem = problem_for(case, batch_size=5)
    op = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(3), samples=2)
    reference = torch.zeros(problem.d, problem.d, dtype=torch.float64)
    for s in range(2):
        y_hat = torch.cat([op.targets[i][s] for i in range(len(problem.batches))])
        reference += Dense(model, x, y_hat, case.loss).empirical_fisher() / 2
    vectors = torch.randn(problem.d, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert rel_err(op.matmat(vectors), reference @ vectors) < 1e-10


def test_labels_are_seeded_and_of_the_right_form():
    case = CASE_BY_NAME["tanh_mlp_ce"]
    problem = problem_for(case)
    a = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(1)).targets[0][0]
    b = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(1)).targets[0][0]
    c = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(2)).targets[0][0]
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.dtype == torch.int64 and a.shape == problem.batches[0].y.shape


def _dense_from_rows(problem, op: MonteCarloFisherOperator) -> torch.Tensor:
    """(1/S) Σ_s Σ_n w_n ĝ_ns ĝ_nsᵀ from per-sample gradient rows (torch.func) at the sampled labels."""
    per_sample = PerSampleGradients(problem, "func")
    total = torch.zeros(problem.d, problem.d, dtype=torch.float64)
    for index, batch in enumerate(problem.batches):
        for sampled in op.sampled_batches(index, batch):
            rows = torch.cat(per_sample.gradients(sampled).blocks, dim=1)
            total += rows.T @ (sampled.w[:, None] * rows)
    return total / op.samples


def test_f_mc_converges_to_the_fisher():
    case = CASE_BY_NAME["tanh_mlp_ce"]
    problem = problem_for(case)
    fisher = dense_matrix(GGNOperator(problem))
    scaled = {}
    for samples in (1, 8, 64):
        op = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(samples), samples=samples)
        scaled[samples] = rel_err(_dense_from_rows(problem, op), fisher) * samples**0.5
    assert scaled[8] < 2 * scaled[1] and scaled[64] < 2 * scaled[8]
    assert scaled[64] / 8 < scaled[1] / 4  # the error itself fell by more than 4× from S = 1 to 64


@pytest.mark.parametrize("case", [CASE_BY_NAME[n] for n in ("tanh_mlp_ce", "mlp_mse_multi", "logreg_bce",
                                                             "embedding_tokens")], ids=lambda c: c.name)
def test_the_same_seed_gives_the_same_sampled_fisher_for_any_batch_size(case):
    """Labels are drawn over all rows at once: batching must not change the operator (mse drew Gaussian
    noise per batch before, whose stream depends on the block size)."""
    V = torch.randn(problem_for(case).d, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    products = [MonteCarloFisherOperator(problem_for(case, batch_size), generator(0, "fmc"), samples=2).matmat(V)
                for batch_size in (None, 1, 3)]
    assert all(torch.allclose(p, products[0], rtol=1e-12, atol=0) for p in products[1:])


def test_batches_of_different_sequence_lengths_get_labels_of_their_own_length():
    """A DataLoader that pads each batch to its own longest sequence: here the second batch cropped to 3 of
    the 5 positions (the model is per-token). Labels are drawn on rows padded to the longest length and
    cropped back; the products equal (1/S) Σ_s Σ_n w_n ĝ_ns ĝ_nsᵀ from a per-sample loop on each batch."""
    from hessdiag.load import Batch

    case = CASE_BY_NAME["embedding_tokens"]
    model, _, _ = case.build()
    problem = problem_for(case, batch_size=4)
    short = problem.batches[1]
    problem.batches[1] = Batch({k: v[:, :3] for k, v in short.x.items()}, short.y[:, :3], short.w)
    op = MonteCarloFisherOperator(problem, torch.Generator().manual_seed(5), samples=2)
    reference = torch.zeros(problem.d, problem.d, dtype=torch.float64)
    for index, batch in enumerate(problem.batches):
        for y_hat in op.targets[index]:
            assert y_hat.shape == batch.y.shape
            g = Dense(model, batch.x, y_hat, case.loss).per_sample_gradients()
            reference += g.T @ (batch.w[:, None] * g) / 2
    vectors = torch.randn(problem.d, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert rel_err(op.matmat(vectors), reference @ vectors) < 1e-10
