"""The one form of a matrix in the numerical core: operators, dense matrices and `matmat` callables all
become a `LinearMap`, support `@`, and give the same numbers to every estimator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.cases import CASES
from helpers.problems import problem_for
from hessdiag.linalg import (
    CallableMap,
    CountedProducts,
    DenseMap,
    LinearMap,
    as_linear_map,
    columns,
    damped_cg,
    dense_matrix,
    hutchpp_trace,
    lanczos_top_eigenvalues,
    stochastic_lanczos_quadrature,
)
from hessdiag.operators import HessianOperator


def _spd(d: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d, generator=gen, dtype=torch.float64)
    return a @ a.T / d + torch.eye(d, dtype=torch.float64)


@pytest.mark.parametrize("form", ["tensor", "array", "callable", "map"])
def test_every_form_gives_the_same_products(form):
    a = _spd(7, 0)
    obj = {"tensor": a, "array": a.numpy(), "callable": lambda v: a @ v, "map": DenseMap(a)}[form]
    m = as_linear_map(obj, d=7)
    assert isinstance(m, LinearMap) and m.d == 7 and m.dtype == torch.float64
    v = torch.arange(7, dtype=torch.float64)
    V = torch.stack([v, -2 * v], dim=1)
    assert torch.allclose(m @ v, a @ v, atol=1e-14) and torch.allclose(m @ V, a @ V, atol=1e-14)
    assert torch.allclose(dense_matrix(m), a, atol=1e-14)
    assert np.allclose(columns(m, np.array([4, 1])), a[:, [4, 1]].numpy(), atol=1e-14)


def test_a_callable_needs_its_dimension_and_other_objects_are_refused():
    with pytest.raises(ValueError, match="needs its dimension"):
        as_linear_map(lambda v: v)
    with pytest.raises(TypeError):
        as_linear_map("not a matrix")
    assert isinstance(as_linear_map(lambda v: v, d=3), CallableMap)


def test_counted_products_are_float64_and_counted():
    a = _spd(5, 1).to(torch.float32)
    products = CountedProducts(CallableMap(lambda v: a @ v.to(torch.float32), 5, torch.float32))
    out = products(torch.ones(5, 3, dtype=torch.float64))
    assert out.dtype == torch.float64 and products.matvecs == 3
    assert products(torch.ones(5, 0, dtype=torch.float64)).shape == (5, 0) and products.matvecs == 3


def test_an_operator_is_a_linear_map_for_every_estimator():
    """A notebook calls the core on a Hessian operator with defaults: the answers match its dense matrix."""
    op = HessianOperator(problem_for(CASES[0]))
    h = dense_matrix(op)
    eig = torch.linalg.eigvalsh(h)
    top = lanczos_top_eigenvalues(op, k=2)  # default tol 1e-4: each certified bar is at most 1e-4·|θ|
    for ritz, true in zip(top.values, eig.flip(0)[:2].tolist()):
        assert abs(ritz.value - true) <= ritz.residual <= 1e-4 * abs(ritz.value)
    whole = hutchpp_trace(op, generator=torch.Generator().manual_seed(0), sketch=op.d, max_matvecs=2 * op.d)
    assert whole.estimate == pytest.approx(float(eig.sum()), rel=1e-8) and whole.stderr == 0  # a sketch of all of R^d
    quadrature = stochastic_lanczos_quadrature(op, probes=2, steps=8, generator=torch.Generator().manual_seed(1))
    nodes = np.concatenate(quadrature.nodes)  # Ritz values lie inside the spectrum (Cauchy interlacing)
    assert float(eig[0]) - 1e-10 <= nodes.min() and nodes.max() <= float(eig[-1]) + 1e-10
    b = torch.ones(op.d, dtype=torch.float64)
    solution = damped_cg(op, b, 1.0, rtol=1e-12).solution
    assert torch.allclose((h + torch.eye(op.d, dtype=torch.float64)) @ solution, b, atol=1e-8)
