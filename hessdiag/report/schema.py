"""The JSON Schema (draft 2020-12) of the report, schema_version "1" (SPEC §8).

`hessdiag schema` prints it; the tests validate real reports against it. Sections are objects or
null (not measured in this run); every estimated number may be null (undefined at this θ, with the
reason in `warnings`). Keys named here are required; extra keys are allowed, so that a minor version
can add information without breaking validators.
"""

from __future__ import annotations

from typing import Any

from .document import SCHEMA_VERSION

NUM = {"type": ["number", "null"]}
INT = {"type": "integer", "minimum": 0}


def _obj(required: dict[str, Any], nullable: bool = True) -> dict[str, Any]:
    schema = {"type": ["object", "null"] if nullable else "object", "required": list(required),
              "properties": required}
    return schema


def _interval() -> dict[str, Any]:
    return {"type": ["array", "null"], "items": NUM, "minItems": 2, "maxItems": 2}


RITZ = _obj({"value": NUM, "residual": NUM}, nullable=False)

SECTIONS: dict[str, Any] = {
    "eigenvalues": _obj({"top": {"type": "array", "items": RITZ},
                         "bottom": {"type": ["array", "null"], "items": RITZ},
                         "matvecs": INT, "converged": {"type": "boolean"}}),
    "trace": _obj({"estimate": NUM, "stderr": NUM, "method": {"type": "string"}, "matvecs": INT}),
    "mean_abs_eigenvalue": _obj({"estimate": NUM, "stderr": NUM}),
    "density": _obj({"grid": {"type": "array", "items": NUM}, "values": {"type": "array", "items": NUM},
                     "nodes": {"type": "array"}, "weights": {"type": "array"}}),
    "ratios": {"type": ["object", "null"]},
    "L2": _obj({"value": NUM, "residual": NUM}),
    "Linf": _obj({"lo": NUM, "hi": NUM, "exact": {"type": ["boolean", "null"]},
                  "lo_source": {"type": ["string", "null"]}, "hi_source": {"type": ["string", "null"]}}),
    "rho_diag": _obj({"estimate": NUM, "ci": _interval(), "method": {"type": "string"},
                      "per_layer": {"type": ["object", "null"]}}),
    "grad_norm": _obj({"l2": NUM, "l1": NUM}),
    "grad_density": NUM,
    "improvement_ratio": _obj({"lo": NUM, "hi": NUM}),
    "noise": _obj({"noise_to_signal": _obj({"estimate": NUM, "ci": _interval()}), "trace_Sigma": NUM,
                   "batch_size": _obj({"m_star": NUM, "cabs": NUM}), "per_layer": {"type": ["object", "null"]},
                   "sign_agreement": _obj({"quantiles": {"type": ["object", "array", "null"]},
                                           "coin_flip_share": NUM}),
                   "alignment": _obj({"k_hat": {"type": ["number", "object", "null"]},
                                      "overlap": {"type": ["number", "object", "null"]}})}),
    "fisher": _obj({"top": {"type": ["object", "null"]}, "trace": {"type": ["object", "null"]},
                    "EF_over_F_trace": {"type": ["number", "object", "null"]},
                    "rel_fro": {"type": ["object", "null"]}, "overlap": {"type": ["object", "null"]},
                    "cos_precond_F_EF": _obj({"value": NUM, "damping": NUM}),
                    "residual_size": {"type": ["number", "object", "null"]}}),
    "step_sizes": _obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "gd_opt": NUM, "sign_1_over_Linf": NUM}),
    "recommendation": _obj({"call": {"enum": ["sign", "euclidean", "inconclusive"]},
                            "evidence": {"type": "array", "items": _obj(
                                {"quantity": {"type": "string"}, "value": {},
                                 "interval": {}, "favours": {"type": ["string", "null"]}}, nullable=False)},
                            "variance_adaptation": {}, "ef_warning": {}, "race": {"type": ["object", "null"]}}),
}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of a report document."""
    top = {
        "schema_version": {"const": SCHEMA_VERSION},
        "hessdiag_version": {"type": "string"},
        "problem": _obj({"d": INT, "n_samples": INT, "loss": {"enum": ["ce", "mse", "bce"]}, "loss_value": NUM,
                         "model": {"type": "string"}, "dtype": {"enum": ["float32", "float64"]},
                         "device": {"type": "string"}, "mode": {"const": "eval"}}, nullable=False),
        "settings": {"type": "object", "required": ["seed"], "properties": {"seed": {"type": "integer"}}},
        "timings": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        **SECTIONS,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://hessdiag.invalid/schema/report-{SCHEMA_VERSION}.json",
        "title": "hessdiag report",
        "description": "Curvature and gradient-noise diagnosis of a PyTorch checkpoint (SPEC §8).",
        "type": "object",
        "required": list(top),
        "properties": top,
    }
