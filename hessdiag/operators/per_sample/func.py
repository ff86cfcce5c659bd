"""Per-sample gradients with torch.func, for any model hessdiag can evaluate.

Default: `vmap(grad_and_value(ℓ))` over the rows — the model is evaluated on one row at a time,
vectorised, so the cost is that of one batched backward pass and memory is b·d.
A program that accepts only a fixed batch shape (a static `torch.export`) cannot be evaluated on one
row; for it the per-sample gradients are the rows of the Jacobian of the vector of per-sample losses
(ℓ_1, …, ℓ_b) (`jacrev`: b vectorised reverse passes through the batch; b times the cost).

On the first rows of the first batch the path checks that the single-row gradients sum to the
gradient of the same rows' summed loss evaluated together: a model whose row losses depend on other
rows has no per-sample gradients, and a `SampleCouplingError` says so.
"""

from __future__ import annotations

from torch import Tensor
from torch.func import grad, grad_and_value, jacrev, vmap

from ...errors import first_line
from ...load.batch import Inputs, map_inputs
from ...load.problem import Batch, Problem
from ..kernels import differentiable_kernels
from .base import (
    PerSampleBatch,
    PerSamplePath,
    SampleCouplingError,
    leading_rows,
    relative_sum_error,
    sum_tolerance,
)


class FuncPerSample(PerSamplePath):
    """torch.func per-sample gradients; `mode` is 'vmap' or 'jacobian' once the first batch is seen."""

    path = "func"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self._mode: str | None = None
        self.note: str | None = None

    @property
    def mode(self) -> str:
        return f"func-{self._mode}" if self._mode else "func"

    def gradients(self, batch: Batch) -> PerSampleBatch:
        with differentiable_kernels():  # fused attention has no batching rule under vmap
            if self._mode is None:
                return self._first(batch)
            return self._vmap(batch) if self._mode == "vmap" else self._jacobian(batch)

    def rows_alone(self, batch: Batch) -> bool:
        """Whether the model runs one row at a time under vmap, tried on the batch's leading rows (the cost
        plan's question: if not, a per-sample pass is the Jacobian's, one backward pass per row). A model
        that cannot is marked so here, once; one that can is still checked on its first whole batch."""
        if self._mode is not None:
            return self._mode == "vmap"
        try:
            with differentiable_kernels():
                self._vmap(leading_rows(batch))
        except Exception as exc:
            self._fall_back(exc)
            return False
        return True

    def _fall_back(self, exc: Exception) -> None:
        """The model cannot run on one row: per-sample gradients become rows of the Jacobian."""
        self._mode = "jacobian"
        self.note = (f"the model cannot be evaluated one row at a time ({type(exc).__name__}: "
                     f"{first_line(exc)[:120]}); per-sample gradients are rows of the Jacobian "
                     "of the per-sample losses (cost grows with the batch size)")

    def _first(self, batch: Batch) -> PerSampleBatch:
        try:
            result = self._vmap(batch)
        except Exception as exc:  # the model cannot run on one row: fall back to the Jacobian
            self._fall_back(exc)
            return self._jacobian(batch)
        rows = leading_rows(batch)
        together = grad(lambda p: self.problem.per_sample_losses(p, rows).sum())(self.problem.params)
        error = relative_sum_error(tuple(b[: rows.size] for b in result.blocks), tuple(together.values()))
        if error > sum_tolerance(self.problem.dtype):
            raise SampleCouplingError(
                "per-sample gradients are undefined for this model: the loss of one row depends on "
                f"other rows of the batch (single-row gradients miss the joint gradient by {error:.1e} "
                "relative); use a model without batch-coupling layers in eval mode")
        self._mode = "vmap"
        return result

    def single_rows(self, batch: Batch) -> PerSampleBatch:
        """Each row's gradient with the row evaluated alone (no check; the reference for other paths)."""
        with differentiable_kernels():
            return self._vmap(batch)

    def _vmap(self, batch: Batch) -> PerSampleBatch:
        problem = self.problem

        def row_loss(params: dict[str, Tensor], x: Inputs, y: Tensor) -> Tensor:
            one = map_inputs(lambda t: t.unsqueeze(0), x)  # one row, as a batch of one
            return problem.loss.per_sample(problem.forward(params, one), y.unsqueeze(0))[0]

        grads, losses = vmap(grad_and_value(row_loss), in_dims=(None, 0, 0))(problem.params, batch.x, batch.y)
        b = batch.size
        return PerSampleBatch(losses.detach(), tuple(grads[name].reshape(b, -1) for name in problem.layout.names))

    def _jacobian(self, batch: Batch) -> PerSampleBatch:
        problem = self.problem

        def losses(params: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
            values = problem.per_sample_losses(params, batch)
            return values, values.detach()

        jac, values = jacrev(losses, has_aux=True)(problem.params)
        b = batch.size
        return PerSampleBatch(values, tuple(jac[name].reshape(b, -1) for name in problem.layout.names))
