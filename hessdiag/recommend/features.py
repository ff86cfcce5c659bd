"""The candidate features of the call: each measurement on the scale the rule reads, with its interval.

A feature is a number (most on a log10 scale, where ratios live) with an interval taken from the
measurement's own (a certified bound pair or a 95 % interval); None when the measurement is missing or
undefined at this θ. The benchmark (scripts/bench_recommendation.py) reads these same values from the
cached reports (`recommendation.features`), so the rule is chosen and scored on exactly what a run
computes. Gradient-based features are dropped at a stationary point (their ratios compare rounding
noise), as is everything the caller marks unreliable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .measurements import Measured, Measurements


@dataclass(frozen=True)
class Feature:
    value: float
    lo: float
    hi: float

    def as_dict(self) -> dict:
        return {"value": self.value, "interval": [self.lo, self.hi]}


def _log(m: Measured | None) -> Feature | None:
    """log10 of a positive measurement; its interval's ends (a non-positive or unknown end → the value)."""
    if m is None or m.value is None or not m.value > 0 or not math.isfinite(m.value):
        return None
    v = math.log10(m.value)
    iv = m.interval
    lo = math.log10(iv.lo) if iv is not None and iv.lo is not None and iv.lo > 0 else (-math.inf if iv else v)
    hi = math.log10(iv.hi) if iv is not None and iv.hi is not None and iv.hi > 0 and math.isfinite(iv.hi) else (
        math.inf if iv else v)
    return Feature(v, min(lo, v), max(hi, v))


def _plain(m: Measured | None) -> Feature | None:
    if m is None or m.value is None or not math.isfinite(m.value):
        return None
    iv = m.interval
    lo = iv.lo if iv is not None and iv.lo is not None else m.value
    hi = iv.hi if iv is not None and iv.hi is not None else m.value
    return Feature(m.value, min(lo, m.value), max(hi, m.value))


def _improvement(m: Measurements) -> Feature | None:
    r = m.improvement_ratio
    if r is None or r.lo is None or r.hi is None or not (r.lo > 0 and r.hi > 0) or not math.isfinite(r.hi):
        return None
    lo, hi = math.log10(r.lo), math.log10(r.hi)
    return Feature(0.5 * (lo + hi), lo, hi)


def _point(x: float | None, log: bool = True) -> Feature | None:
    if x is None or not math.isfinite(x) or (log and x <= 0):
        return None
    v = math.log10(x) if log else x
    return Feature(v, v, v)


def _imbalance(m: Measurements) -> Feature | None:
    """log10 π_max/π_min; 0 (balanced) for problems without classes."""
    if m.class_imbalance is None:
        return Feature(0.0, 0.0, 0.0)
    return _point(m.class_imbalance)


# name: (what it is, extractor, whether it divides by the gradient)
CANDIDATES: dict[str, tuple[str, Callable[[Measurements], Feature | None], bool]] = {
    "log_improvement_ratio": ("log10 R(θ), midpoint of the interval (Eq. 6.30)", _improvement, True),
    "log_adam_rate": ("log10 κ_eff(H)/κ_eff(Ĥ), P = √diag(EF)+ε", lambda m: _log(m.adam_rate), False),
    "log_jacobi_rate": ("log10 κ_eff(H)/κ_eff(Ĥ), P = |diag(H)|", lambda m: _log(m.jacobi_rate), False),
    "log_adam_progress": ("log10 one-step progress ratio under P = √diag(EF)+ε", lambda m: _log(m.adam_progress),
                          True),
    "log_jacobi_progress": ("log10 one-step progress ratio under P = |diag(H)|", lambda m: _log(m.jacobi_progress),
                            True),
    "log_outlier_ratio": ("log10 λ_max/λ̄ (Eq. 6.23)", lambda m: _log(m.outlier_ratio), False),
    "log_rho_diag": ("log10 ρ_diag (Prop. 6.4)", lambda m: _log(m.rho_diag), False),
    "grad_density": ("gradient density φ (Eq. 6.29)", lambda m: _point(m.grad_density, log=False), True),
    "log_noise_to_signal": ("log10 η² (Eq. 4.9)", lambda m: _log(m.noise_to_signal), True),
    "coin_flip_share": ("share of coin-flip signs at the reference batch",
                        lambda m: _point(m.coin_flip_share, log=False), True),
    "block_js": ("averaged JS divergence of block spectra (nats)", lambda m: _plain(m.block_js), False),
    "block_top_spread": ("log10 max/min of block top eigenvalues", lambda m: _plain(m.block_top_spread), False),
    "log_class_imbalance": ("log10 π_max/π_min (0 without classes)", _imbalance, False),
    "log_race_ratio": ("log10 tuned-race loss ratio SGD+momentum/Adam", lambda m: _log(m.race_ratio), False),
}


def features(m: Measurements) -> dict[str, Feature | None]:
    """Every candidate feature; gradient-based ones are None at a stationary point."""
    return {name: (None if m.stationary and gradient_based else extract(m))
            for name, (_, extract, gradient_based) in CANDIDATES.items()}
