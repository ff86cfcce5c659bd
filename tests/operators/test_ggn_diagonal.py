"""The exact diagonal and trace of the GGN against brute force (issue 14).

Both sides are float64 and exact up to rounding: hessdiag factors Λ_n = M_nᵀ M_n and sums squared
per-sample gradients of f·m_nc; the reference forms J_n (jacrev) and Λ_n (torch.func.hessian in output
space) and sums Λ_n,ab J_n,a J_n,b, or forms the dense GGN. Sums of a few thousand products of order-one
numbers differ by ~1e-14 relative, so 1e-10 leaves four orders of magnitude of head-room and still
catches any missing sample, output or weight (errors of order one).
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.cases import CASE_IDS, CASES, LAYER_CASES, seeded_model
from helpers.dense import Dense
from helpers.problems import problem_for
from hessdiag.load import problem_from_objects
from hessdiag.operators.ggn_diagonal import ROWS_ALONE, ROWS_JACOBIAN, ggn_diagonal, output_count


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("batch_size", [None, 4])
def test_diagonal_and_trace_equal_the_dense_ggn(case, batch_size):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss).ggn()
    diagonal = ggn_diagonal(problem_for(case, batch_size=batch_size)).values
    assert torch.allclose(diagonal, torch.diagonal(dense), rtol=1e-10, atol=1e-12 * float(dense.abs().max()))
    assert float(diagonal.sum()) == pytest.approx(float(dense.trace()), rel=1e-10)


def _chunk_rows(monkeypatch, case, rows: int) -> None:
    """Make the diagonal take `rows` rows at a time and its Jacobians' reverse passes 2 at a time."""
    import hessdiag.operators.ggn_diagonal as module

    d = sum(p.numel() for p in case.build()[0].parameters())
    monkeypatch.setattr(module, "ROW_BYTES", rows * d * 8)
    monkeypatch.setattr(module, "JACOBIAN_CHUNK", 2)


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c.name for c in LAYER_CASES])
def test_every_layer_form_equals_the_dense_ggn(case, monkeypatch):
    """Norms, tokens, attention, recurrent layers. torch 2.13 has no batching rule for the recurrent layers'
    one-row forward, so their vectors are rows of the Jacobian of a few rows evaluated together (before: no
    exact diagonal at all); for them the rows go 3 at a time, the reverse passes 2 at a time."""
    if case.name in ("lstm", "gru"):
        _chunk_rows(monkeypatch, case, rows=3)
    model, x, y = case.build()
    dense = torch.diagonal(Dense(model, x, y, case.loss).ggn())
    diagonal = ggn_diagonal(problem_for(case, batch_size=4))
    assert diagonal.rows == (ROWS_JACOBIAN if case.name in ("lstm", "gru") else ROWS_ALONE)
    assert torch.allclose(diagonal.values, dense, rtol=1e-10, atol=1e-12 * float(dense.abs().max()))


def test_ten_thousand_parameters_and_ten_classes():
    """d = 10,186 (64-100-36-10 tanh MLP... sized to just over 10k), C = 10, cross-entropy, 24 samples:
    the reference is the per-sample brute force (no d×d matrix)."""
    gen = torch.Generator().manual_seed(7)
    model = seeded_model(lambda: nn.Sequential(nn.Linear(64, 110), nn.Tanh(), nn.Linear(110, 26), nn.Tanh(),
                                               nn.Linear(26, 10)), gen, scale=0.3)
    x = torch.randn(24, 64, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 10, (24,), generator=gen)
    problem = problem_from_objects(model, x, y, "ce", batch_size=10, dtype="float64", device="cpu")
    assert problem.d > 10_000 and output_count(problem) == 10
    reference = Dense(model, x, y, "ce").ggn_diagonal()
    diagonal = ggn_diagonal(problem).values
    assert torch.allclose(diagonal, reference, rtol=1e-10, atol=1e-12 * float(reference.abs().max()))
    assert float(diagonal.sum()) == pytest.approx(float(reference.sum()), rel=1e-10)


def test_float32_agrees_to_float32_accuracy():
    case = CASES[0]
    exact = ggn_diagonal(problem_for(case)).values
    single = ggn_diagonal(problem_for(case, dtype="float32")).values
    assert single.dtype == torch.float32
    assert torch.allclose(single.double(), exact, rtol=1e-4, atol=1e-6 * float(exact.abs().max()))


@pytest.mark.parametrize("chunks", [False, True], ids=["whole", "chunked"])
@pytest.mark.parametrize("case", CASES[:3], ids=CASE_IDS[:3])
def test_a_program_exported_for_one_batch_size_gets_rows_of_the_jacobian(case, chunks, monkeypatch):
    """A static-shape export refuses a one-row forward: the vectors J_nᵀ m_nc become rows of the batch's
    Jacobian, the padding rows (w = 0) dropped, and the diagonal is still the dense GGN's; also with the
    rows taken 3 at a time from the whole batch's outputs and the reverse passes 2 at a time."""
    if chunks:
        _chunk_rows(monkeypatch, case, rows=3)
    from hessdiag.load.build import build_problem
    from hessdiag.load.losses import get_loss
    from hessdiag.load.models import LoadedModel

    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss).ggn()
    program = torch.export.export(model, (x[:4],)).module()
    loaded = LoadedModel(program, [n for n, p in program.named_parameters() if p.requires_grad], "export", "static",
                         fixed_batch_size=4)
    problem = build_problem(loaded, x, y, get_loss(case.loss), samples=None, batch_size=None, seed=0,
                            dtype=torch.float64, device=torch.device("cpu"))
    assert problem.fixed_batch == 4 and problem.batches[-1].w.eq(0).any()  # a padded last batch
    diagonal = ggn_diagonal(problem)
    assert diagonal.rows == ROWS_JACOBIAN
    assert torch.allclose(diagonal.values, torch.diagonal(dense), rtol=1e-10,
                          atol=1e-12 * float(dense.abs().max()))
