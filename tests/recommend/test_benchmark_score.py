"""BenchmarkScore: every share from the counts, checked case by case against hand-made calls and the
constant answer "always sign-based" scored the same way."""

from __future__ import annotations

import random

import pytest

from hessdiag.linalg.intervals import wilson_interval
from hessdiag.recommend.benchmark_score import CALLS, TRUTHS, BenchmarkScore
from hessdiag.recommend.coefficients import CURVATURE, NO_RACE, WITH_RACE


def _score(cases: list[tuple[str, str]]) -> BenchmarkScore:
    confusion = {t: {c: sum(1 for truth, call in cases if (truth, call) == (t, c)) for c in CALLS} for t in TRUTHS}
    return BenchmarkScore("2026-01-01", "test", kinds=3, cross_validation="none", confusion=confusion,
                          per_seed_accuracy_clear=(0.5, 1.0))


def _by_case(cases: list[tuple[str, str]]) -> dict:
    """The figures counted case by case, independently of BenchmarkScore's algebra."""
    clear = [(t, c) for t, c in cases if t != "tie"]
    right = [t == c for t, c in clear]
    conclusive = [(t, c) for t, c in clear if c != "inconclusive"]
    recall = {k: sum(c == k for t, c in clear if t == k) / sum(t == k for t, _ in clear) for k in ("sign", "euclidean")}
    constant_right = [t == "sign" for t, _ in clear]
    return {"accuracy": sum(right) / len(clear),
            "wrong_conclusive": sum(t != c for t, c in conclusive) / len(conclusive),
            "inconclusive": sum(c == "inconclusive" for _, c in cases) / len(cases),
            "balanced": (recall["sign"] + recall["euclidean"]) / 2, "recall": recall,
            "constant": sum(constant_right) / len(clear),
            "better": sum(r and not k for r, k in zip(right, constant_right)),
            "worse": sum(k and not r for r, k in zip(right, constant_right))}


@pytest.mark.parametrize("seed", range(20))
def test_shares_and_the_paired_comparison_equal_the_case_by_case_count(seed):
    rng = random.Random(seed)
    cases = [("sign", "sign"), ("euclidean", "euclidean"), ("sign", "euclidean")]  # both classes, a conclusive call
    cases += [(rng.choice(TRUTHS), rng.choice(CALLS)) for _ in range(rng.randint(0, 30))]
    score, want = _score(cases), _by_case(cases)
    assert score.cases == len(cases) and score.clear_cases == sum(t != "tie" for t, _ in cases)
    assert score.accuracy_clear == pytest.approx(want["accuracy"])
    assert score.wrong_conclusive == pytest.approx(want["wrong_conclusive"])
    assert score.inconclusive_share == pytest.approx(want["inconclusive"])
    assert score.balanced_accuracy == pytest.approx(want["balanced"])
    assert score.recall("sign") == pytest.approx(want["recall"]["sign"])
    assert score.constant_sign_accuracy == pytest.approx(want["constant"])
    assert (score.better_than_constant, score.worse_than_constant) == (want["better"], want["worse"])
    doc = score.as_dict()
    assert doc["accuracy_clear_interval"] == wilson_interval(score.right, score.clear_cases).as_list()
    assert doc["constant_sign"]["balanced_accuracy"] == 0.5 and doc["right_clear"] == score.right


def test_the_shipped_rules_state_their_counts_against_two_hundred_and_fifty_nine_of_three_hundred_and_sixty_one():
    """On 690 cases the rules' nested accuracy, their recall and the constant's ("always sign", 259 of 361 clear
    cases), as the benchmark counted them: without the race (the block top spread with the Jacobi rate) 4 clear cases
    more right than the constant, balanced 75 %; the selection with the race (the class imbalance with the race's
    ratio on all kinds) 17 more, balanced 78 %; both skilful (balanced accuracy above ½); the stationary-point rule is
    the race rule's literal with the same nested counts (no fold chose a feature that divides by the gradient)."""
    doc = NO_RACE.provenance.as_dict()
    assert (doc["right_clear"], doc["clear_cases"], doc["cases"]) == (263, 361, 690)
    assert doc["accuracy_clear"] == pytest.approx(263 / 361)
    assert doc["balanced_accuracy"] == pytest.approx((182 / 259 + 81 / 102) / 2)
    assert doc["constant_sign"]["accuracy_clear"] == pytest.approx(259 / 361)
    assert (doc["constant_sign"]["rule_better"], doc["constant_sign"]["rule_worse"]) == (81, 77)
    assert NO_RACE.provenance.skilful and [t.feature for t in NO_RACE.terms] == ["block_top_spread", "log_jacobi_rate"]
    race = WITH_RACE.provenance
    assert (race.right, race.balanced_accuracy) == (276, pytest.approx((194 / 259 + 82 / 102) / 2))
    assert (race.better_than_constant, race.worse_than_constant) == (82, 65)
    assert race.inconclusive_share == pytest.approx(75 / 690) and race.skilful
    assert [t.feature for t in WITH_RACE.terms] == ["log_class_imbalance", "log_race_ratio"]
    assert CURVATURE.terms == WITH_RACE.terms and CURVATURE.intercept == WITH_RACE.intercept
    assert CURVATURE.name == "curvature" and CURVATURE.provenance == race


@pytest.mark.parametrize("euclidean_row, skilful", [
    ({"sign": 7, "euclidean": 7, "inconclusive": 0}, True),    # recalls 0.6 and 0.5: balanced 0.55
    ({"sign": 10, "euclidean": 4, "inconclusive": 0}, False),  # 0.6 and 2/7: 0.443
    ({"sign": 0, "euclidean": 0, "inconclusive": 14}, False),  # 1.0 and 0: the constant itself, 0.5
])
def test_a_rule_is_skilful_only_above_a_constant_answers_balanced_accuracy(euclidean_row, skilful):
    sign_row = {"sign": 35, "euclidean": 0, "inconclusive": 0} if euclidean_row["inconclusive"] else \
        {"sign": 21, "euclidean": 10, "inconclusive": 4}
    score = BenchmarkScore("d", "b", 1, "cv", {"sign": sign_row, "euclidean": euclidean_row,
                                               "tie": {"sign": 0, "euclidean": 0, "inconclusive": 0}}, ())
    assert score.skilful is skilful


def test_a_confusion_without_every_row_and_column_or_a_clear_class_is_refused():
    with pytest.raises(ValueError, match="rows"):
        BenchmarkScore("d", "b", 1, "cv", {"sign": {"sign": 1}}, ())
    with pytest.raises(ValueError, match="both clear classes"):
        _score([("sign", "sign"), ("tie", "sign")])
