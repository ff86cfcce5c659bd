"""The evidence behind a call: every measurement with its interval and the family it points to.

Two kinds of direction. For the features the rule uses, the direction is the sign of the feature's
term w_j z_j in today's score (`favours` names the family it pushes towards when |w_j z_j| ≥
PUSH, else neither), so the table explains the call. For the other measurements it is the stated
heuristic of each (thesis §6.4.3: outlier eigenvalues λ_max ≫ λ̄ and diagonal concentration favour sign
methods, dense gradients help, Eq. 6.30; R(θ)'s interval against 1), which the rule does not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..linalg.intervals import Interval
from .measurements import Measured, Measurements
from .rule import RuleOutcome

SIGN, EUCLIDEAN, NEITHER = "sign", "euclidean", "neither"

# Heuristic thresholds for the secondary evidence (thesis §6.4.3: sign-friendly geometry needs
# outlier eigenvalues, λ_max ≫ λ̄, and some diagonal concentration; dense gradients help, Eq. 6.30).
OUTLIER_SIGN, OUTLIER_EUCLIDEAN = 10.0, 2.0       # λ_max/λ̄
RHO_SIGN, RHO_EUCLIDEAN = 0.5, 0.05               # ρ_diag
DENSITY_SIGN, DENSITY_EUCLIDEAN = 0.5, 0.1        # φ (a Gaussian vector has φ ≈ 2/π)
COIN_FLIP_HIGH = 0.5                              # share of coordinates whose sign is a coin flip
PUSH = 0.25                                       # |w_j z_j| below this: the term pushes neither way


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


def ratio_direction(r: Interval | None) -> str:
    """sign if R > 1 throughout the interval, euclidean if R < 1 throughout, else neither."""
    if r is None:
        return NEITHER
    return SIGN if r.above(1.0) else EUCLIDEAN if r.below(1.0) else NEITHER


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


def _push_direction(push: float) -> str:
    return SIGN if push >= PUSH else EUCLIDEAN if push <= -PUSH else NEITHER


def _old_evidence(m: Measurements, used: dict[str, float]) -> list[Evidence]:
    """R(θ), ρ_diag, λ_max/λ̄, φ, η² and sign agreement with their heuristic directions."""
    out: list[Evidence] = []
    if m.improvement_ratio is not None:
        out.append(Evidence("improvement_ratio", None, m.improvement_ratio.as_list(),
                            ratio_direction(m.improvement_ratio),
                            "R = I_sign/I_GD (Eq. 6.30): the local one-step guarantee; > 1 favours norm-scaled "
                            "sign descent for one step"))
    if m.rho_diag is not None:
        out.append(Evidence("rho_diag", m.rho_diag.value, _iv(m.rho_diag),
                            _by_thresholds(m.rho_diag, RHO_SIGN, RHO_EUCLIDEAN),
                            f"diagonal concentration; > {RHO_SIGN} axis-aligned, < {RHO_EUCLIDEAN} rotated"))
    if m.outlier_ratio is not None:
        out.append(Evidence("lambda_max_over_mean_abs_eigenvalue", m.outlier_ratio.value, _iv(m.outlier_ratio),
                            _by_thresholds(m.outlier_ratio, OUTLIER_SIGN, OUTLIER_EUCLIDEAN),
                            f"outlier eigenvalues (Eq. 6.23); > {OUTLIER_SIGN:g} favours sign"))
    if m.grad_density is not None:
        push = used.get("grad_density")
        if push is None:
            out.append(Evidence("grad_density", m.grad_density, None,
                                _by_thresholds(Measured(m.grad_density, None), DENSITY_SIGN, DENSITY_EUCLIDEAN),
                                "gradient density φ (Eq. 6.29); the one-step guarantee: dense gradients favour sign "
                                "[not used by the rule]"))
        else:
            out.append(Evidence("grad_density", m.grad_density, None, _push_direction(push),
                                "gradient density φ = ‖g‖₁²/(d‖g‖₂²) (Eq. 6.29); on the benchmark a LOW φ "
                                f"(coordinates on very different scales) forecast the sign family [in the rule: term "
                                f"{push:+.2f}]"))
    if m.noise_to_signal is not None:
        out.append(Evidence("noise_to_signal", m.noise_to_signal.value, _iv(m.noise_to_signal), NEITHER,
                            "η² = tr Σ/‖∇R‖² (Eq. 4.9): sets the batch size, not the family"))
    if m.coin_flip_share is not None:
        favours = EUCLIDEAN if m.coin_flip_share > COIN_FLIP_HIGH else NEITHER
        at = f" at batch size {m.reference_batch}" if m.reference_batch else ""
        out.append(Evidence("sign_agreement_coin_flip_share", m.coin_flip_share, None, favours,
                            f"share of coordinates whose stochastic sign{at} is close to a coin flip (Lemma 5.2)"))
    return out


# new evidence: (quantity, measurement, the rule feature it enters as, what it is)
_NEW = (
    ("adam_rate_ratio", "adam_rate", "log_adam_rate",
     "κ_eff(H)/κ_eff(Ĥ), Ĥ = P^{-1/2}HP^{-1/2}, P = √diag(EF)+ε (Adam's preconditioner): > 1, Adam's "
     "scaling contracts the local quadratic faster than GD"),
    ("jacobi_rate_ratio", "jacobi_rate", "log_jacobi_rate",
     "the same with P = |diag(H)|: how much an ideal per-coordinate step would help"),
    ("adam_progress_ratio", "adam_progress", "log_adam_progress",
     "one-step progress of Adam-preconditioned GD over GD on the local quadratic, each at its 1/λ_max"),
    ("jacobi_progress_ratio", "jacobi_progress", "log_jacobi_progress",
     "one-step progress of Jacobi-preconditioned GD over GD"),
    ("block_js", "block_js", "block_js",
     "averaged Jensen–Shannon divergence between the Hessian blocks' spectra (Zhang et al. 2024)"),
    ("block_top_spread", "block_top_spread", "block_top_spread",
     "log10 of the largest over the smallest block top eigenvalue"),
    ("race_ratio", "race_ratio", "log_race_ratio",
     "tuned race: best loss of SGD+momentum over Adam's (> 1.25: Adam's family trained better)"),
)


def gather_evidence(m: Measurements, outcome: RuleOutcome | None) -> list[Evidence]:
    """Every measured quantity with its interval and direction (see the module docstring)."""
    used = outcome.contributions if outcome is not None else {}
    out = _old_evidence(m, used)
    for quantity, attribute, feature, note in _NEW:
        est: Measured | None = getattr(m, attribute)
        if est is None:
            continue
        if feature in used:
            push = used[feature]
            favours = _push_direction(push)
            note = f"{note} [in the rule: term {push:+.2f}]"
        else:
            favours = NEITHER
            note = f"{note} [not used by the rule]"
        out.append(Evidence(quantity, est.value, _iv(est), favours, note))
    if m.class_imbalance is not None:
        push = used.get("log_class_imbalance")
        favours = NEITHER if push is None else _push_direction(push)
        used_note = " [not used by the rule]" if push is None else f" [in the rule: term {push:+.2f}]"
        out.append(Evidence("class_imbalance", m.class_imbalance, None, favours,
                            "π_max/π_min of the class frequencies (Kunstner et al. 2024: heavy-tailed imbalance "
                            "slows GD on rare classes)" + used_note))
    return out


def _iv(est: Measured) -> list[float | None] | None:
    return est.interval.as_list() if est.interval else None


