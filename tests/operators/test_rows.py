"""`map_rows`: per-row gradients by vmap, or one row at a time for a model that branches on its data
(as transformers' SDPA mask does with `padding_mask.all()`), against autograd row by row in float64.
Tolerance 1e-12 relative: the same float64 gradient by two routes (vmapped or not), rounding apart."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.func import functional_call, grad

from hessdiag.operators.rows import map_rows


class Branching(nn.Module):
    """tanh(Wx) summed — but only after asking the data a question in Python, which vmap cannot batch."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3).double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool((x != 0).all()):  # data-dependent control flow
            x = x * 1.0
        return torch.tanh(self.linear(x))


@pytest.mark.parametrize("module", [nn.Sequential(nn.Linear(4, 3), nn.Tanh()).double(), Branching()],
                         ids=["vmappable", "branching"])
def test_per_row_gradients_match_autograd_row_by_row(module):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 4, generator=gen, dtype=torch.float64)
    m = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    params = {k: v.detach() for k, v in module.named_parameters()}

    def scalar(p, row, weights):
        return (functional_call(module, p, (row.unsqueeze(0),)).reshape(-1) * weights).sum()

    got = map_rows(grad(scalar), params, x, m)
    for n in range(5):
        module.zero_grad()
        (module(x[n : n + 1]).reshape(-1) * m[n]).sum().backward()
        for name, p in module.named_parameters():
            assert torch.allclose(got[name][n], p.grad, rtol=1e-12, atol=1e-14), name


def test_errors_other_than_vmaps_are_raised():
    calls = []

    def broken(p, row):
        calls.append(row.shape)
        raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        map_rows(broken, {}, torch.zeros(2, 3))
    assert len(calls) == 1  # raised from the vmapped call: not retried row by row
