"""One function of every row of a batch: vmapped, or one row at a time where vmap cannot batch it.

`map_rows(fn, params, x, *rest)` gives fn(params, x_n, rest_n) for every row n, stacked (a tensor, or a
mapping of tensors such as a `torch.func.grad`), evaluated by `vmap` inside `differentiable_kernels()`.
Some models branch in Python on their data — transformers' SDPA attention asks `padding_mask.all()` to
skip an all-ones mask — which vmap cannot batch ("data-dependent control flow"); then every row is
evaluated alone by the same function, the same numbers at b times the calls (b = the rows given).
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch.func import vmap

from ..load.batch import Inputs, count_rows, select_rows
from .kernels import differentiable_kernels


def map_rows(fn: Callable[..., Any], params: Any, x: Inputs, *rest: torch.Tensor) -> Any:
    """fn over the rows of x (and of each tensor in `rest`), with `params` shared."""
    try:
        with differentiable_kernels():
            return vmap(fn, in_dims=(None, 0, *[0] * len(rest)))(params, x, *rest)
    except RuntimeError as exc:
        if "vmap" not in str(exc):
            raise
    with differentiable_kernels():
        outs = [fn(params, select_rows(x, n), *(r[n] for r in rest)) for n in range(count_rows(x))]
    if isinstance(outs[0], dict):
        return {key: torch.stack([out[key] for out in outs]) for key in outs[0]}
    return torch.stack(outs)
