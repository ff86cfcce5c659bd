"""Section `fisher` (SPEC §6): the Hessian, GGN (= Fisher), Monte-Carlo Fisher and empirical Fisher.

Iterates the compared matrices of the registry (`operators.compared_matrices()`): their top-k
eigenpairs (`work.curvature.top`), traces and relative Frobenius distances — exact from dense matrices
for d ≤ plan.dense_curvature_max_d, otherwise with plan.fisher_probes shared Rademacher probes and
standard errors — plus the exact tr EF = tr Σ + ‖∇R‖² and tr F_mc from the per-sample pass, the
damped preconditioned cosine and the residual size.
"""

from __future__ import annotations

from typing import Any

import torch

from ...estimators.fisher.comparison import compare_matrices, exact_comparison
from ...estimators.fisher.residuals import residual_size
from ...estimators.fisher.result import FisherComparison, PreconditionedCosine, mc_fisher_trace
from ...linalg import Estimate, TraceResult, cosine_with_bound, damped_cg, dense_damped_solve
from ...operators import compared_matrices
from ...operators.registry import EMPIRICAL_FISHER, GGN, HESSIAN, MC_FISHER
from ...report.section import Results, Section
from ...work import Work
from .keys import KEYS
from .terminal import render

F, EF, F_MC, H = GGN.name, EMPIRICAL_FISHER.name, MC_FISHER.name, HESSIAN.name
DISTANCE_PAIRS = {"EF_vs_F": (EF, F), "F_vs_H": (F, H)}


def _cosine(work: Work, lambda_max_f: float) -> PreconditionedCosine | None:
    s, plan, log, family = work.settings, work.plan, work.log, work.curvature
    if s.damping is not None:
        damping, source = s.damping, "--damping"
    else:
        damping, source = plan.damping_factor * lambda_max_f, f"{plan.damping_factor:g} · λ_max(F)"
    if not damping > 0:
        log.warn("fisher: λ_max(F) ≤ 0, so the default damping is 0; cos_precond_F_EF is null (set --damping)")
        return None
    if float(work.gradient.norm()) == 0.0:
        log.warn("fisher: ∇R = 0, so (F + λI)⁻¹∇R = 0 and cos_precond_F_EF is undefined (null)")
        return None
    rtol = plan.cg_rtol if work.problem.dtype == torch.float64 else plan.cg_rtol_float32
    with log.timer("conjugate_gradients"):
        if family.exact:
            cg_f = dense_damped_solve(family.dense(F), work.gradient, damping)
            cg_ef = dense_damped_solve(family.dense(EF), work.gradient, damping)
        else:
            most = plan.curvature_matvecs(s.max_matvecs)
            cg_f = damped_cg(family.operator(F), work.gradient, damping, rtol=rtol, max_iterations=most)
            cg_ef = damped_cg(family.operator(EF), work.gradient, damping, rtol=rtol, max_iterations=most)
    for name, result in (("F", cg_f), ("EF", cg_ef)):
        if not result.converged:
            log.warn(f"fisher: CG on {name} + λI stopped at relative residual {result.residual:.1e} after "
                     f"{result.iterations} products; cos_precond_F_EF carries its error bound")
    value, bound = cosine_with_bound(cg_f, cg_ef)
    return PreconditionedCosine(value, bound, damping, source, cg_f, cg_ef)


def _traces(work: Work, names: list[str]) -> tuple[dict[str, Estimate], Any]:
    """Traces and distances: exact (dense) or randomised; EF and F_mc exact from per-sample gradients."""
    family, moments = work.curvature, work.curvature.gradient_noise
    sampled = [] if family.exact or moments is None else [F_MC]
    operators = {name: family.operator(name) for name in names if name not in sampled}
    if family.exact:
        comparison = exact_comparison({name: family.dense(name) for name in operators}, DISTANCE_PAIRS)
    else:
        comparison = compare_matrices(operators, DISTANCE_PAIRS, generator=work.generator("fisher-probes"),
                                      probes=work.plan.fisher_probes, exact_dim=0)
    traces = dict(comparison.traces)
    if not family.exact:
        diagonal = family.ggn_diagonal
        if diagonal is not None:
            traces[F] = Estimate(float(diagonal.sum()), 0.0, "exact: Σ_n w_n ‖Λ_n^½ J_n‖_F², one backward pass "
                                                              "per output and batch")
        if moments is not None:
            traces[EF] = Estimate(moments.trace_ef, 0.0, "exact: tr Σ + ‖∇R‖² from per-sample gradients (Eq. 7.22)")
            try:
                traces[F_MC] = mc_fisher_trace(family.per_sample, family.operator(F_MC))
            finally:
                family.close_per_sample()
        trace_h: TraceResult = work.hessian.trace
        traces[H] = Estimate(float(trace_h.estimate), float(trace_h.stderr), trace_h.method)
    return traces, comparison


def compute(work: Work, results: Results) -> FisherComparison:
    problem, family, plan = work.problem, work.curvature, work.plan
    names = [matrix.name for matrix in compared_matrices()]
    tops = {name: family.top(name) for name in names}
    with work.log.timer("fisher_traces_distances"):
        traces, comparison = _traces(work, names)
    cosine = _cosine(work, tops[F].values[0].value)
    with work.log.timer("residual_size"):
        residual = residual_size(problem)
    notes = ["F denotes the GGN, which equals the Fisher for ce, mse and bce (Prop. 7.1); "
             f"F_mc draws {plan.mc_samples} label(s) per sample from the model (seeded)"]
    if family.exact:
        notes.append(f"d = {problem.d} ≤ {plan.dense_curvature_max_d}: eigenpairs (except the Hessian's, from the "
                     "spectrum section), traces, distances and damped solves from dense matrices")
    return FisherComparison(top=tops, traces=traces, distances=comparison.distances, d=problem.d, residual=residual,
                            cosine=cosine, mc_samples=plan.mc_samples, probes=comparison.probes, notes=notes)


def to_json(result: FisherComparison) -> dict[str, Any]:
    return {"fisher": result}


SECTION = Section(name="fisher", title="Fisher, empirical Fisher, GGN", keys=KEYS, compute=compute, to_json=to_json,
                  render_terminal=render)
