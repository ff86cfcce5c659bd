"""`load.problem.Problem`: what a build records about the model's output, and the losses of any rows."""

from __future__ import annotations

import pytest
import torch

from helpers.cases import CASES, LAYER_CASES
from helpers.problems import problem_for
from hessdiag.estimators.imbalance.classes import class_labels
from hessdiag.operators.ggn_diagonal import output_count

CASE_BY_NAME = {c.name: c for c in CASES + LAYER_CASES}
NAMES = ["tanh_mlp_ce", "mlp_mse_multi", "logreg_bce", "cnn_pool_ce", "embedding_tokens", "embedding_next_token"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("batch_size", [None, 3])
def test_the_row_output_shape_is_one_samples_output(name, batch_size):
    """Recorded once at build (the output count of the exact GGN diagonal and a classifier's C read it; both
    ran a forward of their own before, one per batch for the classes)."""
    problem = problem_for(CASE_BY_NAME[name], batch_size=batch_size)
    with torch.no_grad():
        out = problem.forward(problem.params, problem.batches[0].x)
    assert problem.row_output_shape == tuple(out.shape[1:])
    assert output_count(problem) == out[0].numel()
    labels = class_labels(problem, problem.batches[0])
    if problem.loss.name == "ce":
        assert labels is not None and labels[1] == out.shape[-1]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fixed", [None, 2, 3])
@pytest.mark.parametrize("rows", [1, 4, 5])
def test_row_losses_are_the_per_sample_losses_of_those_rows(name, fixed, rows):
    """Any rows (the race's mini-batches); for a program exported for `fixed` rows, in chunks padded to it
    (the padding's losses dropped): the same losses either way."""
    problem = problem_for(CASE_BY_NAME[name])
    part = problem.batches[0].head(rows)
    expected = problem.per_sample_losses(problem.params, part)
    problem.fixed_batch = fixed
    found = problem.row_losses(problem.params, part.x, part.y)
    assert found.shape == (rows,) and torch.allclose(found, expected, rtol=1e-12, atol=0)
