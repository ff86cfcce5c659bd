"""The family of curvature matrices beside the Hessian, and the per-sample gradients they share.

`CurvatureFamily` builds each matrix of the registry (`operators.CURVATURE_MATRICES`) once, forms it
densely when d ≤ plan.dense_curvature_max_d (d products in vmapped blocks: exact eigenpairs, traces,
distances and solves) or runs Lanczos on it otherwise, and owns the one streaming pass of per-sample
gradients (`gradient_noise`) that the noise and fisher sections both read. The Hessian entry is the
shared `HessianWork`'s operator and dense matrix, never a second copy.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import torch
from torch import Tensor

from ..estimators.noise.moments import GradientMoments, gradient_moments
from ..linalg import LanczosResult, dense_matrix, dense_top
from ..load import Problem, Settings
from ..operators import CURVATURE_MATRICES, CurvatureOperator, MatrixInputs
from ..operators.ggn_diagonal import ROWS_ALONE, ggn_diagonal, output_count
from ..operators.per_sample import PerSampleGradients, SampleCouplingError
from ..operators.registry import HESSIAN
from ..rng import generator
from .hessian import HessianWork, lanczos
from .log import RunLog
from .plan import Plan


class CurvatureFamily:
    """H, GGN, F_mc, EF and Σ of one problem: operators, dense matrices (small d), top-k eigenpairs."""

    def __init__(self, problem: Problem, settings: Settings, plan: Plan, log: RunLog, hessian: HessianWork,
                 gradient: Tensor) -> None:
        self.problem, self.settings, self.plan, self.log = problem, settings, plan, log
        self.hessian, self.gradient = hessian, gradient
        self._operators: dict[str, CurvatureOperator] = {}
        self._dense: dict[str, Tensor] = {}
        self._tops: dict[str, LanczosResult] = {}
        self.vectors_per_call: int | None = None  # set by the cost plan (`units.rounds_by_speed`)

    @property
    def exact(self) -> bool:
        """Whether this problem's matrices are formed densely (d ≤ plan.dense_curvature_max_d)."""
        return self.problem.d <= self.plan.dense_curvature_max_d

    def operator(self, name: str) -> CurvatureOperator:
        """The operator of the registered matrix `name` (built once; H is the shared Hessian's)."""
        if name == HESSIAN.name:
            return self.hessian.operator
        if name not in self._operators:
            inputs = MatrixInputs(self.problem, self.settings.hvp, self.gradient,
                                  lambda stream: generator(self.settings.seed, stream), self.plan.mc_samples)
            self._operators[name] = CURVATURE_MATRICES[name].build(inputs)
            self._operators[name].vectors_per_call = self.vectors_per_call
        return self._operators[name]

    def products_one_at_a_time(self, alone: bool) -> None:
        """Make every product of these matrices one vector per call (the cost plan measured rounds slower)."""
        self.vectors_per_call = 1 if alone else None
        for operator in self._operators.values():
            operator.vectors_per_call = self.vectors_per_call

    def dense(self, name: str) -> Tensor:
        """The matrix as a dense float64 tensor on the problem's device, formed once (small d only); H's is the
        shared one."""
        if name not in self._dense:
            if name == HESSIAN.name and self.hessian.dense is not None:  # moved once, beside the others
                self._dense[name] = torch.from_numpy(self.hessian.dense).to(self.problem.device)
            else:
                with self.log.timer(f"dense_{name}"):
                    self._dense[name] = dense_matrix(self.operator(name))
        return self._dense[name]

    def top(self, name: str) -> LanczosResult:
        """Top-k eigenpairs: H's shared Lanczos run; others exact from the dense matrix when d is small,
        else Lanczos with the run's settings."""
        if name == HESSIAN.name:
            return self.hessian.top
        if name not in self._tops:
            operator = self.operator(name)
            if self.exact:
                result = dense_top(self.dense(name), self.settings.top_k, unit_roundoff=torch.finfo(operator.dtype).eps)
            else:
                capped = dataclasses.replace(self.settings,
                                             max_matvecs=self.plan.curvature_matvecs(self.settings.max_matvecs))
                result = lanczos(operator, "largest", f"top-k of {name}", f"lanczos-top-{name}", f"lanczos_{name}",
                                 settings=capped, plan=self.plan, log=self.log)
            self._tops[name] = result
        return self._tops[name]

    @cached_property
    def ggn_diagonal(self) -> Tensor | None:
        """diag(GGN) = diag(F) exactly, from C per-sample backward passes per batch, when the model has at
        most plan.ggn_exact_max_outputs outputs per sample; a model that cannot be evaluated on one row gets
        them as rows of the batch's Jacobian (None when the outputs are too many or torch.func cannot
        differentiate the model; the reason is recorded). tr(GGN) is its sum."""
        outputs = output_count(self.problem)
        if outputs > self.plan.ggn_exact_max_outputs:
            self.log.record("ggn_diagonal", f"not exact: {outputs} outputs per sample > "
                                            f"{self.plan.ggn_exact_max_outputs} backward passes per batch")
            return None
        try:
            with self.log.timer("ggn_diagonal"):
                diagonal = ggn_diagonal(self.problem)
        except Exception as exc:  # a model torch.func cannot differentiate: probes instead
            self.log.record("ggn_diagonal", f"not exact: {type(exc).__name__}")
            return None
        how = "" if diagonal.rows == ROWS_ALONE else f" ({diagonal.rows})"
        self.log.record("ggn_diagonal", f"exact: {outputs} backward passes per batch{how}")
        return diagonal.values.to(torch.float64)

    @property
    def fisher_diagonal(self) -> Tensor | None:
        """diag(F), which equals diag(GGN) for ce, mse and bce (thesis Prop. 7.1); None when not exact."""
        return self.ggn_diagonal

    @cached_property
    def per_sample(self) -> PerSampleGradients:
        """The per-sample gradient path (BackPACK or torch.func), chosen once per run."""
        return PerSampleGradients(self.problem, self.settings.per_sample, rows_per_call=self.plan.per_sample_rows)

    @cached_property
    def gradient_noise(self) -> GradientMoments | None:
        """One streaming pass of per-sample gradients (None, with a warning, if they are undefined)."""
        try:
            with self.log.timer("per_sample_gradients"):
                # per-sample projections gᵀ∇R only feed the intervals of a subset (exact otherwise)
                moments = gradient_moments(self.per_sample, self.gradient, projections=self.problem.is_subset)
        except SampleCouplingError as exc:
            self.log.warn(f"noise: {exc}")
            return None
        finally:
            self.close_per_sample()
        if self.per_sample.fallback and self.settings.per_sample == "backpack":
            self.log.warn(f"--per-sample backpack: {self.per_sample.fallback}; torch.func was used instead")
        return moments

    def close_per_sample(self) -> None:
        """Release the per-sample path's hooks and record which path ran."""
        self.per_sample.close()
        for key, value in self.per_sample.describe().items():
            self.log.record(key, value)
