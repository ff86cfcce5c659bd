"""`differentiable_kernels`: attention twice differentiable inside, torch's switches restored outside."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from hessdiag.operators.kernels import differentiable_kernels


def _double_backward():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 1, 3, 4, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3))
    out = F.scaled_dot_product_attention(q, k, v).pow(2).sum()
    (grad_q,) = torch.autograd.grad(out, q, create_graph=True)
    return torch.autograd.grad(grad_q.sum(), k)[0]


def test_attention_has_a_double_backward_only_inside():
    with pytest.raises(RuntimeError, match="not implemented"):
        _double_backward()  # the fused CPU kernel: backward, no double backward
    with differentiable_kernels():
        second = _double_backward()
    assert torch.isfinite(second).all() and second.abs().sum() > 0


def test_switches_are_restored():
    before = torch.backends.mha.get_fastpath_enabled()
    with differentiable_kernels():
        assert not torch.backends.mha.get_fastpath_enabled()
    assert torch.backends.mha.get_fastpath_enabled() == before
