"""The Hessian's shared work: its operator, extreme eigenpairs, dense matrix, spectrum and trace.

Every section that needs one of these gets it from here, computed once on first use: the spectrum
section (eigenvalues, trace, density), the geometry section (Ritz vectors, L2's bar, the dense matrix
for ρ_diag and the column bounds), the noise section (top-k for the Σ–H overlap, tr H for k̂) and the
fisher section (H's top-k and trace). `lanczos` is the one place a Lanczos run gets the run's
settings, a progress bar, a timer and a warning when it does not converge; the curvature family uses
it for the other matrices.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import torch

from ..estimators.spectrum.spectral_norm import SpectralNorm, spectral_norm
from ..linalg import LanczosResult, TraceResult, dense_matrix, estimate_trace, exact_trace, extreme_eigenpairs
from ..load import Problem, Settings
from ..operators import CurvatureOperator, HessianOperator
from ..rng import generator
from .log import RunLog
from .plan import Plan


def lanczos(operator: CurvatureOperator, which: str, what: str, stream: str, timing: str, *, settings: Settings,
            plan: Plan, log: RunLog, start: torch.Tensor | None = None) -> LanczosResult:
    """One Lanczos run ('largest' or 'smallest') with the run's settings and the plan's block size: timed,
    with progress, a warning if it does not converge (the bars stay valid bounds) and one if a reported
    value shows as many copies as the run could see (it may have more). `start`: earlier Ritz vectors to
    warm-start from (`hessdiag track`), else a random start."""
    block = plan.lanczos_block_size(settings.top_k, operator.device.type, getattr(operator, "graph_bytes", None))
    with log.timer(timing):
        result = extreme_eigenpairs(operator, settings.top_k, which, tol=settings.tol,
                                    max_matvecs=max(settings.max_matvecs, block), block=block,
                                    capacity=plan.lanczos_capacity, generator=generator(settings.seed, stream),
                                    progress=log.tick(f"Lanczos {what}", settings.max_matvecs), start=start)
    if result.restarts:
        log.record("lanczos_restarts", {**log.recorded.get("lanczos_restarts", {}), what: result.restarts})
    if not result.converged:
        log.warn(f"Lanczos {what} did not reach tol {settings.tol:g} within {result.matvecs} products; "
                 "the residual bars are still valid bounds")
    if result.copies_hidden and result.block_size > 1:
        shown = sorted({f"{v.value:.6g}" for v, c in zip(result.values, result.copies) if c >= result.copy_limit})
        log.warn(f"Lanczos {what}: {', '.join(shown)} showed {result.copy_limit} copies, the most this run could "
                 f"see (blocks of {result.block_size} vectors); such an eigenvalue may have further copies")
    return result


class HessianWork:
    """The Hessian H = ∇²R(θ) of a problem and what several sections compute from it.

    `warm_start` ({"largest"/"smallest": Ritz vectors (k, d)}, optional) starts the extreme-eigenvalue
    Lanczos runs from an earlier checkpoint's Ritz vectors (`hessdiag track`, `Tracker`)."""

    def __init__(self, problem: Problem, settings: Settings, plan: Plan, log: RunLog,
                 warm_start: dict[str, torch.Tensor] | None = None) -> None:
        self.problem, self.settings, self.plan, self.log = problem, settings, plan, log
        self.warm_start = dict(warm_start or {})

    def _start(self, which: str) -> torch.Tensor | None:
        start = self.warm_start.get(which)
        if start is None or start.shape[-1] != self.problem.d:
            return None
        self.log.record("lanczos_warm_start", True)
        return start

    @cached_property
    def operator(self) -> HessianOperator:
        memory = None if self.settings.memory is None else int(self.settings.memory * 10**9)
        op = HessianOperator(self.problem, mode=self.settings.hvp, memory_bytes=memory)
        self.log.record("hvp_mode_used", op.mode)
        return op

    @cached_property
    def top(self) -> LanczosResult:
        """Top-k eigenpairs (Lanczos)."""
        return lanczos(self.operator, "largest", "top-k", "lanczos-top", "eigenvalues", settings=self.settings,
                       plan=self.plan, log=self.log, start=self._start("largest"))

    @cached_property
    def bottom(self) -> LanczosResult:
        """Bottom-k eigenpairs (Lanczos)."""
        return lanczos(self.operator, "smallest", "bottom-k", "lanczos-bottom", "eigenvalues_bottom",
                       settings=self.settings, plan=self.plan, log=self.log, start=self._start("smallest"))

    @cached_property
    def spectral_norm(self) -> SpectralNorm:
        """L2 = max(|λ_max|, |λ_min|) from the two Lanczos ends (SPEC §4)."""
        return spectral_norm(self.top, self.bottom)

    @cached_property
    def dense(self) -> np.ndarray | None:
        """The dense Hessian (float64, symmetrised) from d products when d ≤ plan.dense_hessian_max_d, else None."""
        d = self.problem.d
        if d > self.plan.dense_hessian_max_d:
            return None
        before = self.operator.matvecs
        with self.log.timer("hessian_columns"):
            matrix = dense_matrix(self.operator, progress=self.log.tick("Hessian columns", d)).cpu().numpy()
        self.dense_products = self.operator.matvecs - before
        return matrix

    @cached_property
    def exact_spectrum(self) -> tuple[np.ndarray, int] | None:
        """All eigenvalues (ascending) and the products spent on them, when the dense matrix exists."""
        if self.dense is None:
            return None
        with self.log.timer("eigenvalues_dense"):
            values = np.linalg.eigvalsh(self.dense)
        return values, self.dense_products

    @cached_property
    def trace(self) -> TraceResult:
        """tr(H): exact from the dense spectrum, otherwise Hutch++ (or Hutchinson) with a standard error."""
        if self.exact_spectrum is not None:
            return exact_trace(*self.exact_spectrum)
        s = self.settings
        with self.log.timer("trace"):
            sized = {"block": self.plan.trace_block} if self.plan.trace_block is not None else {}
            if self.plan.trace_sketch is not None and s.trace_method == "hutch++":
                sized["sketch"] = self.plan.trace_sketch
            result = estimate_trace(self.operator, s.trace_method, generator=generator(s.seed, "trace"),
                                    rtol=s.trace_rtol, max_matvecs=s.trace_matvecs, **sized,
                                    progress=self.log.tick(f"trace ({s.trace_method})", s.trace_matvecs))
        if result.stopped_by == "budget":
            self.log.warn(f"the trace estimate stopped at its budget of {s.trace_matvecs} products with a standard "
                          f"error of {result.stderr:.3g} (target {s.trace_rtol:g}·|trace|); raise --trace-matvecs "
                          "for a tighter one")
        return result

    def made_steps(self) -> set[tuple[str, str]]:
        """The cost plan's steps (`steps.expected_steps`: section, what) this shared work has made."""
        made = {"top": "Lanczos top-k", "bottom": "Lanczos bottom-k", "trace": "trace", "dense": "dense Hessian"}
        return {("spectrum", what) for name, what in made.items() if name in self.__dict__}

    def dense_tensor(self) -> Any:
        """The dense Hessian as a float64 tensor (None when d is above the limit)."""
        return None if self.dense is None else torch.from_numpy(self.dense)
