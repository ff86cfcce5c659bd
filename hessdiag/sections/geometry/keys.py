"""The JSON keys of the geometry section: titles and schema fragments (SPEC §8)."""

from __future__ import annotations

from ...report.schema import NUM, interval, obj
from ...report.section import Key

KEYS = {
    "Linf": Key("L∞ smoothness", obj({"lo": NUM, "hi": NUM, "exact": {"type": ["boolean", "null"]},
                                      "lo_source": {"type": ["string", "null"]},
                                      "hi_source": {"type": ["string", "null"]}})),
    "rho_diag": Key("Diagonal concentration ρ_diag", obj({
        "estimate": NUM, "ci": interval(), "method": {"type": "string"},
        "per_layer": {"type": ["object", "null"], "additionalProperties": obj({"estimate": NUM, "ci": interval()})}})),
    "grad_norm": Key("Gradient norm", obj({"l2": NUM, "l1": NUM})),
    "grad_density": Key("Gradient density φ", NUM),
    "improvement_ratio": Key("Sign-vs-GD improvement ratio R", obj({"lo": NUM, "hi": NUM})),
}
