"""The Lanczos basis: Gram–Schmidt with the DGKS test against dense orthogonality, in float64."""

from __future__ import annotations

import pytest
import torch

from helpers.dense import orthonormal_basis
from helpers.devices import OneDevicePerOperation
from hessdiag.linalg.basis import Basis


@pytest.mark.parametrize("seed", range(5))
def test_a_column_with_little_in_the_span_takes_one_pass(seed):
    basis, q = orthonormal_basis(200, 12, seed)
    gen = torch.Generator().manual_seed(100 + seed)
    w = torch.randn(200, 2, generator=gen, dtype=torch.float64)
    w = w - q @ (q.T @ w) + 1e-3 * q[:, :2]  # mostly orthogonal already: the pass keeps > 1/√2 of the norm
    out = basis.orthogonalise(w)
    assert basis.passes == 1
    assert float((q.T @ out).abs().max()) < 1e-14 * float(out.norm())


@pytest.mark.parametrize("seed", range(5))
def test_a_column_mostly_in_the_span_gets_the_second_pass_and_ends_orthogonal(seed):
    basis, q = orthonormal_basis(200, 12, seed)
    gen = torch.Generator().manual_seed(200 + seed)
    inside = q @ torch.randn(12, 1, generator=gen, dtype=torch.float64)
    outside = torch.randn(200, 1, generator=gen, dtype=torch.float64)
    outside = outside - q @ (q.T @ outside)
    w = 1e6 * inside + outside  # the pass cancels all but 1e-6 of the norm: digits are lost
    out = basis.orthogonalise(w)
    assert basis.passes == 2
    assert float((q.T @ out).abs().max()) < 1e-13 * float(out.norm())
    torch.testing.assert_close(out, outside, rtol=0, atol=1e-8 * float(outside.norm()))
    assert basis.orthogonalise(w, passes=1) is not None and basis.passes == 1  # the cap holds


def test_an_empty_basis_leaves_the_vector_alone():
    basis = Basis(5, torch.float64, "cpu")
    w = torch.arange(5.0, dtype=torch.float64)[:, None]
    assert torch.equal(basis.orthogonalise(w), w) and basis.passes == 0


@pytest.mark.parametrize("method", ["expand", "keep_combinations"])
def test_coefficients_from_the_cpu_meet_a_basis_on_another_device(method):
    """Ritz coefficients come from a CPU eigensolver; the basis lives on the problem's device (`expand`
    once multiplied them across devices, which ended every Lanczos run on a GPU)."""
    basis = Basis(10, torch.float32, "meta")
    basis.append(torch.empty(3, 10, device="meta"))
    coefficients = torch.randn(3, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with OneDevicePerOperation():
        if method == "expand":
            out = basis.expand(coefficients)
            assert out.device.type == "meta" and out.shape == (10, 2)
        else:
            basis.keep_combinations(coefficients)
            assert basis.size == 2 and basis.rows(0, 2).device.type == "meta"
