"""The JSON Schema (draft 2020-12) of the report, schema_version "1" (SPEC §8).

`hessdiag schema` prints it; the tests validate real reports against it. The header (problem,
settings, timings, warnings) is declared here; every other key comes from the section that owns it
(`Section.keys`), so the schema, the document and `--fail-if` agree by construction. Sections are
objects or null (not measured in this run); every estimated number may be null (undefined at this θ,
with the reason in `warnings`). Keys named here are required; extra keys are allowed, so that a minor
version can add information without breaking validators. The helpers below build the fragments.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .document import SCHEMA_VERSION
from .section import Section

NUM = {"type": ["number", "null"]}
# An annotation keyword (validators ignore it): a list holds at most as many entries as this setting
# (`top_k`), so that `--fail-if` refuses an index past the end before any work.
LENGTH_SETTING = "x-hessdiag-length-setting"
INT = {"type": "integer", "minimum": 0}
STR = {"type": "string"}
BOOL = {"type": "boolean"}


def obj(required: Mapping[str, Any], nullable: bool = True) -> dict[str, Any]:
    """An object with these required properties (null allowed unless `nullable` is False)."""
    return {"type": ["object", "null"] if nullable else "object", "required": list(required),
            "properties": dict(required)}


def interval() -> dict[str, Any]:
    """[lo, hi] or null; either end may be null."""
    return {"type": ["array", "null"], "items": NUM, "minItems": 2, "maxItems": 2}


def nullable(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"type": "null"}, dict(schema)]}


RITZ = obj({"value": NUM, "residual": NUM, "bound": {"enum": ["residual", "gap"]}, "residual_norm": NUM},
           nullable=False)
EST = obj({"estimate": NUM, "stderr": NUM}, nullable=False)


def filled_by(sections: Iterable[Section]) -> dict[str, tuple[str, ...]]:
    """Which report keys each section fills (its own keys and those it `fills` for others)."""
    return {s.name: tuple(s.keys) + tuple(s.fills) for s in sections}


def unfilled_keys(sections: Iterable[Section], only: Iterable[str]) -> set[str]:
    """Report keys that stay null when only the sections named in `only` (and the stages) run."""
    sections = list(sections)
    running = set(only) | {s.name for s in sections if not s.optional}
    filled = filled_by(sections)
    everything = {key for keys in filled.values() for key in keys}
    return everything - {key for name, keys in filled.items() if name in running for key in keys}


def report_schema(sections: Iterable[Section], problem_losses: Iterable[str]) -> dict[str, Any]:
    """The JSON Schema of a report document with these sections."""
    top: dict[str, Any] = {
        "schema_version": {"const": SCHEMA_VERSION},
        "hessdiag_version": STR,
        "problem": obj({"d": INT, "n_samples": INT, "loss": {"enum": list(problem_losses)}, "loss_value": NUM,
                        "model": STR, "dtype": {"enum": ["float32", "float64"]}, "device": STR,
                        "mode": {"const": "eval"}}, nullable=False),
        "settings": {"type": "object", "required": ["seed"], "properties": {
            "seed": {"type": "integer"},
            "distributed": obj({"world_size": INT, "backend": {"type": ["string", "null"]},
                                "devices": {"type": "array", "items": {"type": "string"}}}),
        }},
        "timings": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "warnings": {"type": "array", "items": STR},
    }
    for section in sections:
        for key, spec in section.keys.items():
            if key in top:
                raise ValueError(f"report key '{key}' is declared twice (section '{section.name}')")
            top[key] = dict(spec.schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://hessdiag.invalid/schema/report-{SCHEMA_VERSION}.json",
        "title": "hessdiag report",
        "description": "Curvature and gradient-noise diagnosis of a PyTorch checkpoint (SPEC §8).",
        "type": "object",
        "required": list(top),
        "properties": top,
    }
