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

- NO_RACE / WITH_RACE: the gradient density φ = ‖g‖₁²/(d‖g‖₂²) (Eq. 6.29). A LOW density (the gradient's
  mass on few coordinates, coordinates on very different scales) forecasts the sign family — the
  per-coordinate normalisation of Adam/sign descent pays where coordinates differ in scale. With the race
  allowed as a candidate, the selection on all kinds still chooses φ: the two rules are one, each with the
  nested figures of the procedure that chose it (below).
- CURVATURE (stationary points, where φ and every ratio divided by the gradient compare rounding noise):
  the tuned race's log loss ratio; without a race the call at a stationary point is inconclusive. This
  selection is unstable: on 42, 58 and 64 cases it chose the race, on 50 the Hessian's ρ_diag, and its
  nested figures (below) do not beat the constant answer.
"""

from __future__ import annotations

from .benchmark_score import BenchmarkScore
from .features import Feature
from .rule import LogisticRule, Term

_BENCHMARK = "ground truth f61aaf478b63774b (64 cases), evidence v4, race study v2"
_NESTED = {"fitted": "2026-12-05", "benchmark": _BENCHMARK, "kinds": 32,
           "cross_validation": "nested leave-one-kind-out over the 32 kinds"}

# Refitted on 64 cases after four prospective rounds of kinds, each called by the rule then shipped before its
# ground truth existed (scripts/recommendation_bench/prospective.json): rff_cancer, wide_mlp_teacher and
# matrix_completion (the 36-case rule), deep_linear, poly_diabetes, resmlp_ln_digits and sparse_logreg (the
# 42-case rule), softmax_digits_raw, mlp_cancer_raw, conv1d_motif and linear_autoencoder (the 50-case rule),
# lenet_digits, sensing_sym and lsq_overparam (the 58-case rule). Of their 28 cases 18 were ties; of the 10
# clear ones the frozen rules called 8 right and "always sign" 7. On all kinds, and in every held-out fold, the
# selection chooses φ. The nested figures went 18 of 20 (32 cases), 15 of 23 (36), 21 of 26 (42), 22 of 27
# (50), 25 of 30 (58), 28 of 33 (64). Was 0.480517 − 1.27705·z, mean 0.296492, scale 0.201281 (58 cases).
NO_RACE = LogisticRule(
    name="no_race", intercept=0.4882, margin=0.0,
    terms=(Term("grad_density", -1.42761, 0.31706, 0.205407, seen=(0.00409403, 0.667506)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 21, "euclidean": 3, "inconclusive": 0},
                                                    "euclidean": {"sign": 2, "euclidean": 7, "inconclusive": 0},
                                                    "tie": {"sign": 14, "euclidean": 17, "inconclusive": 0}},
                              per_seed_accuracy_clear=(0.8056, 0.7778, 0.7778)),
)
# With the race as a candidate feature the selection on all 32 kinds chooses the same φ rule; its held-out folds
# chose φ or the race, and scored 27 of 33. A run with a race gets that rule with the figures of the procedure
# that chose it.
WITH_RACE = LogisticRule(
    name="with_race", intercept=NO_RACE.intercept, margin=NO_RACE.margin, terms=NO_RACE.terms,
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 21, "euclidean": 3, "inconclusive": 0},
                                                    "euclidean": {"sign": 3, "euclidean": 6, "inconclusive": 0},
                                                    "tie": {"sign": 14, "euclidean": 17, "inconclusive": 0}},
                              per_seed_accuracy_clear=(0.7778, 0.75, 0.75)),
)
# Refitted on the 64 cases: the race's ratio (on 50 cases the selection had chosen log ρ_diag, 16 of 27; on 58
# the race, 0.363593 + 1.36207·z, mean 0.214999, scale 0.555133, 19 of 30).
CURVATURE = LogisticRule(
    name="curvature", intercept=0.285228, margin=0.0,
    terms=(Term("log_race_ratio", 1.29251, 0.19258, 0.545571, seen=(-0.895507, 1.8974)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 17, "euclidean": 4, "inconclusive": 3},
                                                    "euclidean": {"sign": 4, "euclidean": 2, "inconclusive": 3},
                                                    "tie": {"sign": 7, "euclidean": 23, "inconclusive": 1}},
                              per_seed_accuracy_clear=(0.6111, 0.5, 0.5556)),
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
