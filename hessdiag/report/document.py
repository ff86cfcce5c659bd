"""The report: what a run measured, as typed section results, and its JSON form (SPEC §8, schema "1").

`Report` is what `hessdiag.diagnose` returns and what the terminal, JSON and HTML renderers read. It
holds the problem's description, the settings and choices of the run, its timings and warnings, the
registered sections (run or not) and the typed result of each section that ran; `report.<section>`
gives that result (None when the section did not run). `to_dict()` is the one place the JSON document
is assembled: every key of every registered section appears, null when its section did not run.
Non-finite numbers become `null` (JSON has no NaN); the reason is then in `warnings`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from .section import Section

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
    """Everything one run measured: typed results by section name (a section not run is absent)."""

    hessdiag_version: str
    problem: ProblemInfo
    settings: dict[str, Any]
    sections: tuple[Section, ...]
    results: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        """`report.spectrum`, `report.geometry`, …: a section's result, None when it did not run."""
        sections = self.__dict__.get("sections", ())
        if any(section.name == name for section in sections):
            return self.__dict__["results"].get(name)
        raise AttributeError(f"'Report' has no attribute or section {name!r}")

    def ran(self) -> list[tuple[Section, Any]]:
        """(section, result) for every section that ran, in registry order."""
        return [(s, self.results[s.name]) for s in self.sections if s.name in self.results]

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "hessdiag_version": self.hessdiag_version,
            "problem": vars(self.problem).copy(),
            "settings": dict(self.settings),
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
            "warnings": list(self.warnings),
        }
        for section in self.sections:
            for key in section.keys:
                doc[key] = None
        for section, result in self.ran():
            for key, value in section.to_json(result).items():
                if key in section.keys or doc.get(key) is None:  # a `fills` key only where its owner left null
                    doc[key] = _as_json(value)
        return json_safe(doc)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"


def _as_json(value: Any) -> Any:
    return value.as_dict() if hasattr(value, "as_dict") else value


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
