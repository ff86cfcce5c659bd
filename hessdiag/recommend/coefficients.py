"""The fitted rules of the call, with their provenance (printed by `scripts/bench_recommendation.py --fit`,
scripts/recommendation_bench/rule_fit.py, and pasted here).

Selection procedure (rule_fit.py): for each rule variant, the one candidate feature and margin μ ∈ {0, ½, 1}
maximising the leave-one-kind-out utility right − 2·wrong − ¼·inconclusive on the benchmark, then a
class-balanced L2 logistic regression (C = 1) of "the sign family wins" on the clear cases. The figures in
`provenance` are NESTED leave-one-kind-out: for each kind of problem the whole selection ran on the other
kinds and the rule it chose called the held-out kind's two checkpoints; no case is scored by a rule fitted
on it. The benchmark: scripts/recommendation_bench (tuned SGD+momentum vs Adam/Signum, 300 steps, 3 seeds,
a family wins when its best final loss is ≥ 1.25× lower).

- NO_RACE / WITH_RACE: the gradient density φ = ‖g‖₁²/(d‖g‖₂²) (Eq. 6.29). A LOW density (the gradient's
  mass on few coordinates, coordinates on very different scales) forecasts the sign family — the
  per-coordinate normalisation of Adam/sign descent pays where coordinates differ in scale. With the race
  allowed as a candidate, the selection still chose φ in every fold, so the two rules coincide.
- CURVATURE (stationary points, where φ and every ratio divided by the gradient compare rounding noise):
  the tuned race's log loss ratio; without a race the call at a stationary point is inconclusive.
"""

from __future__ import annotations

from .features import Feature
from .rule import LogisticRule, Term

_BENCHMARK = "ground truth f61aaf478b63774b (26 cases), evidence v3, race study v2"

NO_RACE = LogisticRule(
    name="no_race", intercept=0.509479, margin=0.0,
    terms=(Term("grad_density", -1.45082, 0.329506, 0.214093),),
    provenance={"fitted": "2026-12-03", "benchmark": _BENCHMARK, "cases": 24, "kinds": 12, "clear_cases": 17,
                "cross_validation": "nested leave-one-kind-out over the 12 kinds",
                "accuracy_clear": 0.8824, "wrong_conclusive": 0.1176, "inconclusive_share": 0.0,
                "balanced_accuracy": 0.8583},
)
WITH_RACE = NO_RACE
CURVATURE = LogisticRule(
    name="curvature", intercept=0.207461, margin=0.0,
    terms=(Term("log_race_ratio", 1.11164, -0.020842, 0.422421),),
    provenance={"fitted": "2026-12-03", "benchmark": _BENCHMARK, "cases": 24, "kinds": 12, "clear_cases": 17,
                "cross_validation": "nested leave-one-kind-out over the 12 kinds",
                "accuracy_clear": 0.7647, "wrong_conclusive": 0.1875, "inconclusive_share": 0.0417,
                "balanced_accuracy": 0.775},
)
# Whether the race's winner settles a call the rule leaves inconclusive: the chosen margin is 0, so the
# rule is inconclusive only where its feature is missing; nested CV of the tiebreak variant scored the same.
RACE_TIEBREAK = False


def rule_for(feats: dict[str, Feature | None], stationary: bool = False) -> LogisticRule:
    """At a stationary point the curvature rule (no feature divides by the gradient); otherwise the
    rule with the race when the race ran, the one without it when it did not."""
    if stationary:
        return CURVATURE
    return WITH_RACE if feats.get("log_race_ratio") is not None else NO_RACE
