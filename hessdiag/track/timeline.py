"""The timeline of a training run: one `TrackPoint` per checkpoint, and the `Timeline` document.

A point holds what the run's questions need, taken from the checkpoint's typed report: the sharpness
λ_max with its certified residual (SPEC §3) beside the edge of stability 2/η (Cohen et al., 2021: under
full-batch GD at step size η, λ_max rises to 2/η and hovers there), λ_min, tr(H), L2 = ‖H‖₂, the
interval of L∞ = ‖H‖_{∞,1} and of R = I_sign/I_GD (Eq. 6.30), the noise-to-signal ratio
η² = tr Σ/‖∇R‖² (Eq. 4.9) and the critical batch size m* = 2η² (thesis ch. 4), and the call.
A quantity whose section did not run (`--only`) or that is undefined at that θ is None (null in JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..report.document import Report, json_safe

TRACK_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Measured:
    """A value with its certified residual (eigenvalues) or standard error (estimates)."""

    value: float | None
    error: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "error": self.error}


@dataclass(frozen=True)
class TrackPoint:
    """One checkpoint of the timeline: its step, the file's sha256, and the measured quantities."""

    step: int
    checkpoint: str
    sha256: str
    step_source: str
    loss: float | None
    lambda_max: Measured | None
    lambda_min: Measured | None
    trace: Measured | None
    L2: Measured | None
    Linf: tuple[float | None, float | None] | None
    improvement_ratio: tuple[float | None, float | None] | None
    eta2: Measured | None  # estimate and [lo, hi] as error = None; ci in eta2_ci
    eta2_ci: tuple[float | None, float | None] | None
    m_star: float | None
    call: str | None
    lanczos_matvecs: int | None
    warm_start: bool = False
    cached: bool = False
    lr: float | None = None

    @property
    def edge_of_stability(self) -> float | None:
        """2/η, the largest λ_max at which GD with step size η is stable on a quadratic."""
        return None if not self.lr else 2.0 / self.lr

    @property
    def sharpness_over_edge(self) -> float | None:
        """λ_max / (2/η) = λ_max·η/2: 1 at the edge of stability."""
        if self.lambda_max is None or self.lambda_max.value is None or not self.lr:
            return None
        return self.lambda_max.value * self.lr / 2.0

    def as_dict(self) -> dict[str, Any]:
        out = {k: (v.as_dict() if isinstance(v, Measured) else v) for k, v in vars(self).items()}
        out["Linf"] = None if self.Linf is None else list(self.Linf)
        out["improvement_ratio"] = None if self.improvement_ratio is None else list(self.improvement_ratio)
        out["eta2_ci"] = None if self.eta2_ci is None else list(self.eta2_ci)
        out["two_over_lr"] = self.edge_of_stability
        out["sharpness_over_edge"] = self.sharpness_over_edge
        return json_safe(out)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrackPoint":
        """The inverse of `as_dict` (a cache entry or a timeline file)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("lambda_max", "lambda_min", "trace", "L2", "eta2"):
            if values.get(key) is not None:
                values[key] = Measured(values[key]["value"], values[key]["error"])
        for key in ("Linf", "improvement_ratio", "eta2_ci"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        return cls(**values)


def _finite(x: Any) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def point_from_report(report: Report, *, step: int, checkpoint: str, sha256: str, step_source: str,
                      warm_start: bool = False, lr: float | None = None) -> TrackPoint:
    """The timeline point of one checkpoint's report (its typed section results)."""
    spectrum, geometry, noise = report.results.get("spectrum"), report.results.get("geometry"), \
        report.results.get("noise")
    recommendation = report.results.get("recommendation")
    lmax = lmin = trace = l2 = None
    matvecs = None
    if spectrum is not None:
        top, bottom = spectrum.top.values[0], spectrum.bottom.values[0]
        lmax, lmin = Measured(top.value, top.residual), Measured(bottom.value, bottom.residual)
        trace = Measured(_finite(spectrum.trace.estimate), _finite(spectrum.trace.stderr))
        l2 = Measured(spectrum.L2.value, spectrum.L2.residual)
        matvecs = spectrum.top.matvecs + spectrum.bottom.matvecs
    linf = ratio = None
    if geometry is not None:
        linf = (_finite(geometry.Linf.lo), _finite(geometry.Linf.hi))
        if geometry.improvement_ratio is not None:
            ratio = (_finite(geometry.improvement_ratio.lo), _finite(geometry.improvement_ratio.hi))
    eta2 = eta2_ci = m_star = None
    if noise is not None:
        scalars = noise.scalars
        eta2, eta2_ci, m_star = Measured(scalars.eta2.estimate), tuple(scalars.eta2.as_list()), scalars.m_star
    call = None if recommendation is None else recommendation.call
    return TrackPoint(step=step, checkpoint=checkpoint, sha256=sha256, step_source=step_source,
                      loss=_finite(report.problem.loss_value), lambda_max=lmax, lambda_min=lmin, trace=trace, L2=l2,
                      Linf=linf, improvement_ratio=ratio, eta2=eta2, eta2_ci=eta2_ci, m_star=m_star, call=call,
                      lanczos_matvecs=matvecs, warm_start=warm_start, lr=lr)


@dataclass
class Timeline:
    """The points of a run in step order, with the run's settings, counts and warnings."""

    hessdiag_version: str
    source: str
    settings: dict[str, Any]
    points: list[TrackPoint] = field(default_factory=list)
    diagnosed: int = 0  # checkpoints diagnosed in this run (the others came from the cache)
    warnings: list[str] = field(default_factory=list)
    complete: bool = True  # False: interrupted, or a Tracker still recording

    @property
    def cached(self) -> int:
        return sum(p.cached for p in self.points)

    def to_dict(self) -> dict[str, Any]:
        return json_safe({
            "schema_version": TRACK_SCHEMA_VERSION, "kind": "hessdiag-track",
            "hessdiag_version": self.hessdiag_version, "source": self.source, "settings": dict(self.settings),
            "checkpoints": len(self.points), "diagnosed": self.diagnosed, "cached": self.cached,
            "complete": self.complete, "warnings": list(self.warnings),
            "points": [p.as_dict() for p in self.points],
        })

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"
