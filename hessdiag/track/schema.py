"""The JSON Schema (draft 2020-12) of the timeline `hessdiag track` writes (`hessdiag schema --track`).

Every measured number may be null: its section did not run (`--only`) or it is undefined at that
checkpoint (the reason is then in `warnings`, prefixed with the step). Extra keys are allowed.
"""

from __future__ import annotations

from typing import Any

from ..report.schema import BOOL, INT, NUM, STR, interval, obj
from .timeline import TRACK_SCHEMA_VERSION

MEASURED = obj({"value": NUM, "error": NUM})
CALLS = {"enum": ["sign", "euclidean", "inconclusive", None]}


def point_schema() -> dict[str, Any]:
    return obj({
        "step": {"type": "integer"}, "checkpoint": STR, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "step_source": {"enum": ["name", "entry", "order", "tracker"]}, "loss": NUM,
        "lambda_max": MEASURED, "lambda_min": MEASURED, "trace": MEASURED, "L2": MEASURED,
        "Linf": interval(), "improvement_ratio": interval(), "eta2": MEASURED, "eta2_ci": interval(),
        "m_star": NUM, "call": CALLS, "lanczos_matvecs": {"type": ["integer", "null"], "minimum": 0},
        "warm_start": BOOL, "cached": BOOL, "lr": NUM, "two_over_lr": NUM, "sharpness_over_edge": NUM,
    }, nullable=False)


def track_schema() -> dict[str, Any]:
    """The schema of a timeline document."""
    top = {
        "schema_version": {"const": TRACK_SCHEMA_VERSION}, "kind": {"const": "hessdiag-track"},
        "hessdiag_version": STR, "source": STR,
        "settings": {"type": "object", "required": ["seed"], "properties": {"seed": {"type": "integer"}}},
        "checkpoints": INT, "diagnosed": INT, "cached": INT, "complete": BOOL,
        "warnings": {"type": "array", "items": STR},
        "points": {"type": "array", "items": point_schema()},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://hessdiag.invalid/schema/track-{TRACK_SCHEMA_VERSION}.json",
        "title": "hessdiag track timeline",
        "description": "Curvature and gradient noise across the checkpoints of a training run (hessdiag track).",
        "type": "object", "required": list(top), "properties": top,
    }
