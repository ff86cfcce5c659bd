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

EST = _obj({"estimate": NUM, "stderr": NUM}, nullable=False)
FAMILY = ("H", "GGN", "F_mc", "EF")
_RACE = _obj({"steps": INT, "gd_step": NUM, "sign_step": NUM, "gd_losses": {"type": "array", "items": NUM},
              "sign_losses": {"type": "array", "items": NUM}, "winner": {"enum": ["sign", "euclidean", "tie"]},
              "agrees": {"type": ["boolean", "null"]}})

SECTIONS: dict[str, Any] = {
    "eigenvalues": _obj({"top": {"type": "array", "items": RITZ},
                         "bottom": {"type": ["array", "null"], "items": RITZ},
                         "matvecs": INT, "converged": {"type": "boolean"}}),
    "trace": _obj({"estimate": NUM, "stderr": NUM, "method": {"type": "string"}, "matvecs": INT}),
    "mean_abs_eigenvalue": _obj({"estimate": NUM, "stderr": NUM}),
    "density": _obj({"grid": {"type": "array", "items": NUM}, "values": {"type": "array", "items": NUM},
                     "nodes": {"type": "array"}, "weights": {"type": "array"}}),
    "ratios": _obj({"lmax_over_mean_abs": _obj({"value": NUM, "stderr": NUM}),
                    "lmax_over_lmin_positive": _obj({"value": NUM, "lo": NUM, "hi": NUM})}),
    "L2": _obj({"value": NUM, "residual": NUM}),
    "Linf": _obj({"lo": NUM, "hi": NUM, "exact": {"type": ["boolean", "null"]},
                  "lo_source": {"type": ["string", "null"]}, "hi_source": {"type": ["string", "null"]}}),
    "rho_diag": _obj({"estimate": NUM, "ci": _interval(), "method": {"type": "string"},
                      "per_layer": {"type": ["object", "null"],
                                    "additionalProperties": _obj({"estimate": NUM, "ci": _interval()})}}),
    "grad_norm": _obj({"l2": NUM, "l1": NUM}),
    "grad_density": NUM,
    "improvement_ratio": _obj({"lo": NUM, "hi": NUM}),
    "noise": _obj({"noise_to_signal": _obj({"estimate": NUM, "ci": _interval()}), "trace_Sigma": NUM,
                   "batch_size": _obj({"m_star": NUM, "cabs": NUM}), "per_layer": {"type": ["object", "null"]},
                   "sign_agreement": _obj({"quantiles": {"type": ["object", "null"]}, "coin_flip_share": NUM}),
                   "alignment": _obj({"k_hat": {"oneOf": [{"type": "null"}, EST]},
                                      "overlap": {"type": ["object", "null"]}})}),
    "fisher": _obj({"top": _obj({k: {"type": ["array", "null"], "items": RITZ} for k in FAMILY}),
                    "trace": _obj({k: {"oneOf": [{"type": "null"}, EST]} for k in FAMILY}),
                    "EF_over_F_trace": NUM,
                    "rel_fro": _obj({"EF_vs_F": {"oneOf": [{"type": "null"}, EST]},
                                     "F_vs_H": {"oneOf": [{"type": "null"}, EST]}}),
                    "overlap": {"type": ["object", "null"]},
                    "cos_precond_F_EF": _obj({"value": NUM, "damping": NUM}),
                    "residual_size": NUM}),
    "step_sizes": _obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "gd_opt": NUM, "sign_1_over_Linf": NUM}),
    "recommendation": _obj({
        "call": {"enum": ["sign", "euclidean", "inconclusive"]},
        "summary": {"type": "string"},
        "evidence": {"type": "array", "items": _obj(
            {"quantity": {"type": "string"}, "value": NUM, "interval": _interval(),
             "favours": {"enum": ["sign", "euclidean", "neither"]}}, nullable=False)},
        "settle": {"type": ["string", "null"]},
        "variance_adaptation": _obj({"worth_it": {"type": ["boolean", "null"]}, "reason": {"type": "string"}},
                                    nullable=False),
        "ef_warning": _obj({"warn": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}}),
        "step_sizes": _obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "sign_1_over_Linf": NUM}, nullable=False),
        "batch_size": _obj({"m_star": NUM, "cabs": NUM}, nullable=False),
        "race": _RACE}),
}


# Which `--only` sections fill which report keys (a key no requested section fills is null).
FILLED_BY: dict[str, tuple[str, ...]] = {
    "spectrum": ("eigenvalues", "trace", "mean_abs_eigenvalue", "density", "ratios", "L2", "step_sizes"),
    "geometry": ("L2", "Linf", "rho_diag", "grad_norm", "grad_density", "improvement_ratio"),
    "noise": ("noise",),
    "fisher": ("fisher",),
}


def unfilled_keys(sections: tuple[str, ...]) -> set[str]:
    """Report keys that stay null when only `sections` run."""
    everything = {key for keys in FILLED_BY.values() for key in keys}
    return everything - {key for section in sections for key in FILLED_BY[section]}


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
