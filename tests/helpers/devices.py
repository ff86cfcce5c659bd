"""A dispatch mode that refuses an operation on tensors of two devices, so that the meta device can stand
in for a GPU on a CPU-only machine (PyTorch itself lets meta and CPU tensors mix; CUDA and CPU it does not).
A 0-dim CPU tensor is a scalar, which PyTorch accepts beside any device."""

from __future__ import annotations

import torch
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode


class OneDevicePerOperation(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        devices = {t.device for t in pytree.tree_leaves((args, kwargs or {}))
                   if isinstance(t, torch.Tensor) and not (t.device.type == "cpu" and t.ndim == 0)}
        if len(devices) > 1:
            raise RuntimeError(f"{func} got tensors on {sorted(map(str, devices))}")
        return func(*args, **(kwargs or {}))
