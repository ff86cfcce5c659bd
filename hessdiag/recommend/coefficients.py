"""The fitted rules of the call, with their provenance (written by scripts/recommendation_bench/rule_fit.py).

PROVISIONAL: the R(θ)-only call written as a score (s = log10 R), until the benchmark fit lands.
"""

from __future__ import annotations

from .features import Feature
from .rule import LogisticRule, Term

NO_RACE = LogisticRule(
    name="provisional R(θ) only", intercept=0.0, margin=0.0,
    terms=(Term("log_improvement_ratio", 1.0, 0.0, 1.0),),
    provenance={"fitted": None, "accuracy_clear": 0.0, "wrong_conclusive": 0.0},
)
WITH_RACE = NO_RACE
CURVATURE = NO_RACE
# Whether the race's winner settles a call the rule leaves inconclusive (decided on the benchmark).
RACE_TIEBREAK = False


def rule_for(feats: dict[str, Feature | None], stationary: bool = False) -> LogisticRule:
    """At a stationary point the curvature rule (no feature divides by the gradient); otherwise the
    rule with the race when the race ran, the one without it when it did not."""
    if stationary:
        return CURVATURE
    return WITH_RACE if feats.get("log_race_ratio") is not None else NO_RACE
