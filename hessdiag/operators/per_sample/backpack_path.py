"""Per-sample gradients with BackPACK's `BatchGrad` extension, for models made of the layers it knows.

BackPACK (Dangel, Kunstner & Hennig, 2020) hooks each supported layer and, in the ordinary backward
pass of Σ_n ℓ_n, forms each row's gradient from the layer's stored input and output gradient (for a
linear layer, the outer products of the two). Support is an explicit list (`BACKPACK_LAYERS`, matched
by exact class as BackPACK dispatches): every module that owns a trainable parameter must be one of
them. Parameter-free layers (activations, pooling, reshaping) need no extension.

The user's module is never touched: BackPACK extends a deep copy holding the problem's parameters,
and the hooks it registers are removed on `close()`. Every batch is checked: the rows' gradients
must sum to the gradient autograd accumulates in `.grad` in the same backward pass (free). On the
first batch its first rows are also compared with torch.func's gradients of each row evaluated alone
(a layer that mixes rows would pass the sum check). A layer applied twice, an in-place operation on a
hooked output, or a parameter used outside its layer fails a check or raises, and the caller falls
back to torch.func with the reason.
Only BackPACK's core is imported (never `backpack.utils.examples`, which needs torchvision).
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import fx, nn

from ...errors import HessdiagError, first_line
from ...load.problem import Batch, Problem
from .base import (
    PathFailure, PerSampleBatch, PerSamplePath, leading_rows, relative_gap, relative_sum_error, sum_tolerance,
)
from .func import FuncPerSample

BACKPACK_LAYERS: tuple[type[nn.Module], ...] = (
    nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d,
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.Embedding,
)


def backpack_unsupported_reason(problem: Problem) -> str | None:
    """Why BackPACK cannot give this problem's per-sample gradients, or None when it can (statically)."""
    module = problem.module
    trainable = set(problem.layout.names)
    if isinstance(module, fx.GraphModule) or any(isinstance(m, fx.GraphModule) for m in module.modules()):
        return "the model is an exported/TorchScript program (no nn layers for BackPACK's hooks)"
    found = set()
    for name, sub in module.named_modules():
        own = [f"{name}.{p}" if name else p for p, _ in sub.named_parameters(recurse=False)]
        own = [p for p in own if p in trainable]
        found.update(own)
        if own and type(sub) not in BACKPACK_LAYERS:
            return f"layer {type(sub).__name__} at '{name or '<root>'}' has no BackPACK BatchGrad extension"
    missing = trainable - found
    if missing:
        return f"trainable tensor '{sorted(missing)[0]}' is not a parameter of a BackPACK layer"
    return None


class BackpackPerSample(PerSamplePath):
    """BackPACK `BatchGrad` on an extended deep copy of the model."""

    path = "backpack"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        try:
            model = copy.deepcopy(problem.module)
        except Exception as exc:
            raise PathFailure(f"the model cannot be copied for BackPACK ({first_line(exc)})") from None
        named = dict(model.named_parameters())
        with torch.no_grad():
            for name, param in named.items():
                param.requires_grad_(name in problem.params)
                if name in problem.params:
                    param.copy_(problem.params[name])
        self.params = tuple(named[name] for name in problem.layout.names)
        self.model = model.eval()
        self._handles: list = []
        self._verified = False
        self._extend()

    def _extend(self) -> None:
        from backpack import extend
        from backpack.context import CTX

        before = len(CTX.hook_handles)
        extend(self.model)
        self._handles = CTX.hook_handles[before:]

    def gradients(self, batch: Batch) -> PerSampleBatch:
        from backpack import backpack
        from backpack.extensions import BatchGrad

        if not self._handles:
            self._extend()
        try:
            with torch.enable_grad(), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Full backward hook is firing")
                warnings.filterwarnings("ignore", message="Extension saving to grad_batch")
                losses = self.problem.loss.per_sample(self.model(batch.x), batch.y)
                with backpack(BatchGrad()):
                    losses.sum().backward()
        except HessdiagError:
            raise
        except Exception as exc:
            self._clear()
            raise PathFailure(f"BackPACK failed on this model ({type(exc).__name__}: {first_line(exc)[:120]})") from None
        b = batch.size
        blocks, sums = [], []
        for name, param in zip(self.problem.layout.names, self.params):
            per_row = getattr(param, "grad_batch", None)
            if per_row is None or param.grad is None:
                self._clear()
                raise PathFailure(f"BackPACK produced no per-sample gradient for '{name}'")
            blocks.append(per_row.detach().reshape(b, -1))
            sums.append(param.grad.detach())
        self._clear()
        error = relative_sum_error(tuple(blocks), tuple(sums))
        if error > sum_tolerance(self.problem.dtype):
            raise PathFailure(f"BackPACK's per-sample gradients miss the batch gradient by {error:.1e} "
                              "relative (a layer used twice, or a parameter used outside its layer)")
        if not self._verified:
            self._verify_rows(batch, tuple(blocks))
        return PerSampleBatch(losses.detach(), tuple(blocks))

    def _verify_rows(self, batch: Batch, blocks: tuple) -> None:
        rows = leading_rows(batch)
        alone = FuncPerSample(self.problem).single_rows(rows).blocks
        gap = relative_gap(tuple(b[: rows.size] for b in blocks), alone)
        if gap > sum_tolerance(self.problem.dtype):
            raise PathFailure(f"BackPACK's per-sample gradients differ from single-row gradients by {gap:.1e} "
                              "relative (a layer that mixes rows, or a parameter used outside its layer)")
        self._verified = True

    def _clear(self) -> None:
        for param in self.params:
            param.grad = None
            if hasattr(param, "grad_batch"):
                del param.grad_batch

    def close(self) -> None:
        """Remove the hooks this path registered (BackPACK keeps their handles in a global list).

        The copy stays; a later `gradients` call extends it again.
        """
        from backpack.context import CTX

        for handle in self._handles:
            handle.remove()
        mine = set(map(id, self._handles))
        CTX.hook_handles = [h for h in CTX.hook_handles if id(h) not in mine]
        self._handles = []
        for module in self.model.modules():
            if hasattr(module, "_backpack_extend"):
                delattr(module, "_backpack_extend")
