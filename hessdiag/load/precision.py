"""TF32 on CUDA: matrix products and convolutions with a 10-bit mantissa, only when the run allows it.

PyTorch's own defaults differ by kind: `torch.backends.cuda.matmul.allow_tf32` is off, while
`torch.backends.cudnn.allow_tf32` is on, so a convolution's curvature products would carry about three
significant digits (measured on an H200: Hessian products of the benchmark CNN differed by 5e-4 between
paths) while the report certifies float32 rounding. Both switches are process-wide: `tf32_for_run` sets
them for one diagnosis and puts the caller's values back afterwards, so a training loop around
`hessdiag.Tracker` or `hessdiag.diagnose` keeps its own choice. `set_tf32` sets them for good (the
benchmark scripts, whose process is theirs).
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch

TF32_NOTE = "--allow-tf32: matrix products on the GPU used TF32 (about 3 significant digits per product)"


def set_tf32(device: torch.device, allow: bool) -> list[str]:
    """On CUDA, both TF32 switches to `allow` (for the rest of the process); the report's notes."""
    if device.type != "cuda":
        return []
    torch.backends.cuda.matmul.allow_tf32 = allow
    torch.backends.cudnn.allow_tf32 = allow
    return [TF32_NOTE] if allow else []


@contextlib.contextmanager
def tf32_for_run(device: torch.device, allow: bool) -> Iterator[list[str]]:
    """Both TF32 switches at `allow` inside the block (on CUDA; nothing changes elsewhere), the caller's
    values after it, also when it raises. Yields the report's notes."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    notes = set_tf32(device, allow)
    try:
        yield notes
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
