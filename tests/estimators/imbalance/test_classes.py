"""Class statistics against brute force: counts, per-class losses and per-class gradient norms.

Truth: a Python loop over the rows with naive per-sample gradients (`helpers.dense`), grouped by
label. Tolerance 1e-10 relative: the estimator sums the same float64 terms per batch and class in
another order; a row counted in the wrong class or a wrong normalisation (1/N instead of 1/N_c) is
an O(1) error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from helpers.cases import CASES, seeded_model
from helpers.dense import Dense, per_sample_loss
from helpers.problems import problem_for
from hessdiag.estimators.imbalance import class_counts, class_statistics, imbalance_ratio, no_classes_reason
from hessdiag.load import problem_from_objects

CLASSIFIERS = [c for c in CASES if c.name in ("tanh_mlp_ce", "logreg_bce", "cnn_pool_ce")]


@pytest.mark.parametrize("case", CLASSIFIERS, ids=str)
def test_class_statistics_match_a_loop_over_rows(case):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    g = dense.per_sample_gradients()
    with torch.no_grad():
        losses = per_sample_loss(case.loss, dense.outputs(dense.theta, x), y)
    labels = y.reshape(-1).to(torch.int64)
    stats = class_statistics(problem_for(case, batch_size=4))
    classes = len(stats.counts)
    n = x.shape[0]
    for c in range(classes):
        rows = labels == c
        nc = int(rows.sum())
        assert stats.counts[c] == nc
        assert stats.frequencies[c] == pytest.approx(nc / n, rel=1e-15)
        if nc == 0:
            assert stats.losses[c] is None and stats.grad_norms[c] is None
            continue
        assert stats.losses[c] == pytest.approx(float(losses[rows].mean()), rel=1e-10)
        assert stats.grad_norms[c] == pytest.approx(float(g[rows].mean(0).norm()), rel=1e-10)
        if nc > 1:
            assert stats.loss_stderr[c] == pytest.approx(float(losses[rows].std() / math.sqrt(nc)), rel=1e-10)
    present = np.array([f for f in stats.frequencies if f > 0])
    assert stats.imbalance_ratio == pytest.approx(present.max() / present.min())
    assert stats.normalised_entropy == pytest.approx(float(-(present * np.log(present)).sum() / np.log(present.size)))
    assert stats.tail_share == pytest.approx(float(np.sort(present)[: present.size // 2].sum()))
    pairs = [(f, loss) for f, loss in zip(stats.frequencies, stats.losses) if f > 0]
    if len(pairs) >= 3:
        assert stats.loss_frequency_correlation == pytest.approx(spearmanr(*zip(*pairs)).statistic)


def test_frequency_weighted_class_gradients_sum_to_the_gradient():
    case = CLASSIFIERS[0]
    model, x, y = case.build()
    stats = class_statistics(problem_for(case))
    dense = Dense(model, x, y, case.loss)
    g = dense.per_sample_gradients()
    labels = y.reshape(-1)
    total = sum(g[labels == c].sum(0) for c in range(len(stats.counts)) if stats.counts[c]) / x.shape[0]
    assert float((total - dense.gradient()).norm()) < 1e-12


@pytest.mark.parametrize("batch_size", [3, 64])
@pytest.mark.parametrize("case", CLASSIFIERS, ids=str)
def test_class_counts_from_the_labels_alone_match_the_statistics(case, batch_size):
    """The cheap path (labels only, for runs without the `imbalance` section) counts each class as a loop over the
    rows does, padded rows excluded, and gives the same π_max/π_min."""
    _, _, y = case.build()
    labels = y.reshape(-1).to(torch.int64).tolist()
    problem = problem_for(case, batch_size=batch_size)
    counts, stats = class_counts(problem), class_statistics(problem)
    assert counts == stats.counts and counts == [labels.count(c) for c in range(len(counts))]
    present = [c for c in counts if c > 0]
    assert imbalance_ratio(np.array(counts, dtype=np.float64)) == pytest.approx(max(present) / min(present), rel=1e-15)
    assert imbalance_ratio(np.array(counts, dtype=np.float64)) == pytest.approx(stats.imbalance_ratio, rel=1e-15)


@pytest.mark.parametrize("frequencies, expected", [([0.5, 0.0, 0.5], 1.0), ([0.1, 0.0, 0.9], 9.0), ([1.0, 0.0], None),
                                                   ([0.0, 0.0], None)])
def test_imbalance_ratio_is_over_the_classes_present(frequencies, expected):
    assert imbalance_ratio(np.array(frequencies)) == (None if expected is None else pytest.approx(expected))


def test_regression_has_no_classes():
    case = next(c for c in CASES if c.loss == "mse")
    problem = problem_for(case)
    assert "no class labels" in no_classes_reason(problem)
    assert class_counts(problem) is None
    with pytest.raises(ValueError):
        class_statistics(problem)


@pytest.mark.parametrize("case", CLASSIFIERS, ids=str)
def test_frequency_errors_are_binomial(case):
    """se(π_c) = √(π_c(1 − π_c)/N), the binomial standard error of a frequency over N rows."""
    _, x, y = case.build()
    labels = y.reshape(-1).to(torch.int64).tolist()
    stats = class_statistics(problem_for(case, batch_size=5))
    n = len(labels)
    for c, se in enumerate(stats.frequency_stderr):
        pi = labels.count(c) / n
        assert se == pytest.approx(math.sqrt(pi * (1 - pi) / n), rel=1e-12)


def test_bce_with_soft_targets_has_no_classes():
    """Only 0/1 targets of a single-output bce are class labels; soft targets (0.3) are not."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 5, generator=gen, dtype=torch.float64)
    y = torch.tensor([[0.0], [1.0], [0.3], [1.0], [0.0], [1.0], [0.0], [1.0]], dtype=torch.float64)
    model = seeded_model(lambda: torch.nn.Linear(5, 1), gen)
    problem = problem_from_objects(model, x, y, "bce", dtype="float64", device="cpu")
    assert "no class labels" in no_classes_reason(problem)
    hard = problem_from_objects(model, x, (y > 0.5).to(torch.float64), "bce", dtype="float64", device="cpu")
    assert no_classes_reason(hard) is None and class_statistics(hard).counts == [4, 4]
    assert class_counts(problem) is None and class_counts(hard) == [4, 4]
