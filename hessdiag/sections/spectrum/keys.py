"""The JSON keys of the spectrum section: titles and schema fragments (SPEC §8)."""

from __future__ import annotations

from ...report.schema import INT, LENGTH_SETTING, NUM, RITZ, obj
from ...report.section import Key

KEYS = {
    "eigenvalues": Key("Eigenvalues", obj({"top": {"type": "array", "items": RITZ, LENGTH_SETTING: "top_k"},
                                           "bottom": {"type": ["array", "null"], "items": RITZ,
                                                      LENGTH_SETTING: "top_k"},
                                           "matvecs": INT, "converged": {"type": "boolean"}})),
    "trace": Key("Trace", obj({"estimate": NUM, "stderr": NUM, "method": {"type": "string"}, "matvecs": INT})),
    "mean_abs_eigenvalue": Key("Mean absolute eigenvalue", obj({"estimate": NUM, "stderr": NUM})),
    "density": Key("Spectral density", obj({"grid": {"type": "array", "items": NUM},
                                            "values": {"type": "array", "items": NUM},
                                            "nodes": {"type": "array"}, "weights": {"type": "array"}})),
    "ratios": Key("Spectral ratios", obj({"lmax_over_mean_abs": obj({"value": NUM, "stderr": NUM}),
                                          "lmax_over_lmin_positive": obj({"value": NUM, "lo": NUM, "hi": NUM})})),
    "L2": Key("Spectral norm L2", obj({"value": NUM, "residual": NUM})),
    "step_sizes": Key("Step sizes", obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "gd_opt": NUM,
                                         "sign_1_over_Linf": NUM})),
}
