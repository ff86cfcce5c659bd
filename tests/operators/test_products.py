"""Every operator's products against dense float64 matrices built by brute force (tests/helpers/dense.py).

Tolerance 1e-10 relative (Frobenius): both sides are float64 computations of the same quantity by
different routes, whose rounding error is ~1e-15 relative per entry; 1e-10 leaves five orders of
magnitude of head-room yet fails at once on any wrong term (a missing weight, a sign, a transposition).
"""

from __future__ import annotations

import pytest
import torch

from helpers.cases import CASE_IDS, CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.linalg import dense_matrix
from hessdiag.operators import (
    EmpiricalFisherOperator,
    GGNOperator,
    GradientCovarianceOperator,
    HessianOperator,
    loss_and_gradient,
)

TOL = 1e-10
BATCH_SIZES = [None, 4]  # one batch, and several batches with a ragged last one


def _vectors(d: int, k: int = 3) -> torch.Tensor:
    gen = torch.Generator().manual_seed(d)
    return torch.randn(d, k, generator=gen, dtype=torch.float64)


@pytest.fixture(scope="module", params=CASES, ids=CASE_IDS)
def case_and_dense(request):
    case = request.param
    model, x, y = case.build()
    return case, Dense(model, x, y, case.loss)


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize("mode", ["retained", "fwd-rev", "linearized"])
def test_hessian_products_match_dense(case_and_dense, batch_size, mode):
    case, dense = case_and_dense
    problem = problem_for(case, batch_size)
    op = HessianOperator(problem, mode=mode)
    V = _vectors(problem.d)
    ref = dense.hessian()
    assert rel_err(op.matmat(V), ref @ V) < TOL
    assert rel_err(op.matvec(V[:, 0]), ref @ V[:, 0]) < TOL
    assert op.matvecs == V.shape[1] + 1


# (operator, the dense matrix it must equal): GGN = Jᵀ Λ J summed per sample; EF = (1/N) Σ g_n g_nᵀ;
# Σ = (1/N) Σ (g_n − ḡ)(g_n − ḡ)ᵀ — each built explicitly in tests/helpers/dense.py.
PRODUCT_CASES = [
    (GGNOperator, Dense.ggn),
    (EmpiricalFisherOperator, Dense.empirical_fisher),
    (GradientCovarianceOperator, Dense.gradient_covariance),
]


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize("operator, reference", PRODUCT_CASES, ids=["ggn", "empirical_fisher", "covariance"])
def test_gradient_based_operators_match_their_dense_matrices(case_and_dense, batch_size, operator, reference):
    case, dense = case_and_dense
    op = operator(problem_for(case, batch_size))
    V = _vectors(op.d)
    assert rel_err(op.matmat(V), reference(dense) @ V) < TOL


@pytest.mark.parametrize("operator, reference", [(HessianOperator, Dense.hessian), *PRODUCT_CASES],
                         ids=["hessian", "ggn", "empirical_fisher", "covariance"])
def test_products_one_vector_per_call_match_dense(case_and_dense, operator, reference):
    """`vectors_per_call = 1` (the cost plan's choice where rounds are slower) splits a block into single
    products: the same matrix, the same count of products."""
    case, dense = case_and_dense
    op = operator(problem_for(case, None))
    op.vectors_per_call = 1
    V = _vectors(op.d, 4)
    assert rel_err(op.matmat(V), reference(dense) @ V) < TOL and op.matvecs == 4


def test_gradient_and_loss_match_dense(case_and_dense):
    case, dense = case_and_dense
    for batch_size in BATCH_SIZES:
        result = loss_and_gradient(problem_for(case, batch_size))
        assert rel_err(result.gradient, dense.gradient()) < TOL
        assert result.loss == pytest.approx(float(dense.risk(dense.theta)), rel=1e-12)


def test_products_do_not_depend_on_batch_size(case_and_dense):
    case, _ = case_and_dense
    V = _vectors(problem_for(case).d)
    for op_class in (HessianOperator, GGNOperator, EmpiricalFisherOperator):
        results = [op_class(problem_for(case, b)).matmat(V) for b in (None, 1, 5)]
        for other in results[1:]:
            assert rel_err(other, results[0]) < 1e-12


def test_dense_matrix_and_matmul_are_the_hessian(case_and_dense):
    """`linalg.dense_matrix` (d products in unit blocks) and `H @ v`, `H @ V` against the dense Hessian."""
    case, dense = case_and_dense
    op = HessianOperator(problem_for(case, 4))
    h = dense.hessian()
    assert rel_err(dense_matrix(op), h) < TOL
    assert op.matvecs == op.d
    V = _vectors(op.d)
    assert rel_err(op @ V, h @ V) < TOL
    assert rel_err(op @ V[:, 0], h @ V[:, 0]) < TOL


def test_float32_products_are_close(case_and_dense):
    """Products in float32 agree with the float64 reference to float32 accuracy."""
    case, dense = case_and_dense
    op = HessianOperator(problem_for(case, dtype="float32"))
    V = _vectors(op.d)
    assert op.matmat(V).dtype == torch.float32
    assert rel_err(op.matmat(V).double(), dense.hessian() @ V) < 1e-4


@pytest.mark.parametrize("mode", ["retained", "linearized"])
def test_cached_products_do_not_drift_across_calls(mode):
    """Modes that keep per-batch state must give the same product on every call.

    `torch.func.linearize` alone stores constants that in-place ops of some backward formulas (BCE)
    overwrite on the first call, so a second product came out 20 % wrong; functionalising the gradient
    before linearising removes the mutation. Bitwise equality is the bar: nothing random is involved.
    """
    case = next(c for c in CASES if c.loss == "bce")
    op = HessianOperator(problem_for(case), mode=mode)
    v = _vectors(op.d)[:, 0]
    first = op.matvec(v)
    assert torch.equal(op.matvec(v), first) and torch.equal(op.matvec(v), first)


@pytest.mark.parametrize("mode", ["retained", "linearized", "fwd-rev"])
def test_large_rounds_are_split_into_passes_with_the_same_products(mode, monkeypatch):
    """A memory budget that fits 2 vectors per pass: 5 vectors go through in 3 passes, same result."""
    import hessdiag.operators.hessian as hessian_module

    case = CASES[0]
    op = HessianOperator(problem_for(case, batch_size=9), mode=mode)
    V = _vectors(op.d, k=5)
    whole = op.matmat(V)
    _ = op.vectors_per_pass  # measures the first batch's graph
    graph = op._graph_bytes
    monkeypatch.setattr(hessian_module, "memory_budget_bytes", lambda device: 2 * 2 * graph + 1)
    monkeypatch.setattr(hessian_module, "CPU_PASS_BYTES", 10**15)
    op._per_pass = None  # fixed on first use: recompute it under the small budget
    assert op.vectors_per_pass == 2
    passes = []
    products = op._products
    monkeypatch.setattr(op, "_products", lambda i, b, v: passes.append(v.shape[0]) or products(i, b, v))
    assert rel_err(op.matmat(V), whole) < 1e-13
    assert passes == [2, 2, 1] * len(op.problem.batches)


def test_cpu_passes_stay_cache_sized():
    """On the CPU, vectors per pass × the first batch's graph ≤ CPU_PASS_BYTES, and at least one vector."""
    from hessdiag.operators.hessian import CPU_PASS_BYTES

    op = HessianOperator(problem_for(CASES[0]), mode="retained")
    assert op.vectors_per_pass > 1 and op.vectors_per_pass * op._graph_bytes <= CPU_PASS_BYTES
    op._graph_bytes, op._per_pass = CPU_PASS_BYTES // 3 + 1, None
    assert op.vectors_per_pass == 2
    op._graph_bytes, op._per_pass = 10 * CPU_PASS_BYTES, None
    assert op.vectors_per_pass == 1


class _WithUnusedParameter(torch.nn.Module):
    """A trainable parameter the loss never touches: its rows and columns of H are zero."""

    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Linear(4, 3)
        self.extra = torch.nn.Parameter(torch.ones(2))

    def forward(self, x):
        return torch.tanh(self.a(x))


@pytest.mark.parametrize("mode", ["auto", "retained", "fwd-rev", "linearized"])
def test_an_unused_parameter_has_zero_curvature_in_every_mode(mode):
    from helpers.cases import seeded_model

    gen = torch.Generator().manual_seed(3)
    model = seeded_model(_WithUnusedParameter, gen)
    x = torch.randn(10, 4, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (10,), generator=gen)
    from hessdiag.load import problem_from_objects

    op = HessianOperator(problem_from_objects(model, x, y, "ce", batch_size=4, dtype="float64", device="cpu"),
                         mode=mode)
    V = _vectors(op.d)
    ref = Dense(model, x, y, "ce").hessian()
    assert int((ref.abs().sum(1) == 0).sum()) == 2 and rel_err(op.matmat(V), ref @ V) < TOL
    assert rel_err(op.matvec(V[:, 0]), ref @ V[:, 0]) < TOL
