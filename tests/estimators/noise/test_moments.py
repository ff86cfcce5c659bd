"""The streaming per-sample pass against dense float64 statistics of the naive per-sample gradients.

Tolerance 1e-10 relative: the stream sums the same float64 numbers in another order (batches, a
centring at ∇R); rounding is ~1e-15 relative, and any wrong term (a padding row counted, a 1/(N−1)
instead of 1/N, a missing batch) is an O(1/N) or O(1) error. Memory: a dispatch mode records the
largest tensor any operation produces during the pass; it must be bounded by one batch's per-sample
gradients (b·d) and not grow with N. (`tracemalloc` cannot see torch's tensor allocator, so the
allocation sizes are observed at the dispatcher instead, for every operation the two paths run.)
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from helpers.cases import CASES, seeded_model
from helpers.dense import Dense, rel_err
from helpers.noise_models import UNSUPPORTED
from helpers.problems import problem_for
from hessdiag.estimators.noise.moments import gradient_moments
from hessdiag.linalg import dense_matrix
from hessdiag.load import problem_from_objects
from hessdiag.operators import GradientCovarianceOperator, loss_and_gradient
from hessdiag.operators.per_sample import PerSampleGradients

TOL = 1e-10
MODELS = [c for c in CASES if c.name in ("tanh_mlp_ce", "cnn_pool_ce", "logreg_bce")] + UNSUPPORTED[:1]


@pytest.mark.parametrize("case", MODELS, ids=lambda c: c.name)
@pytest.mark.parametrize("preference", ["backpack", "func"])
def test_moments_match_dense_per_sample_statistics(case, preference):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    g = dense.per_sample_gradients()
    mean = g.mean(0)
    problem = problem_for(case, batch_size=4)
    moments = gradient_moments(PerSampleGradients(problem, preference), loss_and_gradient(problem).gradient)
    assert rel_err(moments.mean, mean) < TOL
    assert rel_err(moments.variance, g.var(0, unbiased=False)) < TOL
    assert moments.trace_sigma == pytest.approx(float(torch.trace(dense.gradient_covariance())), rel=TOL)
    sigma = dense_matrix(GradientCovarianceOperator(problem))
    assert moments.trace_sigma == pytest.approx(float(sigma.trace()), rel=TOL)
    assert moments.trace_ef == pytest.approx(float(torch.trace(dense.empirical_fisher())), rel=TOL)
    assert moments.loss == pytest.approx(float(dense.risk(dense.theta)), rel=1e-12)
    a, c = g.pow(2).sum(1), g @ mean
    assert moments.features[0, 0] == pytest.approx(1.0, rel=1e-14)
    assert float(moments.features[2, 2]) == pytest.approx(float((a * a).mean()), rel=TOL)
    assert float(moments.features[2, 3]) == pytest.approx(float((a * c).mean()), rel=TOL)
    assert float(moments.features[3, 3]) == pytest.approx(float((c * c).mean()), rel=TOL)
    assert moments.mean_gap < 1e-12


@pytest.mark.parametrize("preference", ["backpack", "func"])
def test_without_projections_only_the_per_row_features_are_missing(preference):
    """The whole-data pass skips ‖g_n‖² and g_nᵀ∇R (they only serve subset intervals); the rest is exact."""
    case = MODELS[0]
    model, x, y = case.build()
    g = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, batch_size=4)
    moments = gradient_moments(PerSampleGradients(problem, preference), loss_and_gradient(problem).gradient,
                               projections=False)
    assert not moments.has_projections and torch.isnan(moments.features[2:, :]).all()
    assert not torch.isnan(moments.features[:2, :2]).any()
    assert rel_err(moments.variance, g.var(0, unbiased=False)) < TOL
    assert moments.trace_ef == pytest.approx(float(g.pow(2).sum(1).mean()), rel=TOL)


def test_both_paths_give_the_same_moments():
    case = MODELS[1]  # the CNN
    problem = problem_for(case, batch_size=5)
    grad = loss_and_gradient(problem).gradient
    a = gradient_moments(PerSampleGradients(problem, "backpack"), grad)
    b = gradient_moments(PerSampleGradients(problem, "func"), grad)
    for field in ("mean", "variance", "features"):
        assert rel_err(getattr(a, field), getattr(b, field)) < TOL


class _LargestTensor(TorchDispatchMode):
    """Records the largest number of elements of any tensor an operation returns."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


@pytest.mark.parametrize("preference", ["backpack", "func"])
def test_memory_is_flat_in_the_number_of_samples(preference):
    """N = 400 and N = 6 000 with batches of 60: nothing larger than b·d is ever produced.

    N·d would be 1.4 million elements here; one batch's per-sample gradients are 60·227 = 13 620.
    """
    gen = torch.Generator().manual_seed(0)
    model = seeded_model(lambda: nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 3)), gen, 0.3)
    largest = {}
    for n in (400, 6_000):
        x = torch.randn(n, 10, generator=gen, dtype=torch.float64)
        y = torch.randint(0, 3, (n,), generator=gen)
        problem = problem_from_objects(model, x, y, "ce", batch_size=60, dtype="float64", device="cpu")
        grad = loss_and_gradient(problem).gradient
        with _LargestTensor() as mode:
            moments = gradient_moments(PerSampleGradients(problem, preference), grad)
        largest[n] = mode.largest
        assert moments.n_samples == n
    d = problem.d
    assert largest[400] == largest[6_000]
    assert largest[6_000] <= 60 * d == 6_000 * d // 100


@pytest.mark.parametrize("name", ["embedding_tokens", "transformer_encoder_layer"])
def test_token_loss_moments_are_those_of_the_sequences(name):
    """A sample is a sequence: ğ_n = (N/M)·g_n (g_n the gradient of its summed token loss) has mean ∇R;
    the moments, tr Σ, tr EF = (1/M) Σ ‖g_n‖² and the features are those of ğ, over N sequences."""
    from helpers.cases import LAYER_CASES

    case = next(c for c in LAYER_CASES if c.name == name)
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    scale = dense.n / dense.normaliser
    g = dense.per_sample_gradients() * scale
    problem = problem_for(case, batch_size=4)
    assert problem.sample_scale == pytest.approx(scale, rel=1e-15) and scale < 1
    moments = gradient_moments(PerSampleGradients(problem, "func"), loss_and_gradient(problem).gradient)
    assert rel_err(moments.mean, dense.gradient()) < TOL and rel_err(g.mean(0), dense.gradient()) < TOL
    assert rel_err(moments.variance, g.var(0, unbiased=False)) < TOL
    assert moments.trace_sigma == pytest.approx(float(torch.trace(dense.gradient_covariance())), rel=TOL)
    assert moments.trace_sigma == pytest.approx(float(dense_matrix(GradientCovarianceOperator(problem)).trace()),
                                                rel=TOL)
    assert moments.trace_ef == pytest.approx(float(torch.trace(dense.empirical_fisher())), rel=TOL)
    assert moments.loss == pytest.approx(float(dense.risk(dense.theta)), rel=1e-12)
    a, c = g.pow(2).sum(1), g @ g.mean(0)
    assert float(moments.features[2, 2]) == pytest.approx(float((a * a).mean()), rel=TOL)
    assert float(moments.features[3, 3]) == pytest.approx(float((c * c).mean()), rel=TOL)
