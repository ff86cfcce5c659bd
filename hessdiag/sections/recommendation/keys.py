"""The schema fragment of the recommendation (SPEC §8)."""

from __future__ import annotations

from ...report.schema import INT, NUM, STR, interval, obj

FAMILY = obj({"lrs": {"type": "array", "items": NUM}, "best_lr": NUM, "best_median": NUM,
              "edge": {"enum": ["low", "high", None]}, "best_curve": {"type": "array", "items": NUM}}, nullable=False)
RACE = obj({"steps": INT, "batch_size": INT, "seeds": INT, "checkpoints": {"type": "array", "items": INT},
            "families": obj({"sgdm": FAMILY, "adam": FAMILY}, nullable=False), "ratio": NUM,
            "ratio_range": interval(), "ratio_interval": interval(), "winner": {"enum": ["sign", "euclidean", "tie"]},
            "agrees": {"type": ["boolean", "null"]}, "minibatch_steps": INT,
            "rounding": obj({"relative_perturbation": NUM, "final_loss_change": obj({"sgdm": NUM, "adam": NUM}),
                             "seed0_ratio": NUM, "seed0_ratio_perturbed": NUM,
                             "winner_settled": {"type": "boolean"}})})

_CALLS = obj({"sign": INT, "euclidean": INT, "inconclusive": INT}, nullable=False)
BENCHMARK = obj({"fitted": STR, "benchmark": STR, "cases": INT, "kinds": INT, "clear_cases": INT,
                 "cross_validation": STR, "right_clear": INT, "accuracy_clear": NUM,
                 "accuracy_clear_interval": interval(), "wrong_conclusive": NUM, "inconclusive_share": NUM,
                 "recall_sign": NUM, "recall_euclidean": NUM, "balanced_accuracy": NUM,
                 "per_seed_accuracy_clear": {"type": "array", "items": NUM},
                 "confusion": obj({"sign": _CALLS, "euclidean": _CALLS, "tie": _CALLS}, nullable=False),
                 "constant_sign": obj({"accuracy_clear": NUM, "balanced_accuracy": NUM, "rule_better": INT,
                                       "rule_worse": INT}, nullable=False)}, nullable=False)
RULE = obj({"name": STR, "description": STR, "margin": NUM, "intercept": NUM, "score": NUM,
            "score_interval": interval(), "probability_sign": NUM, "missing": {"type": "array", "items": STR},
            "terms": {"type": "array", "items": obj({"feature": STR, "weight": NUM, "contribution": NUM,
                                                      "fitted_range": interval(),
                                                      "outside_fitted_range": {"type": "boolean"}},
                                                     nullable=False)},
            "race_tiebreak": {"type": "boolean"}, "settled_by_race": {"type": "boolean"},
            "benchmark": BENCHMARK})

FEATURE = {"oneOf": [{"type": "null"}, obj({"value": NUM, "interval": interval()}, nullable=False)]}

SCHEMA = obj({
    "call": {"enum": ["sign", "euclidean", "inconclusive"]},
    "summary": {"type": "string"},
    "rule": RULE,
    "evidence": {"type": "array", "items": obj(
        {"quantity": {"type": "string"}, "value": NUM, "interval": interval(),
         "favours": {"enum": ["sign", "euclidean", "neither"]}}, nullable=False)},
    "features": {"type": "object", "additionalProperties": FEATURE},
    "settle": {"type": ["string", "null"]},
    "variance_adaptation": obj({"worth_it": {"type": ["boolean", "null"]}, "reason": {"type": "string"}},
                               nullable=False),
    "ef_warning": obj({"warn": {"type": "boolean"}, "reasons": {"type": "array", "items": {"type": "string"}}}),
    "step_sizes": obj({"gd_1_over_L2": NUM, "gd_max_2_over_lmax": NUM, "sign_1_over_Linf": NUM}, nullable=False),
    "batch_size": obj({"m_star": NUM, "cabs": NUM}, nullable=False),
    "stationarity": obj({"grad_norm": NUM, "rounding_floor": NUM, "stationary": {"type": "boolean"}}),
    "race": RACE})
