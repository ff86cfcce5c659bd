"""Per-sample gradients g_n = ∇ℓ_n(θ): two paths, one interface (SPEC §5).

`PerSampleGradients(problem, preference)` picks the path and records which one ran and why (`path`,
`reason`, `describe()`): `func` as asked; `backpack` and `auto` BackPACK when every trainable layer
is one it knows (for linear layers its sums are matrix products of the gradient's size and never
form per-sample gradients), torch.func otherwise — a fallback with its reason, never a failure.
`accumulate(fn)` sums `fn(index, batch, path)` over the batches through
`operators.reduction.accumulate`, where `path.batch_sums(batch, v)` gives that batch's `BatchSums`
and `path.gradients(batch)` its per-sample gradients; if BackPACK fails a check or raises, the whole
sum is redone with torch.func and the reason kept. Nothing of size N×d is ever formed.

The model is in eval mode (dropout off, BatchNorm on running statistics), so each row's loss depends
on that row only and per-sample gradients are well defined.
"""

from __future__ import annotations

from typing import Callable

from torch import Tensor

from ... import distributed
from ...load.problem import Batch, Problem
from ..reduction import accumulate, local_sum, reduce_sum
from .backpack_path import BACKPACK_LAYERS, BackpackPerSample, backpack_unsupported_reason
from .base import BatchSums, PathFailure, PerSampleBatch, PerSamplePath, SampleCouplingError
from .func import FuncPerSample

PREFERENCES = ("auto", "backpack", "func")

__all__ = [
    "BACKPACK_LAYERS", "PREFERENCES", "BackpackPerSample", "BatchSums", "FuncPerSample", "PerSampleBatch",
    "PerSampleGradients", "PerSamplePath", "SampleCouplingError", "backpack_unsupported_reason", "why_not_backpack",
]

PerBatch = Callable[[int, Batch, PerSamplePath], Tensor]


def why_not_backpack(problem: Problem, preference: str) -> str | None:
    """Why torch.func runs rather than BackPACK ("requested" for `func`), before either is tried; None:
    BackPACK is tried (it may still fail on its first batch, and then torch.func runs)."""
    return "requested" if preference == "func" else backpack_unsupported_reason(problem)


class PerSampleGradients:
    """The per-sample gradient path chosen for a problem, with the reason for the choice."""

    def __init__(self, problem: Problem, preference: str = "auto", rows_per_call: int | None = None) -> None:
        if preference not in PREFERENCES:
            raise ValueError(f"unknown per-sample path '{preference}'")
        self.problem, self.preference, self.rows_per_call = problem, preference, rows_per_call
        self.fallback: str | None = None  # why the preferred path was not used, if it was not
        why_not = why_not_backpack(problem, preference)
        if why_not is None:
            try:
                self.engine = BackpackPerSample(problem)
                self.reason = ("auto: every trainable layer has BackPACK extensions (SumGradSquared, "
                               "BatchL2Grad, BatchGrad)" if preference == "auto" else "requested")
                return
            except PathFailure as exc:
                why_not = str(exc)
        if preference == "func":
            self.engine, self.reason = FuncPerSample(problem), "requested"
        else:
            self._use_func(why_not)

    @property
    def engine(self) -> PerSamplePath:
        return self._engine

    @engine.setter
    def engine(self, path: PerSamplePath) -> None:
        path.rows_per_call = self.rows_per_call  # the memory plan's rows at a time, on whichever path runs
        self._engine = path

    def _use_func(self, why: str) -> None:
        self.engine = FuncPerSample(self.problem)
        self.fallback = why
        self.reason = f"{self.preference}: BackPACK not used ({why}); torch.func used instead"

    @property
    def path(self) -> str:
        return self.engine.path

    def describe(self) -> dict[str, str | None]:
        """What the report's settings record: the path used, its mode, and why."""
        described = {"per_sample_used": self.engine.path, "per_sample_mode": self.engine.mode,
                     "per_sample_reason": self.reason}
        note = getattr(self.engine, "note", None)
        if note:
            described["per_sample_note"] = note
        return described

    def gradients(self, batch: Batch) -> PerSampleBatch:
        """One batch's per-sample losses and gradients (falls back to torch.func once if needed)."""
        try:
            return self.engine.gradients(batch)
        except PathFailure as exc:
            self.engine.close()
            self._use_func(str(exc))
            return self.engine.gradients(batch)

    def accumulate(self, per_batch: PerBatch) -> Tensor:
        """Σ over batches of `per_batch(index, batch, path)`; restarts with torch.func on a failure.

        The fallback is decided collectively: if BackPACK fails on any rank's shard, every rank redoes
        its sum with torch.func (with the lowest failing rank's reason), so that all ranks meet in the
        same all-reduce."""
        part, failure = None, None
        try:
            part = local_sum(self.problem, lambda i, b: per_batch(i, b, self.engine))
        except PathFailure as exc:
            failure = str(exc)
        failure = distributed.first_message(failure) if distributed.active() else failure
        if failure is None:
            return reduce_sum(part)
        self.engine.close()
        self._use_func(failure)
        return accumulate(self.problem, lambda i, b: per_batch(i, b, self.engine))

    def close(self) -> None:
        self.engine.close()
