"""Dense matrices, columns and top eigenpairs of a linear map (`linalg.dense`) against float64 truth.

The maps are plain matmat callables (the product path, not the DenseMap shortcut) with d = 150: two full
blocks of UNIT_BLOCK = 64 unit vectors and a ragged third. Tolerances: 1e-14 absolute on entries of order
one (each product is one float64 matrix product, exact to ~1e-15), unless said otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hessdiag.linalg import dense_matrix, dense_top
from hessdiag.linalg.dense import UNIT_BLOCK, columns
from hessdiag.linalg.linear_map import CallableMap, DenseMap

D = 150


def _matrix(seed: int, symmetric: bool = True) -> torch.Tensor:
    a = torch.randn(D, D, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (a + a.T) / 2 if symmetric else a


@pytest.mark.parametrize("symmetric", [True, False])
def test_dense_matrix_is_the_symmetrised_matrix_of_the_products(symmetric):
    """(C + Cᵀ)/2 from d products in blocks of UNIT_BLOCK, reporting progress after each block."""
    a = _matrix(0, symmetric)
    seen = []
    out = dense_matrix(CallableMap(lambda v: a @ v, D), progress=lambda done, total: seen.append((done, total)))
    assert out.dtype == torch.float64 and torch.equal(out, out.T)
    torch.testing.assert_close(out, (a + a.T) / 2, rtol=0, atol=1e-14)
    assert seen == [(UNIT_BLOCK, D), (2 * UNIT_BLOCK, D), (D, D)]


def test_columns_in_several_blocks_are_the_matrix_columns():
    a = _matrix(1)
    indices = np.random.default_rng(2).permutation(D)[:140]  # three blocks of products, in any order
    done = []
    out = columns(CallableMap(lambda v: a @ v, D), indices, progress=done.append)
    np.testing.assert_allclose(out, a[:, indices].numpy(), rtol=0, atol=1e-14)
    assert done == [UNIT_BLOCK, UNIT_BLOCK, 140 - 2 * UNIT_BLOCK]


@pytest.mark.parametrize("dense", [True, False])
def test_columns_of_a_reversed_view_of_indices(dense):
    """Indices with a negative stride (np.arange(n)[::-1], a view) give the columns in that order, from a
    dense map or from products."""
    a = _matrix(4)
    indices = np.arange(D)[::-1][:70]
    out = columns(DenseMap(a) if dense else CallableMap(lambda v: a @ v, D), indices)
    np.testing.assert_allclose(out, a[:, indices.copy()].numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("k", [1, 4])
def test_dense_top_of_an_indefinite_matrix(k):
    """Largest eigenvalues (algebraically, descending), though the largest |λ| is negative: A = Q diag(λ) Qᵀ
    with λ = (-20, 3, 2.5, …). Bars: the true residual (≲1e-13 here) plus d·u·‖A‖₂, ‖A‖₂ = 20."""
    gen = torch.Generator().manual_seed(3)
    q, _ = torch.linalg.qr(torch.randn(D, D, generator=gen, dtype=torch.float64))
    values = torch.cat([torch.tensor([-20.0, 3.0, 2.5, 2.0, 1.5], dtype=torch.float64),
                        torch.rand(D - 5, generator=gen, dtype=torch.float64)])
    a = (q * values) @ q.T
    u = torch.finfo(torch.float64).eps
    top = dense_top(a, k, unit_roundoff=u)
    assert [r.value for r in top.values] == pytest.approx([3.0, 2.5, 2.0, 1.5][:k], abs=1e-12)
    allowance = D * u * 20.0
    assert all(allowance <= r.residual <= allowance + 1e-12 for r in top.values)
    vectors = top.vectors
    assert vectors.shape == (k, D)
    torch.testing.assert_close(vectors @ a, torch.tensor([r.value for r in top.values])[:, None] * vectors,
                               rtol=0, atol=1e-12)
