"""The recommendation (SPEC §7): pure functions from `Measurements` to a call with its evidence.

The call is driven by the interval of the improvement ratio R(θ) = I_sign/I_GD (thesis Eq. 6.30):
the guaranteed one-step progress of norm-scaled sign descent (step ‖g‖₁/L∞) over that of gradient
descent (step 1/L2). R > 1 over the whole interval: **sign**; R < 1 over the whole interval:
**euclidean**; an interval that straddles 1 (or no R at all): **inconclusive**, naming what would
settle it. The other measurements are listed as evidence with the direction they point in, using
the thresholds below; they explain the call, they do not override it. Every threshold is a stated
heuristic, not a theorem, except R's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..linalg.intervals import Interval
from .features import features
from .measurements import Measured, Measurements

SIGN, EUCLIDEAN, INCONCLUSIVE, NEITHER = "sign", "euclidean", "inconclusive", "neither"

# Heuristic thresholds for the secondary evidence (thesis §6.4.3: sign-friendly geometry needs
# outlier eigenvalues, λ_max ≫ λ̄, and some diagonal concentration; dense gradients help, Eq. 6.30).
OUTLIER_SIGN, OUTLIER_EUCLIDEAN = 10.0, 2.0       # λ_max/λ̄
RHO_SIGN, RHO_EUCLIDEAN = 0.5, 0.05               # ρ_diag
DENSITY_SIGN, DENSITY_EUCLIDEAN = 0.5, 0.1        # φ (a Gaussian vector has φ ≈ 2/π)
COIN_FLIP_HIGH = 0.5                              # share of coordinates whose sign is a coin flip
ETA2_VARIANCE_ADAPTATION = 1.0                    # median η_i² above which SVAG factors ≤ ½
EF_SCALE_BAND = (0.5, 2.0)                        # tr(EF)/tr(F) outside: EF mis-scaled
EF_DISTANCE_HIGH = 0.5                            # ‖EF−F‖_F/‖F‖_F above: EF far from F
EF_COSINE_LOW = 0.5                               # preconditioned directions disagree


@dataclass(frozen=True)
class Evidence:
    quantity: str
    value: float | None
    interval: list[float | None] | None
    favours: str  # "sign" | "euclidean" | "neither"
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "value": self.value, "interval": self.interval,
                "favours": self.favours, "note": self.note}


@dataclass
class Recommendation:
    call: str
    summary: str
    evidence: list[Evidence]
    settle: str | None
    variance_adaptation: dict[str, Any]
    ef_warning: dict[str, Any] | None
    step_sizes: dict[str, float | None]
    batch_size: dict[str, float | None]
    race: dict[str, Any] | None = None
    caveats: list[str] = field(default_factory=list)
    features: dict[str, Any] = field(default_factory=dict)
    stationarity: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "call": self.call, "summary": self.summary, "evidence": [e.as_dict() for e in self.evidence],
            "settle": self.settle, "variance_adaptation": self.variance_adaptation,
            "ef_warning": self.ef_warning, "step_sizes": self.step_sizes, "batch_size": self.batch_size,
            "race": self.race, "caveats": list(self.caveats),
            "stationarity": self.stationarity,
            "features": {k: (None if v is None else v.as_dict()) for k, v in self.features.items()},
        }


def call_from_ratio(ratio: Interval | None) -> str:
    """sign if R > 1 throughout the interval, euclidean if R < 1 throughout, else inconclusive."""
    if ratio is None:
        return INCONCLUSIVE
    if ratio.above(1.0):
        return SIGN
    if ratio.below(1.0):
        return EUCLIDEAN
    return INCONCLUSIVE


def _by_thresholds(est: Measured | None, sign_above: float, euclid_below: float) -> str:
    """Direction of an estimate: its whole interval (or the value) above/below the thresholds."""
    if est is None or est.value is None:
        return NEITHER
    iv = est.interval or Interval(est.value, est.value)
    if iv.above(sign_above):
        return SIGN
    if iv.below(euclid_below):
        return EUCLIDEAN
    return NEITHER


def gather_evidence(m: Measurements) -> list[Evidence]:
    """Each measured quantity with its interval and the family it points to."""
    out: list[Evidence] = []
    if m.improvement_ratio is not None:
        r = m.improvement_ratio
        favours = call_from_ratio(r)
        out.append(Evidence("improvement_ratio", None, r.as_list(), NEITHER if favours == INCONCLUSIVE else favours,
                            "R = I_sign/I_GD (Eq. 6.30); > 1 favours norm-scaled sign descent, locally"))
    if m.rho_diag is not None:
        out.append(Evidence("rho_diag", m.rho_diag.value, _iv(m.rho_diag),
                            _by_thresholds(m.rho_diag, RHO_SIGN, RHO_EUCLIDEAN),
                            f"diagonal concentration; > {RHO_SIGN} axis-aligned, < {RHO_EUCLIDEAN} rotated"))
    if m.outlier_ratio is not None:
        out.append(Evidence("lambda_max_over_mean_abs_eigenvalue", m.outlier_ratio.value, _iv(m.outlier_ratio),
                            _by_thresholds(m.outlier_ratio, OUTLIER_SIGN, OUTLIER_EUCLIDEAN),
                            f"outlier eigenvalues (Eq. 6.23); > {OUTLIER_SIGN:g} favours sign"))
    if m.grad_density is not None:
        est = Measured(m.grad_density, None)
        out.append(Evidence("grad_density", m.grad_density, None,
                            _by_thresholds(est, DENSITY_SIGN, DENSITY_EUCLIDEAN),
                            "gradient density φ (Eq. 6.29); dense gradients favour sign"))
    if m.noise_to_signal is not None:
        out.append(Evidence("noise_to_signal", m.noise_to_signal.value, _iv(m.noise_to_signal), NEITHER,
                            "η² = tr Σ/‖∇R‖² (Eq. 4.9): sets the batch size, not the family"))
    if m.coin_flip_share is not None:
        favours = EUCLIDEAN if m.coin_flip_share > COIN_FLIP_HIGH else NEITHER
        at = f" at batch size {m.reference_batch}" if m.reference_batch else ""
        out.append(Evidence("sign_agreement_coin_flip_share", m.coin_flip_share, None, favours,
                            f"share of coordinates whose stochastic sign{at} is close to a coin flip (Lemma 5.2)"))
    return out


def _g(x: float | None) -> str:
    return "?" if x is None else f"{x:.3g}"


def _iv(est: Measured) -> list[float | None] | None:
    return est.interval.as_list() if est.interval else None


def what_would_settle(m: Measurements) -> str | None:
    """For an inconclusive call: the measurement whose uncertainty keeps R's interval across 1."""
    if m.improvement_ratio is None:
        if m.Linf is None:
            return "the geometry section (L∞ and the gradient density): run with --only geometry"
        return "the gradient density (undefined at a zero gradient): the local comparison has no direction"
    if m.Linf is not None and m.Linf.lo and m.Linf.hi and m.Linf.hi / m.Linf.lo > 1.0 + 1e-9:
        now = f"a tighter L∞ interval (now [{m.Linf.lo:.4g}, {m.Linf.hi:.4g}])"
        if m.Linf_hi_source == "d_L2":
            size = f"d = {m.d:,}" if m.d else "d"
            how = (f"its upper end is only d·L2; all columns of H (--exact-max-d ≥ {size}, one Hessian "
                   "product each) would give ‖H‖₁,₁ and the separable bound")
        else:
            how = "the sign-ascent lower and column-based upper bounds are what is affordable (exact L∞ is NP-hard)"
        return f"{now}: {how}; or the race (--race-steps N), which compares the two families directly"
    return "R is within its uncertainty of 1: the two families are locally equivalent here"


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


def recommend(m: Measurements) -> Recommendation:
    """The call, its evidence, and the advice that goes with it."""
    call = call_from_ratio(m.improvement_ratio)
    caveats = []
    if m.coin_flip_share is not None and m.coin_flip_share > COIN_FLIP_HIGH:
        at = f" at batch size {m.reference_batch}" if m.reference_batch else ""
        caveats.append(f"{m.coin_flip_share:.0%} of coordinates have a stochastic sign{at} close to a coin flip: "
                       "sign-based steps need larger batches or variance adaptation")
    r = m.improvement_ratio
    shown = f"R ∈ [{_g(r.lo)}, {_g(r.hi)}]" if r is not None else ""
    if call == SIGN:
        summary = f"Sign-based steps are guaranteed more local progress: {shown} > 1."
    elif call == EUCLIDEAN:
        summary = f"Gradient steps are guaranteed more local progress: {shown} < 1."
    elif r is not None:
        summary = f"{shown} straddles 1: the measurements cannot separate the families."
    else:
        summary = "The improvement ratio R was not measured, so no family can be recommended."
    return Recommendation(
        call=call, summary=summary, evidence=gather_evidence(m),
        settle=what_would_settle(m) if call == INCONCLUSIVE else None,
        variance_adaptation=variance_adaptation_advice(m), ef_warning=ef_warning(m),
        step_sizes=dict(m.step_sizes), batch_size={"m_star": m.m_star, "cabs": m.cabs}, caveats=caveats,
        features=features(m),
    )
