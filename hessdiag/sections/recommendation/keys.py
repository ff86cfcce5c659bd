"""The schema fragment of the recommendation (SPEC §8)."""

from __future__ import annotations

from ...report.schema import INT, NUM, interval, obj

RACE = obj({"steps": INT, "gd_step": NUM, "sign_step": NUM, "gd_losses": {"type": "array", "items": NUM},
            "sign_losses": {"type": "array", "items": NUM}, "winner": {"enum": ["sign", "euclidean", "tie"]},
            "agrees": {"type": ["boolean", "null"]}})

SCHEMA = obj({
    "call": {"enum": ["sign", "euclidean", "inconclusive"]},
    "summary": {"type": "string"},
    "evidence": {"type": "array", "items": obj(
        {"quantity": {"type": "string"}, "value": NUM, "interval": interval(),
         "favours": {"enum": ["sign", "euclidean", "neither"]}}, nullable=False)},
    "settle": {"type": ["string", "null"]},
    "variance_adaptation": obj({"worth_it": {"type": ["boolean", "null"]}, "reason": {"type": "string"}},
                               nullable=False),
    "ef_warning": obj({"warn": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}}),
    "step_sizes": obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "sign_1_over_Linf": NUM}, nullable=False),
    "batch_size": obj({"m_star": NUM, "cabs": NUM}, nullable=False),
    "race": RACE})
