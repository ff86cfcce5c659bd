"""The shared state of one diagnosis: problem, settings, report, and results computed once on demand."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np
import torch

from ..estimators.dense_spectrum import dense_top
from ..estimators.exact import dense_matrix
from ..estimators.gradient_moments import GradientMoments, gradient_moments
from ..estimators.lanczos import LanczosResult, lanczos_bottom_eigenvalues, lanczos_top_eigenvalues
from ..estimators.trace import TraceResult, estimate_trace, exact_trace
from ..load import Problem, Settings
from ..operators import (
    CurvatureOperator, EmpiricalFisherOperator, GGNOperator, GradientCovarianceOperator, HessianOperator,
    loss_and_gradient,
)
from ..operators.per_sample import PerSampleGradients, SampleCouplingError
from ..report.document import Report
from ..phases import announce
from ..rng import generator

ProgressFactory = Callable[[str, int], Callable[[int, int], None]]
EXACT_DIM = 256  # noise/fisher: dense matrices up to this d (d products in vmapped blocks)


class Timer:
    """Adds the seconds spent in a `with` block to `timings[name]`."""

    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - self.start


@dataclass
class Context:
    problem: Problem
    settings: Settings
    report: Report
    progress: ProgressFactory | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def phase(self, name: str) -> None:
        announce(name)

    def timer(self, name: str) -> Timer:
        return Timer(self.report.timings, name)

    def tick(self, description: str, total: int) -> Callable[[int, int], None] | None:
        return self.progress(description, total) if self.progress else None

    def warn(self, message: str) -> None:
        if message not in self.report.warnings:
            self.report.warnings.append(message)

    def generator(self, stream: str) -> torch.Generator:
        return generator(self.settings.seed, stream)

    @cached_property
    def loss_and_gradient(self):
        with self.timer("gradient"):
            return loss_and_gradient(self.problem)

    @property
    def gradient(self) -> torch.Tensor:
        return self.loss_and_gradient.gradient

    @cached_property
    def hessian(self) -> HessianOperator:
        op = HessianOperator(self.problem, mode=self.settings.hvp)
        self.report.settings["hvp_mode_used"] = op.mode
        return op

    @cached_property
    def top(self) -> LanczosResult:
        """Top-k Hessian eigenvalues (Lanczos), shared by every section that needs them."""
        return self._lanczos(self.hessian, lanczos_top_eigenvalues, "top-k", "lanczos-top", "eigenvalues")

    @cached_property
    def bottom(self) -> LanczosResult:
        """Bottom-k Hessian eigenvalues (Lanczos)."""
        return self._lanczos(self.hessian, lanczos_bottom_eigenvalues, "bottom-k", "lanczos-bottom",
                             "eigenvalues_bottom")

    def _lanczos(self, operator: CurvatureOperator, run, what: str, stream: str, timing: str) -> LanczosResult:
        """One Lanczos run with the run's settings: timed, with progress, a warning if not converged."""
        s = self.settings
        with self.timer(timing):
            result = run(operator, s.top_k, tol=s.tol, max_matvecs=s.max_matvecs, generator=self.generator(stream),
                         progress=self.tick(f"Lanczos {what}", s.max_matvecs))
        if not result.converged:
            self.warn(f"Lanczos {what} did not reach tol {s.tol:g} within {result.matvecs} products; "
                      "the residual bars are still valid bounds")
        return result

    @cached_property
    def hessian_dense(self) -> np.ndarray | None:
        """The dense Hessian (float64, symmetrised) from d products, when d ≤ exact_max_d; else None.

        Shared by every section that can use it: the exact spectrum (trace, λ̄, density) and the
        geometry (exact ρ_diag, column-based L∞ bounds).
        """
        if self.problem.d > self.settings.exact_max_d:
            return None
        d = self.problem.d
        before = self.hessian.matvecs
        with self.timer("hessian_columns"):
            matrix = dense_matrix(self.hessian, progress=self.tick("Hessian columns", d))
        self.cache["hessian_dense_products"] = self.hessian.matvecs - before
        return matrix

    @cached_property
    def exact_spectrum(self) -> tuple[np.ndarray, int] | None:
        """All Hessian eigenvalues (ascending) and the products spent on them, when d ≤ exact_max_d."""
        if self.hessian_dense is None:
            return None
        with self.timer("eigenvalues_dense"):
            values = np.linalg.eigvalsh(self.hessian_dense)
        return values, self.cache["hessian_dense_products"]

    @cached_property
    def trace(self) -> TraceResult:
        """tr(H): exact for small d, otherwise Hutch++ (or Hutchinson) with a standard error (SPEC §3)."""
        if self.exact_spectrum is not None:
            return exact_trace(*self.exact_spectrum)
        s = self.settings
        with self.timer("trace"):
            result = estimate_trace(self.hessian, s.trace_method, generator=self.generator("trace"),
                                    rtol=s.trace_rtol, max_matvecs=s.trace_matvecs,
                                    progress=self.tick(f"trace ({s.trace_method})", s.trace_matvecs))
        if result.stopped_by == "budget":
            self.warn(f"the trace estimate stopped at its budget of {s.trace_matvecs} products with a standard "
                      f"error of {result.stderr:.3g} (target {s.trace_rtol:g}·|trace|); raise --trace-matvecs "
                      "for a tighter one")
        return result

    # --- gradient noise and the Fisher family (SPEC §5–6) ---------------------------------------

    @cached_property
    def per_sample(self) -> PerSampleGradients:
        """The per-sample gradient path (BackPACK or torch.func), chosen once per run."""
        return PerSampleGradients(self.problem, self.settings.per_sample)

    @cached_property
    def gradient_noise(self) -> GradientMoments | None:
        """One streaming pass of per-sample gradients (None, with a warning, if they are undefined)."""
        gradient = self.gradient
        try:
            with self.timer("per_sample_gradients"):
                # per-sample projections gᵀ∇R only feed the intervals of a subset (exact otherwise)
                moments = gradient_moments(self.per_sample, gradient, projections=self.selection_is_subset)
        except SampleCouplingError as exc:
            self.warn(f"noise: {exc}")
            return None
        finally:
            self.per_sample.close()
            self.report.settings.update(self.per_sample.describe())
        if self.per_sample.fallback and self.settings.per_sample == "backpack":
            self.warn(f"--per-sample backpack: {self.per_sample.fallback}; torch.func was used instead")
        return moments

    def dense_matrix(self, operator: CurvatureOperator, label: str) -> torch.Tensor:
        """The operator as a dense d×d matrix (d products in blocks), formed once per label; small d only.

        The Hessian's is `hessian_dense`, shared with the spectrum and geometry sections.
        """
        key = f"dense:{label}"
        if operator is self.hessian and self.hessian_dense is not None:
            return torch.from_numpy(self.hessian_dense)
        if key not in self.cache:
            with self.timer(f"dense_{label}"):
                self.cache[key] = operator.to_dense().to(torch.float64)
        return self.cache[key]

    def lanczos_top(self, operator: CurvatureOperator, label: str) -> LanczosResult:
        """Top-k eigenpairs of a curvature operator: exact from its dense matrix when d ≤ EXACT_DIM,
        else Lanczos with the run's settings (timed; a warning if not converged)."""
        if operator.d <= EXACT_DIM:
            return dense_top(self.dense_matrix(operator, label), self.settings.top_k,
                             unit_roundoff=torch.finfo(operator.dtype).eps)
        return self._lanczos(operator, lanczos_top_eigenvalues, f"top-k of {label}", f"lanczos-top-{label}",
                             f"lanczos_{label}")

    @cached_property
    def ggn(self) -> GGNOperator:
        return GGNOperator(self.problem)

    @cached_property
    def ggn_top(self) -> LanczosResult:
        """Top-k eigenvalues of the GGN (= Fisher, Prop. 7.1)."""
        return self.lanczos_top(self.ggn, "GGN")

    @cached_property
    def empirical_fisher(self) -> EmpiricalFisherOperator:
        return EmpiricalFisherOperator(self.problem)

    @cached_property
    def ef_top(self) -> LanczosResult:
        """Top-k eigenvalues of the empirical Fisher (Eq. 7.3)."""
        return self.lanczos_top(self.empirical_fisher, "EF")

    @cached_property
    def sigma_top(self) -> LanczosResult:
        """Top-k eigenvalues of the gradient covariance Σ = EF − ∇R∇Rᵀ (Eq. 7.22)."""
        return self.lanczos_top(GradientCovarianceOperator(self.problem, self.gradient), "Sigma")

    @property
    def exact_dim(self) -> int:
        """Up to this d, the noise and fisher sections work with dense matrices (exact, no probes)."""
        return EXACT_DIM

    @property
    def selection_is_subset(self) -> bool:
        """Whether `--samples` drew a strict subset of the data (then noise statistics are estimates)."""
        return self.problem.is_subset
