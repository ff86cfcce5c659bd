"""The fitted rules of the call, with their provenance (printed by `scripts/bench_recommendation.py --fit`,
scripts/recommendation_bench/rule_fit.py, and pasted here).

Selection procedure (rule_fit.py): for each rule variant, the one candidate feature and margin μ ∈ {0, ½, 1}
maximising the leave-one-kind-out utility right − 2·wrong − ¼·inconclusive on the benchmark, then a
class-balanced L2 logistic regression (C = 1) of "the sign family wins" on the clear cases. The figures in
`provenance` are NESTED leave-one-kind-out: for each kind of problem the whole selection ran on the other
kinds and the rule it chose called the held-out kind's two checkpoints; no case is scored by a rule fitted
on it. `provenance` holds those calls as counts (`BenchmarkScore`), and every share is derived from them. The
benchmark: scripts/recommendation_bench (tuned SGD+momentum vs Adam/Signum, 300 steps, 3 seeds,
a family wins when its best final loss is ≥ 1.25× lower).

- NO_RACE: the Jacobi rate ratio log10 κ_eff(H)/κ_eff(P⁻¹ᐟ²HP⁻¹ᐟ²), P = |diag(H)|: how much a diagonal
  preconditioner shortens the condition; a HIGH ratio forecasts the sign family. The selection without a race is
  unstable (φ from 32 to 88 cases, then the Jacobi rate; different features in different folds), and on 104 cases
  its nested balanced accuracy is 36 %, worse than any constant answer: the recommendation shows its score as
  evidence and makes no call from it (`BenchmarkScore.skilful`).
- WITH_RACE: when the tuned race ran (the default), its log loss ratio: from 88 cases on the selection on all
  kinds chooses the race over every measured feature (on 72 and before, φ). Every benchmark case has a race; on
  softmax_wine_std_warm SGD's loss reached exactly 0, the ratio's log is undefined and the feature missing.
- CURVATURE (stationary points, where φ and every ratio divided by the gradient compare rounding noise):
  the tuned race's log loss ratio; without a race the call at a stationary point is inconclusive.

On 104 cases the rule with the race is right on 38 of 54 clear cases, two fewer than the constant answer "always
sign-based" (40), and beats it on balanced accuracy (66 % against 50 %). The figures below are nested, and the
report states them beside the constant's with each call.
"""

from __future__ import annotations

from dataclasses import replace

from .benchmark_score import BenchmarkScore
from .features import Feature
from .rule import LogisticRule, Term

_BENCHMARK = "ground truth f61aaf478b63774b (104 cases), evidence v4, race study v2"
_NESTED = {"fitted": "2026-12-05", "benchmark": _BENCHMARK, "kinds": 52,
           "cross_validation": "nested leave-one-kind-out over the 52 kinds"}

# Refitted on 104 cases after a fourteenth prospective round (prospective.json; lsq_powerlaw_axis, lsq_powerlaw_steep,
# rff_digits, mlp_tanh_digits, called by the 96-case rules before their truth: without the race 2 of 5 clear cases
# right and 3 inconclusive, with it 3 of 5, "always sign" 5 of 5). Over nine prospective rounds: 17 of 31 without the
# race, 19 of 30 with it, 23 of 31 for "always sign". The nested figure of the selection without the race went 18 of
# 20 (32 cases), 15 of 23 (36), 21 of 26 (42), 22 of 27 (50), 25 of 30 (58), 28 of 33 (64), 30 of 35 (72), 28 of 43
# (88, φ), 28 of 49 (96, the Jacobi rate), 21 of 54 (104, the Jacobi rate in 42 of the 52 folds, R(θ) in 6, φ in 4):
# balanced 36 %, below the ½ of any constant answer, so the recommendation withholds this rule's calls
# (`BenchmarkScore.skilful`). Was 0.0975698 + 0.723488·z, mean 0.352056, scale 0.482696 (96 cases).
NO_RACE = LogisticRule(
    name="no_race", intercept=0.138983, margin=0.0,
    terms=(Term("log_jacobi_rate", 0.812535, 0.387444, 0.512799, seen=(-1.26757, 1.53175)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 17, "euclidean": 19, "inconclusive": 4},
                                                    "euclidean": {"sign": 8, "euclidean": 4, "inconclusive": 2},
                                                    "tie": {"sign": 14, "euclidean": 35, "inconclusive": 1}},
                              per_seed_accuracy_clear=(0.3667, 0.4407, 0.4561)),
)
# With the race as a candidate feature the selection on all 52 kinds, and in every held-out fold, chooses the race's
# log loss ratio. Was 0.107586 + 0.84201·z, mean 0.0786525, scale 0.863416 (96 cases with the race study complete,
# 34 of 49), 0.0719568 + 0.725998·z (the 87 cases with a race then) and 0.105779 + 0.874333·z (88 cases, 29 of 43).
WITH_RACE = LogisticRule(
    name="with_race", intercept=0.12441, margin=0.0,
    terms=(Term("log_race_ratio", 0.849093, 0.0861677, 0.838343, seen=(-2.7345, 2.36027)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 30, "euclidean": 7, "inconclusive": 3},
                                                    "euclidean": {"sign": 5, "euclidean": 8, "inconclusive": 1},
                                                    "tie": {"sign": 40, "euclidean": 7, "inconclusive": 3}},
                              per_seed_accuracy_clear=(0.6333, 0.6441, 0.7193)),
)
# Refitted on the 104 cases: the race's ratio again, the same literal and the same nested calls as WITH_RACE. Was the
# race's ratio on 96 cases (35 of 49), 88 (30 of 43) and 72 (21 of 35).
CURVATURE = replace(WITH_RACE, name="curvature")
# Whether the race's winner settles a call the rule leaves inconclusive: the chosen margin is 0, so the
# rule is inconclusive only where its feature is missing (the tiebreak variant's nested figures equal no_race's).
RACE_TIEBREAK = False


def rule_for(feats: dict[str, Feature | None], stationary: bool = False) -> LogisticRule:
    """At a stationary point the curvature rule (no feature divides by the gradient); otherwise the
    rule with the race when the race ran, the one without it when it did not."""
    if stationary:
        return CURVATURE
    return WITH_RACE if feats.get("log_race_ratio") is not None else NO_RACE
