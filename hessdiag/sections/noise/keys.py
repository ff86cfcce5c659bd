"""The JSON key of the noise section: its title and schema fragment (SPEC §8)."""

from __future__ import annotations

from ...report.schema import EST, NUM, interval, nullable, obj
from ...report.section import Key

KEYS = {
    "noise": Key("Gradient noise", obj({
        "noise_to_signal": obj({"estimate": NUM, "ci": interval()}), "trace_Sigma": NUM,
        "batch_size": obj({"m_star": NUM, "cabs": NUM}), "per_layer": {"type": ["object", "null"]},
        "sign_agreement": obj({"quantiles": {"type": ["object", "null"]}, "coin_flip_share": NUM}),
        "alignment": obj({"k_hat": nullable(EST), "overlap": {"type": ["object", "null"]}})})),
}
