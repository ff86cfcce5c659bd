"""The block Lanczos recurrence (`next_block`, `Recurrence`) against dense float64 truth.

- `next_block` is a QR of W: Q orthonormal and orthogonal to the basis, Q R = W. With a second
  column that differs from the first by 1e-9 of its norm, one Gram–Schmidt pass leaves Q orthogonal
  only to ε/1e-9 ≈ 1e-7; twice is enough for ≈ ε, so 1e-12 is a bar a correct QR clears with room.
  Such a column is also orthogonal to the basis only to ε/1e-9 unless it is refined (one more pass
  against the basis when its norm is below `refine`, as `eigen` asks).
- Vanishing columns: their norms are reported in `dropped` (the bounds add them), to rounding.
- After d/p block steps from a generic block, T = Vᵀ A V is A in the basis V: its eigenvalues are A's
  to 1e-10·‖A‖ (the recurrence's rounding is ~d·ε·‖A‖ ≈ 1e-14·‖A‖).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.dense import orthonormal_basis
from hessdiag.linalg.lanczos import Lanczos, next_block
from hessdiag.linalg.linear_map import CountedProducts


@pytest.mark.parametrize("seed", range(3))
def test_next_block_is_a_qr_of_nearly_dependent_columns(seed):
    d = 50
    basis, q = orthonormal_basis(d, 5, seed)
    gen = torch.Generator().manual_seed(10 + seed)
    w = torch.randn(d, 3, generator=gen, dtype=torch.float64)
    w = w - q @ (q.T @ w)
    w[:, 1] = w[:, 0] + 1e-9 * w[:, 1]  # nearly parallel: one Gram–Schmidt pass loses ~9 digits
    w[:, 2] = w[:, 0] - 1e-9 * w[:, 2]
    # refine as `eigen` sets it: columns below 1e-4 of the scale get one more pass against the basis
    block = next_block(w, basis, 1e-14, None, refine=1e-4 * float(w.norm()))
    assert block.q.shape == (d, 3) and block.dropped == 0.0 and block.replaced == 0
    gram = block.q.T @ block.q
    assert float((gram - torch.eye(3, dtype=torch.float64)).abs().max()) < 1e-12
    assert float((q.T @ block.q).abs().max()) < 1e-12
    product = block.q @ torch.from_numpy(block.b)
    assert float((product - w).abs().max()) < 1e-12 * float(w.abs().max())
    assert np.allclose(np.tril(block.b, -1), 0.0)  # R is upper triangular
    plain = next_block(w, basis, 1e-14, None)  # no refinement: the block is still orthonormal in itself
    gram = plain.q.T @ plain.q
    assert float((gram - torch.eye(3, dtype=torch.float64)).abs().max()) < 1e-12


def test_next_block_reports_the_norm_of_a_vanishing_column():
    d = 30
    basis, q = orthonormal_basis(d, 4, 0)
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(d, 2, generator=gen, dtype=torch.float64)
    w = w - q @ (q.T @ w)
    v = torch.randn(d, generator=gen, dtype=torch.float64)
    v = v - q @ (q.T @ v)
    v = v - w[:, 0] * (w[:, 0] @ v) / (w[:, 0] @ w[:, 0])
    tiny = 1e-13 * (w[:, 0] / w[:, 0].norm() + v / v.norm())
    w[:, 1] = tiny  # its part orthogonal to the basis and column 0 is 1e-13·v̂ ≤ tolerance: dropped, replaced
    block = next_block(w, basis, 1e-12, torch.Generator().manual_seed(2))
    assert block.replaced == 1 and block.q.shape == (d, 2)
    # abs=0: the reported norm is 1e-13, far below pytest's default absolute tolerance of 1e-12
    assert block.dropped == pytest.approx(1e-13, rel=1e-6, abs=0)
    assert block.b[1, 1] == 0.0  # the replacement has no coupling
    gram = block.q.T @ block.q
    assert float((gram - torch.eye(2, dtype=torch.float64)).abs().max()) < 1e-12
    assert float((q.T @ block.q).abs().max()) < 1e-12


@pytest.mark.parametrize("block", [1, 2, 3])
def test_a_full_block_recurrence_reproduces_the_dense_spectrum(block):
    d = 24
    gen = torch.Generator().manual_seed(block)
    u, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    lam = torch.linspace(-3.0, 5.0, d, dtype=torch.float64) ** 3
    a = u @ torch.diag(lam) @ u.T
    products = CountedProducts.of(lambda v: a @ v, d)
    run = Lanczos(products, torch.randn(d, block, generator=gen, dtype=torch.float64), block)
    rec = run.runs[0]
    for _ in range(d // block):
        rec.step_with(products)
        nb = next_block(rec.w, rec.basis, 1e-12 * float(lam.abs().max()), None)
        if rec.n >= d:
            break
        rec.advance(nb)
    assert rec.n == d
    v = rec.basis.expand(torch.eye(d, dtype=torch.float64))  # (d, n): the basis vectors as columns
    assert float((v.T @ v - torch.eye(d, dtype=torch.float64)).abs().max()) < 1e-12
    assert np.abs(rec.T - (v.T @ a @ v).numpy()).max() < 1e-10 * float(lam.abs().max())
    assert np.allclose(np.linalg.eigvalsh(rec.T), lam.numpy(), rtol=0, atol=1e-10 * float(lam.abs().max()))
