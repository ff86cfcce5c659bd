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


def _kept_share_column(q: torch.Tensor, share: float, gen: torch.Generator) -> torch.Tensor:
    """A unit column whose part orthogonal to span(q) has norm `share`: a Gram–Schmidt pass keeps that share."""
    inside = q @ torch.randn(q.shape[1], 1, generator=gen, dtype=torch.float64)
    outside = torch.randn(q.shape[0], 1, generator=gen, dtype=torch.float64)
    outside = outside - q @ (q.T @ outside)
    return share * outside / outside.norm() + (1 - share**2) ** 0.5 * inside / inside.norm()


@pytest.mark.parametrize("share, passes", [(0.5, 2), (0.69, 2), (0.72, 1), (0.9, 1)])
def test_the_second_pass_is_taken_exactly_below_one_over_root_two(share, passes):
    """DGKS threshold 1/√2 ≈ 0.7071 (module docstring): shares either side of it, 0.015 away — far above
    the 1e-16 rounding of the kept norm."""
    basis, q = orthonormal_basis(60, 8, 0)
    w = _kept_share_column(q, share, torch.Generator().manual_seed(1))
    out = basis.orthogonalise(w)
    assert basis.passes == passes
    assert float((q.T @ out).abs().max()) < 1e-13


def test_one_column_needing_the_second_pass_gets_it_beside_one_that_does_not():
    """Columns are judged one by one: a block passes on only when every column kept ≥ 1/√2 of its norm."""
    basis, q = orthonormal_basis(60, 8, 2)
    gen = torch.Generator().manual_seed(3)
    easy = _kept_share_column(q, 0.99, gen)
    hard = 1e6 * _kept_share_column(q, 1e-6, gen)  # the first pass cancels all but ~1e-6 of it
    out = basis.orthogonalise(torch.cat([easy, hard], dim=1))
    assert basis.passes == 2
    # after two passes each column is orthogonal to working precision relative to its own norm
    assert float((q.T @ out).abs().max(0).values.div(out.norm(dim=0)).max()) < 1e-13


def test_a_basis_takes_exactly_its_capacity():
    basis = Basis(6, torch.float64, "cpu", capacity=3)
    basis.append(torch.eye(6, dtype=torch.float64)[:3])
    assert basis.size == 3 and basis.free() == 0
    with pytest.raises(ValueError, match="at most 3 rows"):
        basis.append(torch.eye(6, dtype=torch.float64)[3:4])
    with pytest.raises(ValueError, match="combinations of shape"):  # more combinations than rows
        basis.keep_combinations(torch.ones(3, 4, dtype=torch.float64))


def test_a_float32_basis_gives_float64_coefficients_and_vectors():
    """Rows in float32, callers' coefficients in float64 (module docstring): Q w and Qᵀ c against dense
    float64 products with the float32-rounded rows, to float32 accuracy (1e-6 relative)."""
    _, q = orthonormal_basis(40, 11, 4)
    basis = Basis(40, torch.float32, "cpu")
    basis.append(q.T)
    q32 = q.to(torch.float32).to(torch.float64)
    w = torch.randn(40, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    coefficients = basis.project(w)
    assert coefficients.dtype == torch.float64 and coefficients.shape == (11, 3)
    torch.testing.assert_close(coefficients, q32.T @ w, rtol=0, atol=1e-6 * float(w.norm()))
    expanded = basis.expand(coefficients)
    assert expanded.dtype == torch.float64
    torch.testing.assert_close(expanded, q32 @ coefficients, rtol=0, atol=1e-6 * float(coefficients.norm()))
    middle = basis.expand(coefficients[5:10], rows=slice(5, 10))  # rows 5..9 only, across the chunk boundary
    torch.testing.assert_close(middle, q32[:, 5:10] @ coefficients[5:10], rtol=0,
                               atol=1e-6 * float(coefficients.norm()))


@pytest.mark.parametrize("keep", [1, 8, 9, 12])
def test_keep_combinations_is_s_transpose_q_slice_by_slice(keep, monkeypatch):
    """12 rows over two chunks, recombined 7 coordinates at a time (SLICE patched down from 2^20): the
    rows become sᵀQ (dense float64 product, 1e-12: a dozen-term sums of order-one numbers)."""
    import hessdiag.linalg.basis as module

    monkeypatch.setattr(module, "SLICE", 7)
    basis, q = orthonormal_basis(40, 12, 6)
    s = torch.randn(12, keep, generator=torch.Generator().manual_seed(keep), dtype=torch.float64)
    basis.keep_combinations(s)
    assert basis.size == keep and len(basis._chunks) == -(-keep // module.CHUNK)
    torch.testing.assert_close(basis.rows(), s.T @ q.T, rtol=0, atol=1e-12)
    expanded = basis.expand(torch.eye(keep - 1, dtype=torch.float64), rows=slice(1, None))  # rows 1.. only
    torch.testing.assert_close(expanded, (s.T @ q.T)[1:].T, rtol=0, atol=1e-12)
