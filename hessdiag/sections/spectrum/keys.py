"""The JSON keys of the spectrum section: titles and schema fragments (SPEC §8)."""

from __future__ import annotations

from ...report.schema import BOOL, INT, LENGTH_SETTING, NUM, RITZ, nullable, obj
from ...report.section import Key

# How many copies of each reported value a run showed, the most it could show, and whether one may hide more.
COPIES = obj({"copies": {"type": "array", "items": INT}, "limit": {"type": ["integer", "null"]},
              "copies_hidden": BOOL, "block_size": INT}, nullable=False)

KEYS = {
    "eigenvalues": Key("Eigenvalues", obj({"top": {"type": "array", "items": RITZ, LENGTH_SETTING: "top_k"},
                                           "bottom": {"type": ["array", "null"], "items": RITZ,
                                                      LENGTH_SETTING: "top_k"},
                                           "matvecs": INT, "converged": {"type": "boolean"},
                                           "multiplicity": obj({"block_size": INT, "top": COPIES,
                                                                "bottom": nullable(COPIES)})})),
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
