"""The last stage of every run: the sign step size, the race, and the recommendation (SPEC §7).

The rules read plain numbers, taken from the report's JSON document (the SPEC §8 contract) rather
than from the estimators' Python objects, so the decision depends only on what the report shows.
Per-coordinate noise quantities are measured for single samples (m = 1); for the sign-agreement
and variance-adaptation evidence they are read at `REFERENCE_BATCH`, a typical mini-batch: the report
says so, and lists the coin-flip share at every batch size it has.
"""

from __future__ import annotations

from typing import Any

from ..estimators.race import race
from ..estimators.step_sizes import with_sign_step
from ..recommend import Estimate, Interval, Measurements, recommend
from .context import Context

REFERENCE_BATCH = 128
RACE_STEPS_AUTO = 10
# The race costs 2·steps full-data gradients, a small fraction of what the spectrum alone spends (each
# Hessian product costs about one gradient, and a run makes hundreds): 2.4 s of a 190 s run for a
# 151k-parameter CNN on 1797 samples (N·d = 2.7e8). Off by default only beyond this N·d.
RACE_AUTO_MAX_WORK = 1e10
Z95 = 1.959964


def _get(doc: dict[str, Any], *path: str | int) -> Any:
    node: Any = doc
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
        if node is None:
            return None
    return node


def _interval(pair: Any) -> Interval | None:
    return Interval(pair[0], pair[1]) if isinstance(pair, list) and len(pair) == 2 else None


def _with_stderr(value: Any, stderr: Any) -> Estimate | None:
    if value is None:
        return None
    if stderr is None:
        return Estimate(value)
    return Estimate(value, Interval(value - Z95 * stderr, value + Z95 * stderr))


def _with_residual(entry: Any) -> Estimate | None:
    if not isinstance(entry, dict) or entry.get("value") is None:
        return None
    value, residual = entry["value"], entry.get("residual") or 0.0
    return Estimate(value, Interval(value - residual, value + residual))


def measurements_from(doc: dict[str, Any]) -> Measurements:
    """The plain numbers the rules use, from a report document."""
    ratio = doc.get("improvement_ratio")
    rho = doc.get("rho_diag")
    eta2 = _get(doc, "noise", "per_coordinate", "eta2", "q50")
    nts = _get(doc, "noise", "noise_to_signal")
    return Measurements(
        improvement_ratio=Interval(ratio["lo"], ratio["hi"]) if ratio else None,
        rho_diag=Estimate(rho["estimate"], _interval(rho.get("ci"))) if rho and rho.get("estimate") is not None else None,
        outlier_ratio=_with_stderr(_get(doc, "ratios", "lmax_over_mean_abs", "value"),
                                   _get(doc, "ratios", "lmax_over_mean_abs", "stderr")),
        grad_density=doc.get("grad_density"),
        noise_to_signal=Estimate(nts["estimate"], _interval(nts.get("ci"))) if nts and nts.get("estimate") is not None else None,
        coin_flip_share=_get(doc, "noise", "sign_agreement", "coin_flip_share_by_batch_size", str(REFERENCE_BATCH)),
        median_coordinate_eta2=None if eta2 is None else eta2 / REFERENCE_BATCH,
        reference_batch=REFERENCE_BATCH if eta2 is not None else None,
        ef_over_f_trace=_get(doc, "fisher", "EF_over_F_trace"),
        rel_fro_ef_vs_f=_get(doc, "fisher", "rel_fro", "EF_vs_F", "estimate"),
        cos_precond_f_ef=_get(doc, "fisher", "cos_precond_F_EF", "value"),
        lambda_max=_with_residual(_get(doc, "eigenvalues", "top", 0)),
        lambda_min=_with_residual(_get(doc, "eigenvalues", "bottom", 0)),
        L2=_with_residual(doc.get("L2")),
        Linf=Interval(doc["Linf"]["lo"], doc["Linf"]["hi"]) if doc.get("Linf") else None,
        Linf_hi_source=(doc.get("Linf") or {}).get("hi_source"),
        d=doc["problem"]["d"],
        m_star=_get(doc, "noise", "batch_size", "m_star"),
        cabs=_get(doc, "noise", "batch_size", "cabs"),
    )


def _race_steps(ctx: Context) -> int:
    steps = ctx.settings.race_steps
    if steps is not None:
        return steps
    work = ctx.problem.n_samples * ctx.problem.d
    if work > RACE_AUTO_MAX_WORK:
        ctx.warn(f"race skipped: N·d = {work:.3g} is large (each step is a full-data gradient); "
                 f"ask for it with --race-steps")
        return 0
    return RACE_STEPS_AUTO


def _race(ctx: Context, call: str, m: Measurements) -> dict[str, Any] | None:
    steps = _race_steps(ctx)
    if steps == 0:
        return None
    if m.L2 is None or m.Linf is None or not m.L2.value or not m.Linf.hi:
        ctx.warn("race skipped: it needs L2 and L∞ (sections spectrum and geometry) for its step sizes")
        return None
    update = ctx.tick("race: GD vs sign descent", 2 * steps)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if update is not None:
            update(done, 2 * steps)

    with ctx.timer("race"):
        result = race(ctx.problem, steps, gd_step=1.0 / m.L2.value, sign_step=1.0 / m.Linf.hi, progress=advance)
    agrees = None if call == "inconclusive" or result.winner == "tie" else result.winner == call
    return {**result.as_dict(), "agrees": agrees,
            "note": "full-batch steps from θ with α = 1/L2 (GD) and α = 1/L∞ (norm-scaled sign descent)"}


def run(ctx: Context) -> None:
    """Fill step_sizes.sign_1_over_Linf and the recommendation (with the race where affordable)."""
    report = ctx.report
    if report.step_sizes is not None:
        if report.Linf is None:
            ctx.warn("step_sizes.sign_1_over_Linf needs L∞: run the geometry section")
        else:
            report.step_sizes = with_sign_step(report.step_sizes, report.Linf.hi)
    m = measurements_from(report.to_dict())
    rec = recommend(m)
    rec.race = _race(ctx, rec.call, m)
    report.recommendation = rec
