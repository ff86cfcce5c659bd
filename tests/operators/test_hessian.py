"""How `HessianOperator(mode="auto")` chooses between retained graphs and forward-over-reverse, and that
either choice gives the dense Hessian (tests/helpers/dense.py, 1e-10 relative as in test_products).

The rule (module docstring): retain every batch's graph when (first batch's saved bytes) × (batches) fits
the budget, a quarter of `memory_bytes` when given, else a quarter of RAM on the CPU.
"""

from __future__ import annotations

import pytest
import torch

import hessdiag
from helpers.cases import CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.errors import NonFiniteError
from hessdiag.load import problem_from_objects
from hessdiag.operators import HessianOperator
from hessdiag.operators import hessian as hessian_module

TOL = 1e-10


@pytest.mark.parametrize("spare, mode", [(0, "retained"), (-1, "fwd-rev")])
def test_auto_retains_graphs_exactly_when_all_batches_fit_a_quarter_of_the_memory(spare, mode):
    """memory_bytes = 4 × graph × batches (+ spare): all graphs fit a quarter of it only when spare ≥ 0."""
    case = CASES[0]
    problem = problem_for(case, batch_size=5)
    graph = HessianOperator(problem, mode="retained").graph_bytes
    batches = len(problem.batches)
    assert batches == 5 and graph > 0  # 23 rows in 5 batches: the graph count matters
    op = HessianOperator(problem, memory_bytes=4 * graph * batches + spare)
    assert op.mode == mode
    model, x, y = case.build()
    V = torch.randn(op.d, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert rel_err(op.matmat(V), Dense(model, x, y, case.loss).hessian() @ V) < TOL


def test_the_cpu_budget_is_a_quarter_of_physical_memory(monkeypatch):
    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 1000}
    monkeypatch.setattr(hessian_module.os, "sysconf", lambda name: sizes[name])
    assert hessian_module.memory_budget_bytes(torch.device("cpu")) == 4096 * 1000 // 4


class _SignGated(torch.nn.Module):
    """tanh(Wx)·sign(g): the loss depends on g only through sign(g), whose derivative autograd takes as a
    constant 0, so ∂R/∂g is a constant (no graph) and g's rows and columns of H are zero."""

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Linear(4, 3)
        self.g = torch.nn.Parameter(torch.ones(3))

    def forward(self, x):
        return torch.tanh(self.a(x)) * self.g.sign()


@pytest.mark.parametrize("mode", ["retained", "fwd-rev", "linearized"])
def test_a_parameter_with_a_constant_gradient_has_zero_curvature(mode):
    from helpers.cases import seeded_model
    from hessdiag.load import problem_from_objects

    gen = torch.Generator().manual_seed(4)
    model = seeded_model(_SignGated, gen)
    x = torch.randn(10, 4, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (10,), generator=gen)
    problem = problem_from_objects(model, x, y, "ce", batch_size=4, dtype="float64", device="cpu")
    op = HessianOperator(problem, mode=mode)
    ref = Dense(model, x, y, "ce").hessian()
    assert int((ref.abs().sum(1) == 0).sum()) == 3  # g's three rows
    V = torch.randn(op.d, 3, generator=gen, dtype=torch.float64)
    assert rel_err(op.matmat(V), ref @ V) < TOL and rel_err(op.matvec(V[:, 0]), ref @ V[:, 0]) < TOL


def _mish_at_large_inputs(scale: float) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    """A Mish MLP 3-4-2 whose first-layer pre-activations reach about `scale`: PyTorch's Mish double backward is
    NaN above about 100 in float32 and 1000 in float64, where the true second derivative is 0."""
    gen = torch.Generator().manual_seed(0)
    linear = [torch.nn.utils.skip_init(torch.nn.Linear, i, o, dtype=torch.float64) for i, o in ((3, 4), (4, 2))]
    model = torch.nn.Sequential(linear[0], torch.nn.Mish(), linear[1])
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
        model[0].weight.abs_()
    x = torch.rand(8, 3, generator=gen, dtype=torch.float64) * scale
    return model, x, torch.arange(8) % 2


@pytest.mark.parametrize("mode", ["retained", "fwd-rev"])
@pytest.mark.parametrize("scale, finite", [(1.0, True), (1e5, False)])
def test_a_product_that_overflows_raises_a_clear_error_not_nan(mode, scale, finite):
    model, x, y = _mish_at_large_inputs(scale)
    problem = problem_from_objects(model, x, y, "ce", dtype="float64", device="cpu")
    op = HessianOperator(problem, mode=mode)
    v = torch.ones(op.d, dtype=torch.float64)
    if finite:
        assert torch.isfinite(op @ v).all() and op.matvecs == 1
        return
    with pytest.raises(NonFiniteError, match="NaN/Inf .* loss and gradient are finite.*float64"):
        op @ v
    assert op.matvecs == 0


def test_a_run_whose_hessian_overflows_stops_with_that_error():
    """The whole run: `diagnose` raises the NonFiniteError (the CLI prints its one line), not scipy's ValueError
    from a Lanczos matrix full of NaN."""
    model, x, y = _mish_at_large_inputs(1e5)
    with pytest.raises(NonFiniteError, match="second derivative overflows"):
        hessdiag.diagnose(model, (x, y), loss="ce", only="spectrum", race_steps=0)
