"""The scoring and rule selection of scripts/bench_recommendation.py on small synthetic tables.

Known answers: the confusion figures of hand-made calls, the logistic fit against scikit-learn's
(same objective; Newton's method converges to 1e-8), and the leave-one-kind-out folds, which must
never put the two checkpoints of one kind on both sides.
"""

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from recommendation_bench import logistic, rule_fit, scoring  # noqa: E402

TRUTH = {"a": "sign", "b": "sign", "c": "euclidean", "d": "tie", "e": "euclidean"}


def test_figures_of_hand_made_calls():
    calls = {"a": "sign", "b": "inconclusive", "c": "sign", "d": "euclidean", "e": "euclidean"}
    f = scoring.figures(TRUTH, calls)
    assert f["clear"] == 4 and f["right"] == 2 and f["wrong"] == 1
    assert f["accuracy_clear"] == 0.5 and f["wrong_conclusive"] == pytest.approx(1 / 3)
    assert f["inconclusive_share"] == pytest.approx(1 / 5)
    assert f["recall_sign"] == 0.5 and f["recall_euclidean"] == 0.5 and f["balanced_accuracy"] == 0.5
    assert f["conclusive_on_ties"] == 1
    table = scoring.confusion(TRUTH, calls)
    assert table["sign"] == {"sign": 1, "euclidean": 0, "inconclusive": 1}
    always = scoring.figures(TRUTH, scoring.constant("sign", TRUTH))
    assert always["balanced_accuracy"] == 0.5 and always["recall_euclidean"] == 0.0


def test_per_seed_scores_and_the_label_noise_ceiling():
    seeds = {"a": ["sign", "sign", "tie"], "b": ["euclidean", "euclidean", "euclidean"]}
    per = scoring.per_seed(seeds, {"a": "sign", "b": "euclidean"})
    assert per["accuracy_clear"] == [1.0, 1.0, 1.0] and per["clear"] == [2, 2, 1]
    ceiling = scoring.seed_ceiling(seeds)
    # seed 2 calls 'a' inconclusive (tie) against seeds 0 and 1: 3 of the 6 ordered pairs score 1/2
    assert ceiling["accuracy_clear"] == pytest.approx((1 + 1 + 0.5 + 0.5 + 1 + 1) / 6)


def test_a_block_scores_only_the_cases_that_have_a_truth():
    seeds = {n: [t] * 3 for n, t in TRUTH.items()}
    calls = {"a": "sign", "b": "euclidean", "c": "euclidean", "d": "sign", "e": "euclidean", "new": "sign"}
    text = scoring.block_text("title", TRUTH, calls, seeds)
    assert "accuracy on clear cases   75% (3/4)" in text and "tie                        1 " in text
    assert "against each seed's own label: accuracy on clear cases 75%, 75%, 75%" in text


def test_logistic_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    gen = np.random.default_rng(0)
    z = gen.normal(size=(20, 2))
    y = (z[:, 0] - 0.5 * z[:, 1] + 0.7 * gen.normal(size=20) > 0.4).astype(int)
    w, b = logistic.logistic(z, y)
    ref = LogisticRegression(C=1.0, class_weight="balanced", tol=1e-12, max_iter=10000).fit(z, y)
    assert np.allclose(w, ref.coef_[0], atol=1e-6) and b == pytest.approx(ref.intercept_[0], abs=1e-6)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_folds_fitted_together_are_each_fold_fitted_alone(k):
    """`fit_folds` (one batched Newton solve, held-out rows weighted 0) gives each fold the standardisation, range,
    coefficients and intercept of `fit_arrays` on that fold's rows alone; a fold with one class is the constant rule;
    a feature missing on some rows is left out of its fold's mean and range, as alone; a feature's offset far from
    0 costs no precision in the scale."""
    gen = np.random.default_rng(k)
    v = gen.normal(size=(30, k)) * np.array([1.0, 10.0, 0.1])[:k] + np.array([0.5, -3.0, 1e3])[:k]
    v[3, 0] = np.nan
    y = (v[:, 0] + 0.8 * gen.normal(size=30) > 0.5).astype(int)
    y[3] = 1
    train = np.ones((7, 30), dtype=bool)
    for f in range(6):
        train[f, 5 * f:5 * f + 5] = False
    train[6] = y == 1  # one class only
    train[:, 29] = False  # a case no fold trains on (a tie)
    feats = tuple("abc"[:k])
    for model, rows in zip(logistic.fit_folds(feats, v, y, train, 0.5), train):
        alone = logistic.fit_arrays(feats, v[rows], y[rows], 0.5)
        assert np.allclose(model.mean, alone.mean, rtol=1e-14) and np.allclose(model.scale, alone.scale, rtol=1e-14)
        assert np.array_equal(model.seen, alone.seen) and model.margin == 0.5
        assert np.allclose(model.coef, alone.coef, rtol=1e-9, atol=1e-12)
        assert model.intercept == pytest.approx(alone.intercept, rel=1e-9, abs=1e-12)
    assert model.intercept == 5.0 and not model.coef.any()


def test_a_feature_missing_on_every_row_fits_silently_as_no_information():
    """A feature no training row has (the race's ratio where no race ran): mean 0, scale 1, z = 0, no warning."""
    gen = np.random.default_rng(3)
    v = np.column_stack([gen.normal(size=20), np.full(20, np.nan)])
    y = (v[:, 0] > 0).astype(int)
    train = np.ones((4, 20), dtype=bool)
    for f in range(4):
        train[f, 5 * f:5 * f + 5] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        models = logistic.fit_folds(("a", "b"), v, y, train, 0.0)
        alone = [logistic.fit_arrays(("a", "b"), v[rows], y[rows], 0.0) for rows in train]  # the reference, silent too
    for model, reference in zip(models, alone):
        assert (model.mean[1], model.scale[1]) == (0.0, 1.0) and np.isnan(model.seen[1]).all()
        assert np.allclose(model.coef, reference.coef, rtol=1e-9)


def _table(n_kinds: int = 6):
    """Kinds with two cases each; feature x separates the classes, y is noise; ties in the middle."""
    gen = np.random.default_rng(1)
    table, truth, kinds = {}, {}, {}
    for k in range(n_kinds):
        label = ("sign", "euclidean", "tie")[k % 3]
        centre = {"sign": 2.0, "euclidean": -2.0, "tie": 0.0}[label]
        for ckpt in ("init", "warm"):
            name = f"k{k}_{ckpt}"
            x = centre + 0.3 * gen.normal()
            table[name] = {"x": (x, x - 0.1, x + 0.1), "y": (gen.normal(), -5.0, 5.0), rule_fit.RACE: None}
            truth[name], kinds[name] = label, f"k{k}"
    return table, truth, kinds


def test_folds_leave_whole_kinds_out_and_the_selection_finds_the_informative_feature(monkeypatch):
    table, truth, kinds = _table()
    cases = list(table)
    seen = []
    fit_folds = rule_fit.fit_folds

    def recording_fit_folds(feats, v, y, train, margin):
        seen.extend({c for c, t in zip(cases, rows) if t} for rows in train)
        return fit_folds(feats, v, y, train, margin)

    monkeypatch.setattr(rule_fit, "fit_folds", recording_fit_folds)
    calls = rule_fit.loko_calls(table, truth, kinds, cases, ("x",), (0.0,))[0.0]
    for kind, train in zip(sorted(set(kinds.values())), seen, strict=True):  # the clear cases of the others
        assert train == {c for c in cases if kinds[c] != kind and truth[c] != "tie"}
    assert all(calls[c] == truth[c] for c in cases if truth[c] != "tie")
    monkeypatch.setattr(rule_fit, "candidates", lambda table_, variant: ["x", "y"])
    feats, margin, _ = rule_fit.select(table, truth, kinds, cases, "no_race")
    assert feats == ("x",)
    nested, chosen = rule_fit.nested(table, truth, kinds, cases, "no_race")
    assert all(nested[c] == truth[c] for c in cases if truth[c] != "tie") and len(chosen) == 6


def test_a_fixed_subset_keeps_its_features_and_chooses_only_the_margin_the_full_search_would_for_them():
    """prospective's fixed-pair candidate: `select` over one subset returns it, with the margin and inner utility
    the same leave-one-kind-out calls give, even where another subset would score higher."""
    table, truth, kinds = _table()
    cases = list(table)
    feats, margin, inner = rule_fit.select(table, truth, kinds, cases, "no_race", subsets=[("y",)])
    assert feats == ("y",)
    loko = rule_fit.loko_calls(table, truth, kinds, cases, ("y",))
    by_margin = {m: rule_fit.utility(calls, truth) for m, calls in loko.items()}
    assert inner == max(by_margin.values()) and margin == min(m for m, u in by_margin.items() if u == inner)
    assert rule_fit.select(table, truth, kinds, cases, "no_race", subsets=[("x",)])[2] > inner


@pytest.mark.parametrize("max_features", [1, 2])
def test_nested_selection_in_two_processes_gives_the_same_calls_and_choices_in_the_same_order(max_features):
    table, truth, kinds = _table()
    cases = list(table)
    one = rule_fit.nested(table, truth, kinds, cases, "no_race", max_features)
    two = rule_fit.nested(table, truth, kinds, cases, "no_race", max_features, jobs=2)
    assert one == two and list(one[0]) == list(two[0])
    assert [kind for kind, _, _ in two[1]] == sorted(set(kinds.values()))


def test_score_interval_pushes_feature_intervals_through_the_sign_of_each_weight():
    model = rule_fit.Model(("x", "y"), np.zeros(2), np.ones(2), np.array([2.0, -1.0]), 0.5, 1.0)
    v, lo, hi = np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]]), np.array([[2.0, 3.0]])
    s, low, high = model.score_interval(v, lo, hi)
    assert s[0] == pytest.approx(1.5) and low[0] == pytest.approx(0.5 - 3.0) and high[0] == pytest.approx(4.5)
    assert model.calls(v, lo, hi) == ["inconclusive"]
    assert model.calls(v, v, v) == ["sign"]
    nan = np.array([[math.nan, 0.0]])
    missing = model.score_interval(nan, nan, nan)
    assert missing[0][0] == pytest.approx(0.5)


def test_the_fitted_range_is_that_of_the_clear_cases_and_the_literal_carries_it():
    """`Term.seen` in hessdiag/recommend/coefficients.py comes from here: the smallest and largest value of each
    feature on the clear cases the rule is fitted on (ties and missing values left out)."""
    table, truth, kinds = _table()
    cases = list(table)
    table[cases[0]]["y"] = None  # a missing value is not part of the range
    model = rule_fit.fit(table, truth, cases, ("x", "y"), 0.0)
    clear = [c for c in cases if truth[c] != "tie"]
    for j, f in enumerate(("x", "y")):
        values = [table[c][f][0] for c in clear if table[c][f] is not None]
        assert tuple(model.seen[j]) == (min(values), max(values))
    assert f"seen=({model.seen[0][0]:.6g}, {model.seen[0][1]:.6g})" in rule_fit.literal(model, "t", {})


def test_the_fitted_score_literal_is_the_benchmark_score_the_scoring_computes():
    """rule_fit prints the nested calls as a BenchmarkScore literal (pasted into coefficients.py); its
    shares must be the scoring's figures of the same calls."""
    from hessdiag.recommend.benchmark_score import BenchmarkScore

    calls = {"a": "sign", "b": "inconclusive", "c": "sign", "d": "euclidean", "e": "euclidean"}
    kinds = {"a": "k1", "b": "k1", "c": "k2", "d": "k2", "e": "k3"}
    literal = rule_fit.score_literal({"evidence_version": 4}, {}, {}, kinds, TRUTH, calls, [0.5, None, 0.75])
    score = eval(literal, {"BenchmarkScore": BenchmarkScore})
    f = scoring.figures(TRUTH, calls)
    assert score.kinds == 3 and score.per_seed_accuracy_clear == (0.5, 0.75)
    for key in ("accuracy_clear", "wrong_conclusive", "inconclusive_share", "balanced_accuracy"):
        assert getattr(score, key) == pytest.approx(f[key])
    counts = (score.cases, score.clear_cases, score.right, score.wrong)
    assert counts == (f["cases"], f["clear"], f["right"], f["wrong"])
