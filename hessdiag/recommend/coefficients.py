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
  selection is unstable: on 42, 58, 64 and 72 cases it chose the race, on 50 the Hessian's ρ_diag, and its
  nested figures (below) do not beat the constant answer.
"""

from __future__ import annotations

from dataclasses import replace

from .benchmark_score import BenchmarkScore
from .features import Feature
from .rule import LogisticRule, Term

_BENCHMARK = "ground truth f61aaf478b63774b (72 cases), evidence v4, race study v2"
_NESTED = {"fitted": "2026-12-05", "benchmark": _BENCHMARK, "kinds": 36,
           "cross_validation": "nested leave-one-kind-out over the 36 kinds"}

# Refitted on 72 cases after five prospective rounds of kinds, each called by the rule then shipped before its
# ground truth existed (scripts/recommendation_bench/prospective.json): rff_cancer, wide_mlp_teacher and
# matrix_completion (the 36-case rule), deep_linear, poly_diabetes, resmlp_ln_digits and sparse_logreg (the
# 42-case rule), softmax_digits_raw, mlp_cancer_raw, conv1d_motif and linear_autoencoder (the 50-case rule),
# lenet_digits, sensing_sym and lsq_overparam (the 58-case rule), lsq_interp_axis, logreg_separable,
# vandermonde_lsq and mlp_iris (the 64-case rule). Of their 36 cases 24 were ties; of the 12 clear ones the
# frozen rules called 10 right and "always sign" 9. On all kinds, and in every held-out fold, the selection
# chooses φ. The nested figures went 18 of 20 (32 cases), 15 of 23 (36), 21 of 26 (42), 22 of 27 (50), 25 of
# 30 (58), 28 of 33 (64), 30 of 35 (72). Was 0.4882 − 1.42761·z, mean 0.31706, scale 0.205407 (64 cases).
NO_RACE = LogisticRule(
    name="no_race", intercept=0.538133, margin=0.0,
    terms=(Term("grad_density", -1.45838, 0.308453, 0.203035, seen=(0.00409403, 0.667506)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 23, "euclidean": 3, "inconclusive": 0},
                                                    "euclidean": {"sign": 2, "euclidean": 7, "inconclusive": 0},
                                                    "tie": {"sign": 15, "euclidean": 22, "inconclusive": 0}},
                              per_seed_accuracy_clear=(0.8158, 0.775, 0.7895)),
)
# With the race as a candidate feature the selection on all 36 kinds, and in every held-out fold, chooses the same
# φ rule, so the procedure's figures are NO_RACE's. A run with a race gets that rule with those figures.
WITH_RACE = replace(NO_RACE, name="with_race")
# Refitted on the 72 cases: the race's ratio (on 50 cases the selection had chosen log ρ_diag, 16 of 27; on 64
# the race, 0.285228 + 1.29251·z, mean 0.19258, scale 0.545571, 19 of 33).
CURVATURE = LogisticRule(
    name="curvature", intercept=0.285686, margin=0.0,
    terms=(Term("log_race_ratio", 1.21931, 0.2086, 0.586373, seen=(-0.895507, 1.8974)),),
    provenance=BenchmarkScore(**_NESTED, confusion={"sign": {"sign": 17, "euclidean": 5, "inconclusive": 4},
                                                    "euclidean": {"sign": 4, "euclidean": 4, "inconclusive": 1},
                                                    "tie": {"sign": 8, "euclidean": 28, "inconclusive": 1}},
                              per_seed_accuracy_clear=(0.6316, 0.525, 0.5789)),
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
