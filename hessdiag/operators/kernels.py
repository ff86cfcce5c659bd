"""Kernels that second-order passes can differentiate twice.

PyTorch's fused attention kernels (flash / memory-efficient `scaled_dot_product_attention`, on the CPU
and on GPUs) have a backward but no double backward, so a Hessian product, a GGN product (forward-mode
through the backward) or a vmapped per-sample gradient through them fails or falls back silently.
`differentiable_kernels()` selects the math implementation of attention, a composition of ordinary
differentiable operators, for the forward passes it encloses; the numbers are those of the same
formula (softmax(QKᵀ/√d + mask)V), only the kernel differs. It also turns off the inference "fast
paths" of nn.MultiheadAttention and nn.TransformerEncoderLayer (fused kernels without forward-mode
derivatives, taken whenever no input requires a gradient, as under `torch.func.jvp`). It wraps every
per-batch computation of the operators (`reduction.accumulate`) and the few forward passes made
outside it.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

# what the report records (settings.attention_kernel): the kernel every second-order pass runs attention with
ATTENTION_KERNEL = ("math: scaled_dot_product_attention runs its math kernel (no flash / memory-efficient "
                    "fused kernels, which have no double backward) and nn.MultiheadAttention no fast path, inside "
                    "every curvature product, per-sample gradient and diag(GGN) pass")


@contextlib.contextmanager
def differentiable_kernels() -> Iterator[None]:
    """Attention by its math kernel (twice differentiable), no fused fast paths, inside the block."""
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with sdpa_kernel(SDPBackend.MATH):
            yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
