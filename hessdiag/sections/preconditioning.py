"""Section `preconditioning` (SPEC §7): the Hessian under each family's implicit diagonal preconditioner.

Adam divides its steps by a running RMS of the gradient, ≈ √diag(EF) (`adam`); an ideal per-coordinate
step would divide by the curvature's own diagonal |diag(H)| (`jacobi`; diag(GGN) stands in when the
dense Hessian is not formed). For H and for Ĥ = P^{-1/2} H P^{-1/2} under each P the section reports
λ_max, λ̄, κ_eff = λ_max/λ̄, the rate ratio κ_eff(H)/κ_eff(Ĥ) and the one-step progress ratio
(`hessdiag.estimators.preconditioning`). Exact up to d = plan.precondition_exact_max_d (eigenvalues
of dense matrices); beyond it Lanczos (λ_max) and stochastic Lanczos quadrature (λ̄) on the scaled map,
with products of the dense Hessian where it exists, of the Hessian operator otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from rich.console import Console

from ..estimators.preconditioning import (
    ADAM_EPS,
    JACOBI_EPS,
    SpectrumSummary,
    adam_diagonal,
    fisher_mc_diagonal,
    jacobi_diagonal,
    preconditioned_map,
    progress_ratio,
    rate_ratio,
    summary_from_dense,
    summary_from_eigenvalues,
    summary_from_operator,
)
from ..linalg import DenseMap, Interval, stochastic_lanczos_quadrature
from ..report.schema import NUM, STR, interval, obj
from ..report.section import Key, Results, Section
from ..report.terminal.format import fmt
from ..report.terminal.tables import FoldingTable
from ..work import Work
from .spectrum import SpectrumResult


@dataclass
class Preconditioned:
    """One preconditioner: what P is, Ĥ's summary, and the two ratios against H (None: not measured)."""

    preconditioner: str
    summary: SpectrumSummary | None = None
    rate_ratio: float | None = None
    rate_interval: Interval | None = None
    progress_ratio: float | None = None
    progress_interval: Interval | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"preconditioner": self.preconditioner,
                "spectrum": None if self.summary is None else self.summary.as_dict(),
                "rate_ratio": {"value": self.rate_ratio,
                               "interval": None if self.rate_interval is None else self.rate_interval.as_list()},
                "progress_ratio": {"value": self.progress_ratio, "interval": None if self.progress_interval is None
                                   else self.progress_interval.as_list()},
                "reason": self.reason}


@dataclass
class PreconditioningResult:
    hessian: SpectrumSummary
    adam: Preconditioned
    jacobi: Preconditioned
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"hessian": self.hessian.as_dict(), "adam": self.adam.as_dict(), "jacobi": self.jacobi.as_dict(),
                "notes": list(self.notes)}


def _exact(work: Work) -> bool:
    return work.hessian.dense is not None and work.problem.d <= work.plan.precondition_exact_max_d


def _summary(work: Work, scale: torch.Tensor, stream: str) -> SpectrumSummary:
    """Ĥ's summary: exact from the dense Hessian, or Lanczos + SLQ on the dense or the operator map."""
    dense = work.hessian.dense
    if _exact(work):
        s = scale.to(torch.float64).rsqrt().cpu().numpy()
        return summary_from_dense(s[:, None] * dense * s[None, :], torch.finfo(work.problem.dtype).eps)
    base = DenseMap(dense) if dense is not None else work.hessian.operator
    plan = work.plan
    return summary_from_operator(preconditioned_map(base, scale), generator=work.generator(stream),
                                 tol=plan.precondition_tol,
                                 max_matvecs=min(plan.precondition_max_matvecs,
                                                 plan.curvature_matvecs(work.settings.max_matvecs)),
                                 probes=plan.precondition_probes, steps=plan.precondition_steps)


def _base_summary(work: Work, results: Results) -> SpectrumSummary:
    """H's summary: exact eigenvalues when known, else the spectrum section's λ_max and λ̄ (or their own run)."""
    exact = work.hessian.exact_spectrum
    if exact is not None:
        return summary_from_eigenvalues(exact[0], torch.finfo(work.problem.dtype).eps)
    spectrum = results.get(SpectrumResult)
    if spectrum is not None:
        return SpectrumSummary(spectrum.top.values[0], spectrum.mean_abs_eigenvalue, 0)
    plan = work.plan
    quadrature = stochastic_lanczos_quadrature(work.hessian.operator, probes=plan.precondition_probes,
                                               steps=plan.precondition_steps,
                                               generator=work.generator("precondition-hessian"))
    return SpectrumSummary(work.hessian.top.values[0], quadrature.mean_abs_eigenvalue(), quadrature.matvecs)


def _measure(work: Work, name: str, p: torch.Tensor, base: SpectrumSummary, description: str) -> Preconditioned:
    with work.log.timer(f"preconditioning_{name}"):
        summary = _summary(work, p, f"precondition-{name}")
    rate, rate_iv = rate_ratio(base, summary)
    progress, progress_iv = progress_ratio(work.gradient, p, base, summary)
    reason = None
    if rate is None:
        reason = "λ_max or λ̄ is not positive, so the effective condition number is undefined"
        work.log.warn(f"preconditioning ({name}): {reason}")
    return Preconditioned(description, summary, rate, rate_iv, progress, progress_iv, reason)


def _curvature_diagonal(work: Work, notes: list[str]) -> tuple[torch.Tensor, str]:
    """diag(H) from the dense Hessian; else diag(GGN) exactly (`CurvatureFamily.ggn_diagonal`, at most
    plan.ggn_exact_max_outputs outputs per sample), else diag(F_mc) with the plan's labels per row; the
    notes say which."""
    if work.hessian.dense is not None:
        return torch.from_numpy(np.diag(work.hessian.dense).copy()), "|diag(H)|"
    exact = work.curvature.ggn_diagonal
    if exact is not None:
        notes.append(f"d = {work.problem.d} is above the dense-Hessian limit: the Jacobi preconditioner is "
                     "the exact diagonal of the Gauss–Newton matrix (= diag(H) minus the residual term)")
        return exact, "diag(GGN)"
    with work.log.timer("fisher_mc_diagonal"):
        notes.append(f"d = {work.problem.d} is above the dense-Hessian limit and diag(GGN) is not exact here "
                     f"(more than {work.plan.ggn_exact_max_outputs} outputs per sample, or torch.func cannot "
                     "differentiate the model): the "
                     f"Jacobi preconditioner is diag(F_mc), {work.plan.mc_samples} label(s) per row drawn from the "
                     "model (an unbiased estimate of diag(GGN))")
        diagonal = fisher_mc_diagonal(work.problem, work.generator("jacobi-fisher-mc"), work.plan.mc_samples,
                                      work.curvature.per_sample)
        return diagonal, "diag(F_mc)"


def compute(work: Work, results: Results) -> PreconditioningResult | None:
    """None when `--budget` skipped the section (the report's cost.cuts say so)."""
    if work.plan.precondition_probes == 0:
        work.log.warn("preconditioning: not measured: --budget left no room for the preconditioned spectra "
                      "(settings.cost.cuts.precondition_probes)")
        return None
    base = _base_summary(work, results)
    notes = []
    moments = work.curvature.gradient_noise
    if moments is None:
        adam = Preconditioned(f"√diag(EF) + {ADAM_EPS:g}", reason="per-sample gradients are undefined for this model")
    else:
        adam = _measure(work, "adam", adam_diagonal(moments.second), base, f"√diag(EF) + {ADAM_EPS:g}")
    diagonal, description = _curvature_diagonal(work, notes)
    jacobi = _measure(work, "jacobi", jacobi_diagonal(diagonal), base,
                      f"{description} + {JACOBI_EPS:g}·max")
    notes.append("rate ratio = κ_eff(H)/κ_eff(Ĥ), κ_eff = λ_max/λ̄: > 1 means the preconditioned step contracts "
                 "the local quadratic faster than GD")
    return PreconditioningResult(base, adam, jacobi, notes)


def to_json(result: PreconditioningResult) -> dict[str, Any]:
    return {"preconditioning": result}


def render(result: PreconditioningResult, console: Console) -> None:
    table = FoldingTable(title="Hessian under diagonal preconditioners (P^{-1/2} H P^{-1/2})")
    for column in ("matrix", "λ_max", "λ̄", "κ_eff = λ_max/λ̄", "rate ratio vs H", "one-step progress vs GD"):
        table.add_column(column, justify="left" if column == "matrix" else "right")

    def row(label: str, summary: SpectrumSummary | None, entry: Preconditioned | None) -> None:
        if summary is None:
            table.add_row(label, "—", "—", "—", "—", entry.reason if entry else "—")
            return
        iv = summary.condition_interval()
        cond = fmt(summary.condition, 4) + ("" if iv is None else f" [{fmt(iv.lo, 3)}, {fmt(iv.hi, 3)}]")
        ratios = ("", "") if entry is None else (
            f"{fmt(entry.rate_ratio, 4)} [{fmt(entry.rate_interval.lo if entry.rate_interval else None, 3)}, "
            f"{fmt(entry.rate_interval.hi if entry.rate_interval else None, 3)}]", fmt(entry.progress_ratio, 4))
        table.add_row(label, fmt(summary.lambda_max.value, 5), fmt(summary.mean_abs.estimate, 4), cond, *ratios)

    row("H", result.hessian, None)
    row(f"Adam: P = {result.adam.preconditioner}", result.adam.summary, result.adam)
    row(f"Jacobi: P = {result.jacobi.preconditioner}", result.jacobi.summary, result.jacobi)
    console.print(table)


def key_numbers(result: PreconditioningResult) -> list[tuple[str, str]]:
    rows = [("κ_eff = λ_max/λ̄ of H", fmt(result.hessian.condition, 4))]
    for label, entry in (("Adam √diag(EF)", result.adam), ("Jacobi", result.jacobi)):
        rows.append((f"rate ratio κ_eff(H)/κ_eff(Ĥ), {label}", fmt(entry.rate_ratio, 4)))
    return rows


_SUMMARY = obj({"lambda_max": obj({"value": NUM, "residual": NUM}), "mean_abs_eigenvalue": obj({"estimate": NUM}),
                "effective_condition": NUM, "effective_condition_interval": interval()})
_ENTRY = obj({"preconditioner": STR, "spectrum": _SUMMARY, "rate_ratio": obj({"value": NUM, "interval": interval()}),
              "progress_ratio": obj({"value": NUM, "interval": interval()})}, nullable=False)
KEYS = {"preconditioning": Key("Hessian under diagonal preconditioners",
                               obj({"hessian": _SUMMARY, "adam": _ENTRY, "jacobi": _ENTRY}))}

SECTION = Section(name="preconditioning", title="Hessian under diagonal preconditioners", keys=KEYS,
                  compute=compute, to_json=to_json, render_terminal=render, key_numbers=key_numbers)
