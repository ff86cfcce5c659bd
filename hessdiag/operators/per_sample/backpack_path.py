"""Per-sample gradient statistics with BackPACK, for models made of the layers it knows.

BackPACK (Dangel, Kunstner & Hennig, 2020) hooks each supported layer and, in the ordinary backward
pass of Σ_n m_n ℓ_n, computes per-sample quantities from the layer's stored input and output
gradient. Two uses here:
- `batch_sums`: `SumGradSquared` (Σ_n g_n², per coordinate); Σ_n g_n is the ordinary `.grad`. For a
  linear layer g_n = δ_n a_nᵀ, so Σ_n g_n² = (δ²)ᵀ(a²): a matrix product of the gradient's own size,
  no per-sample gradients formed. Convolutions use chunked unfolded products (`backpack_conv`). The
  per-row statistics (needed only for intervals on a subset) add
  `BatchL2Grad` (‖g_n‖² = ‖δ_n‖²‖a_n‖²) and one forward-mode `jvp` of the per-sample losses along v
  for the projections g_nᵀv.
- `gradients`: `BatchGrad`, the per-sample gradients themselves (b·d numbers).
Support is an explicit list (`BACKPACK_LAYERS`, matched by exact class as BackPACK dispatches): every
module that owns a trainable parameter must be one of them; parameter-free layers need no extension.

The user's module is never touched: BackPACK extends a deep copy holding the problem's parameters,
and its hooks are removed on `close()`. Checks: `gradients` verifies on every batch that the rows sum
to autograd's `.grad` (free); on first use each mode also compares the first VERIFY_ROWS rows of the
first batch with torch.func's gradients of each row evaluated alone (a layer that mixes rows, a layer
used twice, a parameter used outside its layer). A failed check or an exception raises `PathFailure`,
and the caller falls back to torch.func with the reason. Only BackPACK's core is imported (never
`backpack.utils.examples`, which needs torchvision).
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import Tensor, fx, nn
from torch.func import jvp

from ...errors import HessdiagError, first_line
from ...load.batch import call_module
from ...load.factory import call_user
from ...load.problem import Batch, Problem
from .base import (
    BatchSums,
    PathFailure,
    PerSampleBatch,
    PerSamplePath,
    leading_rows,
    relative_gap,
    relative_sum_error,
    row_mask,
    sum_tolerance,
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
            return f"layer {type(sub).__name__} at '{name or '<root>'}' has no BackPACK extension"
        if own and isinstance(sub, nn.modules.conv._ConvNd) and (
                isinstance(sub.padding, str) or sub.padding_mode != "zeros"):
            how = f"padding='{sub.padding}'" if isinstance(sub.padding, str) else f"padding_mode='{sub.padding_mode}'"
            return (f"{type(sub).__name__} at '{name}' uses {how}, which BackPACK 1.7's per-sample extensions "
                    "do not handle (they assume numeric zero padding)")
    missing = trainable - found
    if missing:
        return f"trainable tensor '{sorted(missing)[0]}' is not a parameter of a BackPACK layer"
    return None


class BackpackPerSample(PerSamplePath):
    """BackPACK's first-order extensions on an extended deep copy of the model."""

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
        self._verified: set[str] = set()
        self._extend()

    def _extend(self) -> None:
        from backpack import extend
        from backpack.context import CTX

        before = len(CTX.hook_handles)
        extend(self.model)
        self._handles = CTX.hook_handles[before:]

    def _backward(self, batch: Batch, *extensions) -> Tensor:
        """Forward and backward of Σ_n m_n ℓ_n with the extensions on; returns ℓ (b,)."""
        from backpack import backpack

        if not self._handles:
            self._extend()
        try:
            with torch.enable_grad(), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Full backward hook is firing")
                warnings.filterwarnings("ignore", message="Extension saving to")
                out = self.problem.output.pick(call_user(f"the forward of the model '{self.problem.model_description}'",
                                                         call_module, self.model, None, batch.x))
                losses = self.problem.loss.per_sample(out, batch.y)
                with backpack(*extensions):
                    (row_mask(batch) * losses).sum().backward()
        except HessdiagError:
            raise
        except Exception as exc:
            self._clear()
            why = f"{type(exc).__name__}: {first_line(exc)[:120]}"
            raise PathFailure(f"BackPACK failed on this model ({why})") from None
        return losses.detach()

    def _saved(self, field: str) -> tuple[Tensor, ...]:
        out = []
        for name, param in zip(self.problem.layout.names, self.params):
            value = param.grad if field == "grad" else getattr(param, field, None)
            if value is None:
                self._clear()
                raise PathFailure(f"BackPACK produced no '{field}' for '{name}'")
            out.append(value.detach())
        return tuple(out)

    def gradients(self, batch: Batch) -> PerSampleBatch:
        from backpack.extensions import BatchGrad

        losses = self._backward(batch, BatchGrad())
        b = batch.size
        blocks = tuple(g.reshape(b, -1) for g in self._saved("grad_batch"))
        sums = self._saved("grad")
        self._clear()
        masked = tuple(row_mask(batch) @ g for g in blocks)
        error = relative_sum_error(tuple(m[None] for m in masked), sums)
        if error > sum_tolerance(self.problem.dtype):
            raise PathFailure(f"BackPACK's per-sample gradients miss the batch gradient by {error:.1e} "
                              "relative (a layer used twice, or a parameter used outside its layer)")
        result = PerSampleBatch(losses, blocks)
        if "gradients" not in self._verified:
            rows = leading_rows(batch)
            self._compare_with_single_rows(rows, tuple(g[: rows.size] for g in blocks))
            self._verified.add("gradients")
        return result

    def batch_sums(self, batch: Batch, direction: tuple[Tensor, ...] | None = None) -> BatchSums:
        from backpack.extensions import BatchL2Grad

        from .backpack_conv import sum_grad_squared

        if "sums" not in self._verified:
            self._verify_sums(leading_rows(batch))
        rows = direction is not None
        losses = self._backward(batch, sum_grad_squared(), *((BatchL2Grad(),) if rows else ()))
        total = tuple(g.reshape(-1) for g in self._saved("grad"))
        squares = tuple(g.reshape(-1) for g in self._saved("sum_grad_squared"))
        norms = sum(self._saved("batch_l2")) if rows else None
        self._clear()
        projections = self._projections(batch, direction) if rows else None
        return BatchSums(losses, total, squares, norms, projections)

    def _projections(self, batch: Batch, direction: tuple[Tensor, ...]) -> Tensor:
        """g_nᵀv for every row: the directional derivative of the per-sample losses (one `jvp`)."""
        problem = self.problem
        layout = problem.layout
        tangent = {name: v.reshape(b.shape) for name, v, b in zip(layout.names, direction, layout.blocks)}
        _, out = jvp(lambda p: problem.per_sample_losses(p, batch), (problem.params,), (tangent,))
        return out.detach() * row_mask(batch)

    def _verify_sums(self, rows: Batch) -> None:
        from backpack.extensions import BatchL2Grad

        from .backpack_conv import sum_grad_squared

        self._backward(rows, sum_grad_squared(), BatchL2Grad())
        squares, norms = self._saved("sum_grad_squared"), sum(self._saved("batch_l2"))
        self._clear()
        alone = FuncPerSample(self.problem).single_rows(rows).blocks
        m = row_mask(rows)
        want_sq = tuple(m @ (g * g) for g in alone)
        want_norms = sum(g.pow(2).sum(1) for g in alone) * m
        gap = max(relative_gap(tuple(s.reshape(1, -1) for s in squares), tuple(w[None] for w in want_sq)),
                  relative_gap((norms[None],), (want_norms[None],)))
        self._check_gap(gap)
        self._verified.add("sums")

    def _compare_with_single_rows(self, rows: Batch, blocks: tuple[Tensor, ...]) -> None:
        self._check_gap(relative_gap(blocks, FuncPerSample(self.problem).single_rows(rows).blocks))

    def _check_gap(self, gap: float) -> None:
        if gap > sum_tolerance(self.problem.dtype):
            raise PathFailure(f"BackPACK's per-sample quantities differ from single-row gradients by {gap:.1e} "
                              "relative (a layer that mixes rows, or a parameter used outside its layer)")

    def _clear(self) -> None:
        for param in self.params:
            param.grad = None
            for field in ("grad_batch", "sum_grad_squared", "batch_l2"):
                if hasattr(param, field):
                    delattr(param, field)

    def close(self) -> None:
        """Remove the hooks this path registered (BackPACK keeps their handles in a global list).

        The copy stays; a later call extends it again.
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
