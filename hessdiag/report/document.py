"""The report: what a run measured, as typed results, and its JSON form (SPEC §8, schema "1").

`Report` is what `hessdiag.diagnose` returns and what the terminal, JSON and HTML renderers read.
`to_dict()` gives the JSON document; keys follow SPEC §8 exactly, since users' scripts depend on them.
Non-finite numbers become `null` (JSON has no NaN); the reason is then in `warnings`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..estimators.extremes import SpectralNorm
from ..estimators.lanczos import LanczosResult

SCHEMA_VERSION = "1"


@dataclass
class ProblemInfo:
    d: int
    n_samples: int
    loss: str
    loss_value: float
    model: str
    dtype: str
    device: str
    mode: str = "eval"


@dataclass
class Report:
    """Everything one run measured. A section that was not computed is None (null in JSON).

    Result objects expose `as_dict()`, which gives their JSON form under the SPEC §8 key.
    """

    hessdiag_version: str
    problem: ProblemInfo
    settings: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # spectrum (SPEC §3)
    top: LanczosResult | None = None
    bottom: LanczosResult | None = None
    trace: Any = None
    mean_abs_eigenvalue: Any = None
    density: Any = None
    ratios: Any = None
    L2: SpectralNorm | None = None
    step_sizes: Any = None
    # geometry (SPEC §4)
    Linf: Any = None
    rho_diag: Any = None
    grad_norm: Any = None
    grad_density: Any = None
    improvement_ratio: Any = None
    # noise and Fisher family (SPEC §5–6)
    noise: Any = None
    fisher: Any = None
    # decision (SPEC §7)
    recommendation: Any = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "hessdiag_version": self.hessdiag_version,
            "problem": vars(self.problem).copy(),
            "settings": dict(self.settings),
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
            "eigenvalues": _eigenvalues(self.top, self.bottom),
        }
        for key in SECTION_KEYS:
            doc[key] = _as_json(getattr(self, key))
        return json_safe(doc)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"


SECTION_KEYS = ("trace", "mean_abs_eigenvalue", "density", "ratios", "L2", "Linf", "rho_diag", "grad_norm",
                "grad_density", "improvement_ratio", "noise", "fisher", "step_sizes", "recommendation")


def _as_json(value: Any) -> Any:
    return value.as_dict() if hasattr(value, "as_dict") else value


def _eigenvalues(top: LanczosResult | None, bottom: LanczosResult | None) -> dict[str, Any] | None:
    if top is None:
        return None
    section: dict[str, Any] = {
        "top": top.as_dict()["values"],
        "bottom": bottom.as_dict()["values"] if bottom else None,
        "matvecs": top.matvecs,
        "converged": top.converged,
    }
    if bottom is not None:
        section["bottom_matvecs"] = bottom.matvecs
        section["bottom_converged"] = bottom.converged
    return section


def json_safe(value: Any) -> Any:
    """Recursively replace NaN/±Inf by None and numpy scalars by Python numbers."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
