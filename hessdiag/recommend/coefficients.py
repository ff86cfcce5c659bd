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
  unstable (φ from 32 to 88 cases, then the Jacobi rate; different features in different folds). On 104 cases
  its nested balanced accuracy was 36 %, worse than any constant answer, and the recommendation withheld its calls;
  on 120 it is 53 %, above a constant's ½ by less than its own standard error (about 7 points), and it calls again
  (`BenchmarkScore.skilful`: the point estimate above ½, a criterion fixed on 104 cases and not moved since).
- WITH_RACE: when the tuned race ran (the default), its log loss ratio: from 88 cases on the selection on all
  kinds chooses the race over every measured feature (on 72 and before, φ). Every benchmark case has a race; on
  softmax_wine_std_warm SGD's loss reached exactly 0, the ratio's log is undefined and the feature missing.
- CURVATURE (stationary points, where φ and every ratio divided by the gradient compare rounding noise):
  the tuned race's log loss ratio; without a race the call at a stationary point is inconclusive.

On 120 cases the rule with the race is right on 42 of 62 clear cases, six fewer than the constant answer "always
sign-based" (48), and beats it on balanced accuracy (59 % against 50 %). The figures below are nested, and the
report states them beside the constant's with each call.
"""

from __future__ import annotations

from dataclasses import replace

from .benchmark_score import BenchmarkScore
from .features import Feature
from .rule import LogisticRule, Term

_BENCHMARK = "ground truth f61aaf478b63774b (120 cases), evidence v4, race study v2"
_NESTED = {"fitted": "2026-12-05", "benchmark": _BENCHMARK, "kinds": 60,
           "cross_validation": "nested leave-one-kind-out over the 60 kinds"}

# Refitted on 120 cases after a fifteenth prospective round (prospective.json; eight kinds, lsq_block_scales,
# lsq_powerlaw_noisy, logreg_cancer_rot, mlp_digits_b8, rff_diabetes, mlp_friedman, softmax_clusters_scaled,
# mlp_clusters, called by the 104-case rules before their truth; all 8 clear cases sign: without the race 7 right and
# 1 wrong, with it 6 right, 1 wrong, 1 inconclusive, "always sign" 8). Over ten prospective rounds: 24 of 39 without
# the race, 25 of 38 with it, 31 of 39 for "always sign". The nested figure of the selection without the race went 18
# of 20 (32 cases), 15 of 23 (36), 21 of 26 (42), 22 of 27 (50), 25 of 30 (58), 28 of 33 (64), 30 of 35 (72), 28 of
# 43 (88, φ), 28 of 49 (96, the Jacobi rate), 21 of 54 (104), 36 of 62 (120, the Jacobi rate in 56 of the 60 folds,
# φ in 3, R(θ) in 1): balanced 53 %, above ½ (`BenchmarkScore.skilful`), so its calls are made again. Was 0.138983 +
# 0.812535·z, mean 0.387444, scale 0.512799 (104 cases, 21 of 54, calls withheld) and 0.0975698 + 0.723488·z (96).
NO_RACE = LogisticRule(
    name="no_race", intercept=0.17758, margin=0.0,
    terms=(Term("log_jacobi_rate", 0.874882, 0.399523, 0.491411, seen=(-1.26757, 1.53175)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 30, "euclidean": 16, "inconclusive": 2},
                                                    "euclidean": {"sign": 7, "euclidean": 6, "inconclusive": 1},
                                                    "tie": {"sign": 16, "euclidean": 42, "inconclusive": 0}},
                              per_seed_accuracy_clear=(0.5441, 0.5846, 0.625)),
)
# With the race as a candidate feature the selection on all 60 kinds chooses the race's log loss ratio, and so does
# the selection in 58 of the 60 held-out folds (cnn1_digits held out: the Jacobi rate; zipf_softmax: φ). Was 0.12441 +
# 0.849093·z, mean 0.0861677, scale 0.838343 (104 cases, 38 of 54), 0.107586 + 0.84201·z (96 cases with the race
# study complete, 34 of 49) and 0.105779 + 0.874333·z (88 cases, 29 of 43).
WITH_RACE = LogisticRule(
    name="with_race", intercept=0.22695, margin=0.0,
    terms=(Term("log_race_ratio", 1.0769, 0.217077, 1.05021, seen=(-2.7345, 4.23442)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 36, "euclidean": 8, "inconclusive": 4},
                                                    "euclidean": {"sign": 7, "euclidean": 6, "inconclusive": 1},
                                                    "tie": {"sign": 39, "euclidean": 9, "inconclusive": 10}},
                              per_seed_accuracy_clear=(0.6324, 0.6308, 0.6875)),
)
# Refitted on the 120 cases: the race's ratio again, the same literal as WITH_RACE; its nested calls differ from
# WITH_RACE's on one case (the selection chose the race in 59 of the 60 folds; cnn1_digits held out: the Jacobi rate).
# Was the race's ratio on 104 (38 of 54), 96 (35 of 49), 88 (30 of 43) and 72 cases (21 of 35).
CURVATURE = replace(WITH_RACE, name="curvature", provenance=BenchmarkScore(
    **_NESTED, confusion={"sign": {"sign": 36, "euclidean": 8, "inconclusive": 4},
                          "euclidean": {"sign": 6, "euclidean": 7, "inconclusive": 1},
                          "tie": {"sign": 39, "euclidean": 9, "inconclusive": 10}},
    per_seed_accuracy_clear=(0.6471, 0.6462, 0.7031)))
# Whether the race's winner settles a call the rule leaves inconclusive: the chosen margin is 0, so the
# rule is inconclusive only where its feature is missing (the tiebreak variant's nested figures equal no_race's).
RACE_TIEBREAK = False


def rule_for(feats: dict[str, Feature | None], stationary: bool = False) -> LogisticRule:
    """At a stationary point the curvature rule (no feature divides by the gradient); otherwise the
    rule with the race when the race ran, the one without it when it did not."""
    if stationary:
        return CURVATURE
    return WITH_RACE if feats.get("log_race_ratio") is not None else NO_RACE
