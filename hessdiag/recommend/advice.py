"""The advice that comes with a call: what would settle an inconclusive one, variance adaptation, EF."""

from __future__ import annotations

import math
from typing import Any

from .measurements import Measurements
from .rule import LogisticRule, RuleOutcome

ETA2_VARIANCE_ADAPTATION = 1.0                    # median η_i² above which SVAG factors ≤ ½
EF_SCALE_BAND = (0.5, 2.0)                        # tr(EF)/tr(F) outside: EF mis-scaled
EF_DISTANCE_HIGH = 0.5                            # ‖EF−F‖_F/‖F‖_F above: EF far from F
EF_COSINE_LOW = 0.5                               # preconditioned directions disagree

# the section that measures each feature, for "run it" advice
SECTION_OF = {"log_improvement_ratio": "geometry", "log_adam_rate": "preconditioning",
              "log_jacobi_rate": "preconditioning", "log_adam_progress": "preconditioning",
              "log_jacobi_progress": "preconditioning", "log_outlier_ratio": "spectrum", "log_rho_diag": "geometry",
              "grad_density": "geometry", "log_noise_to_signal": "noise", "coin_flip_share": "noise",
              "block_js": "blocks", "block_top_spread": "blocks", "log_class_imbalance": "imbalance"}


def race_unread(m: Measurements) -> str | None:
    """Why a race that ran gives the rule no feature: its loss ratio (best SGD+momentum loss over Adam's) is 0, +∞
    or NaN, which has no logarithm; None when the ratio is a positive number or no race ran."""
    r = m.race_ratio
    if r is None or r.value is None or (0 < r.value < math.inf):
        return None
    floor = "; a loss of exactly 0 is float arithmetic's floor, where the benchmark's own labels are fragile"
    why = ("both families' best losses were infinite (diverged)" if math.isnan(r.value) else
           "SGD+momentum's best loss was exactly 0 and Adam's was not" + floor if r.value == 0 else
           "Adam's best loss was exactly 0 and SGD+momentum's was not" + floor)
    return (f"the race ran, but its loss ratio ({r.value:g}) is not one the rule reads: {why}; the call is made as "
            "if no race had run")


def what_would_settle(m: Measurements, rule: LogisticRule, outcome: RuleOutcome) -> str:
    """For an inconclusive call: missing evidence, wide intervals, or evidence that cancels out."""
    parts = []
    if outcome.missing:
        where = sorted({SECTION_OF.get(f, "the race") for f in outcome.missing})
        parts.append(f"the rule lacks {', '.join(outcome.missing)} (sections {', '.join(where)}; "
                     "a stationary point drops the gradient-based ones)")
    lo, hi = outcome.interval
    if abs(outcome.score) > rule.margin and lo <= rule.margin and hi >= -rule.margin:
        parts.append(f"the score {outcome.score:+.2f} is past the margin ±{rule.margin:g} but its interval "
                     f"[{lo:+.2f}, {hi:+.2f}] is not: tighter estimates of the features would settle it")
    elif abs(outcome.score) <= rule.margin:
        terms = ", ".join(f"{k} {v:+.2f}" for k, v in outcome.contributions.items())
        parts.append(f"the evidence is balanced: score {outcome.score:+.2f} within ±{rule.margin:g} (terms {terms})")
    if m.race_ratio is None:
        parts.append("the race (--race-steps N) compares the two families directly")
    elif race_unread(m):
        parts.append("a race whose best losses both stay finite and above 0 (fewer --race-steps) compares the two "
                     "families directly")
    return "; ".join(parts) or "the score interval straddles the decision"


def variance_adaptation_advice(m: Measurements) -> dict[str, Any]:
    """Whether variance adaptation (SVAG factors 1/(1+η_i²), Eq. 5.11) would change the steps (ch. 5)."""
    if m.median_coordinate_eta2 is None:
        return {"worth_it": None, "reason": "per-coordinate noise not measured (section noise)"}
    eta2 = m.median_coordinate_eta2
    worth = eta2 > ETA2_VARIANCE_ADAPTATION
    at = f" at batch size {m.reference_batch}" if m.reference_batch else ""
    reason = (f"median per-coordinate η_i²{at} = {eta2:.3g}: SVAG factors 1/(1+η_i²) ≈ {1 / (1 + eta2):.2g} "
              + ("shrink most coordinates; adapt to variance (M-SVAG, or Adam on the sign side)" if worth
                 else "stay near 1; variance adaptation changes little"))
    return {"worth_it": worth, "reason": reason}


def ef_warning(m: Measurements) -> dict[str, Any] | None:
    """Warn when empirical-Fisher preconditioning is unreliable here (ch. 7)."""
    reasons = []
    if m.ef_over_f_trace is not None and not EF_SCALE_BAND[0] <= m.ef_over_f_trace <= EF_SCALE_BAND[1]:
        reasons.append(f"tr(EF)/tr(F) = {m.ef_over_f_trace:.3g}")
    if m.rel_fro_ef_vs_f is not None and m.rel_fro_ef_vs_f > EF_DISTANCE_HIGH:
        reasons.append(f"‖EF−F‖_F/‖F‖_F = {m.rel_fro_ef_vs_f:.3g}")
    if m.cos_precond_f_ef is not None and m.cos_precond_f_ef < EF_COSINE_LOW:
        reasons.append(f"cos between F- and EF-preconditioned gradients = {m.cos_precond_f_ef:.3g}")
    if m.ef_over_f_trace is None and m.rel_fro_ef_vs_f is None and m.cos_precond_f_ef is None:
        return None
    return {"warn": bool(reasons), "reasons": reasons,
            "note": "EF-based preconditioning approximates the Fisher poorly here (thesis ch. 7)" if reasons
            else "EF is close to F here"}


