"""Noise statistics (SPEC §5) against formulas evaluated on the dense per-sample gradient matrix.

Exact quantities (whole data set) are compared at 1e-10 relative (float64, same numbers summed in a
different order). The subset interval is checked by simulation against the exact value of the full
set: 60 seeded subsets of 300 out of 20 000; the nominal 95 % Fieller interval must cover the truth
at least 50 times (for a true coverage of 95 % the chance of 49 or fewer is 1.3 %; an interval that
ignored the de-biasing or the variance would cover far less).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from torch import nn

from helpers.cases import CASES
from helpers.dense import Dense, per_sample_loss
from helpers.problems import problem_for
from hessdiag.estimators.noise.alignment import noise_curvature_ratio
from hessdiag.estimators.noise.coordinates import COIN_FLIP_MARGIN, coordinate_noise, quantile_summary
from hessdiag.estimators.noise.moments import gradient_moments
from hessdiag.estimators.noise.scalars import REFERENCE_BATCH_SIZES, scalar_noise
from hessdiag.load import problem_from_objects
from hessdiag.operators import loss_and_gradient
from hessdiag.operators.per_sample import PerSampleGradients

TOL = 1e-10


def _moments(problem, preference="auto"):
    return gradient_moments(PerSampleGradients(problem, preference), loss_and_gradient(problem).gradient)


@pytest.fixture(scope="module")
def mlp():
    case = CASES[0]
    model, x, y = case.build()
    g = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, batch_size=6)
    return problem, _moments(problem), g


def test_whole_set_noise_to_signal_is_exact(mlp):
    problem, moments, g = mlp
    mean, var = g.mean(0), g.var(0, unbiased=False)
    s = scalar_noise(moments, population_size=problem.n_samples, lr=0.1)
    eta2 = float(var.sum() / mean.pow(2).sum())
    assert s.exact and s.eta2.estimate == pytest.approx(eta2, rel=TOL)
    assert s.eta2.lo == pytest.approx(eta2, rel=TOL) and s.eta2.hi == pytest.approx(eta2, rel=TOL)
    assert s.m_star == pytest.approx(2 * eta2, rel=TOL)  # Eq. 4.19
    assert s.cabs.estimate == pytest.approx(0.1 * float(var.sum()) / moments.loss, rel=TOL)  # Eq. 4.20
    for m in REFERENCE_BATCH_SIZES:  # Eq. 4.11
        assert s.gamma_star[m][0] == pytest.approx(1 / (1 + eta2 / m), rel=TOL)
    assert s.trace_sigma_unbiased == pytest.approx(float(g.var(0, unbiased=True).sum()), rel=TOL)  # Eq. 3.30
    assert s.trace_sigma_stderr == 0.0 and s.reasons == []


def test_cabs_needs_a_learning_rate(mlp):
    problem, moments, _ = mlp
    s = scalar_noise(moments, population_size=problem.n_samples, lr=None)
    assert s.cabs is None and any("--lr" in r for r in s.reasons)


def test_per_coordinate_factors_match_their_formulas(mlp):
    problem, moments, g = mlp
    mean, var = g.mean(0), g.var(0, unbiased=False)
    eta2 = var / mean**2
    coords = coordinate_noise(moments, problem.layout)
    expected = {
        "eta2": eta2, "svag": 1 / (1 + eta2), "adam": (1 + eta2) ** -0.5,
        "sign_factor": torch.special.erf(1 / (math.sqrt(2) * eta2.sqrt())),
        "rho": 0.5 * (1 + torch.special.erf(1 / (math.sqrt(2) * eta2.sqrt()))),
    }
    for name, values in expected.items():
        want = quantile_summary(values)
        for key, v in coords.overall[name].items():
            assert v == pytest.approx(want[key], rel=1e-9), (name, key)
    rho = expected["rho"]
    assert coords.overall["coin_flip_share"] == pytest.approx(float((rho < 0.5 + COIN_FLIP_MARGIN).double().mean()))
    assert coords.sign_agreement["quantiles"]["q50"] == pytest.approx(
        float(np.quantile(rho.numpy(), 0.5, method="inverted_cdf")), rel=TOL)
    for block in problem.layout.blocks:
        layer = coords.per_layer[block.name]
        sl = slice(block.offset, block.offset + block.numel)
        assert layer["trace_Sigma"] == pytest.approx(float(var[sl].sum()), rel=TOL)
        assert layer["noise_to_signal"] == pytest.approx(float(var[sl].sum() / mean[sl].pow(2).sum()), rel=TOL)
        for name in ("eta2", "sign_factor"):
            want = quantile_summary(expected[name][sl])
            assert all(layer[name][k] == pytest.approx(want[k], rel=1e-9) for k in want), (block.name, name)
    shares = coords.sign_agreement["coin_flip_share_by_batch_size"]
    assert shares["1"] >= shares["32"] >= shares["512"]  # larger batches: clearer signs


def _line(w: float = 0.6, b: float = 0.2) -> nn.Module:
    with torch.device("meta"):
        model = nn.Linear(1, 1)
    model = model.to_empty(device="cpu").double()
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    return model


def _zero_gradient_problem():
    """y = ±1 against x = ±1 at w = b = 0: residuals ∓1, ∇R = 0 exactly, per-sample gradients ≠ 0."""
    x = torch.tensor([[1.0], [-1.0], [1.0], [-1.0]], dtype=torch.float64)
    y = torch.tensor([[1.0], [-1.0], [-1.0], [1.0]], dtype=torch.float64)
    return problem_from_objects(_line(0.0, 0.0), x, y, "mse", dtype="float64", device="cpu")


def test_a_zero_gradient_gives_nulls_with_reasons_not_errors():
    problem = _zero_gradient_problem()
    moments = _moments(problem)
    assert moments.grad_norm_sq == 0.0 and moments.trace_sigma > 0
    s = scalar_noise(moments, population_size=problem.n_samples, lr=0.1)
    assert s.eta2.estimate is None and s.m_star is None and s.gamma_star[1][0] is None
    assert any("exactly zero" in r for r in s.reasons)
    coords = coordinate_noise(moments, problem.layout)
    assert coords.overall["infinite_eta2"] == 2 and coords.overall["coin_flip_share"] == 1.0
    assert coords.overall["rho"]["q50"] == 0.5


def _regression_population(n: int, gen: torch.Generator):
    x = torch.randn(n, 1, generator=gen, dtype=torch.float64)
    y = x + torch.randn(n, 1, generator=gen, dtype=torch.float64)
    return x, y


def test_subset_interval_covers_the_full_set_value():
    gen = torch.Generator().manual_seed(5)
    x, y = _regression_population(20_000, gen)
    model = _line()
    full = problem_from_objects(model, x, y, "mse", dtype="float64", device="cpu")
    truth = scalar_noise(_moments(full), population_size=full.n_samples, lr=None).eta2.estimate
    covered = 0
    for seed in range(60):
        sub = problem_from_objects(model, x, y, "mse", samples=300, seed=seed, dtype="float64", device="cpu")
        s = scalar_noise(_moments(sub), population_size=None, lr=None)
        covered += s.eta2.lo <= truth <= s.eta2.hi
    assert covered >= 50, covered


def test_debiased_signal_is_unbiased_where_the_plug_in_is_not():
    """Near the minimum (w = 1.05), E‖ḡ‖² = ‖∇R‖² + tr Σ/N (Eq. 4.16) with tr Σ/N ≈ 5×
    ‖∇R‖²: the plug-in ‖ḡ‖² is far too large, the de-biased D is not. Over 60 subsets the mean of D
    must be within 3 standard errors of ‖∇R‖², and the plug-in mean more than 3 away."""
    gen = torch.Generator().manual_seed(5)
    x, y = _regression_population(20_000, gen)
    model = _line(1.05, 0.0)
    truth = _moments(problem_from_objects(model, x, y, "mse", dtype="float64", device="cpu")).grad_norm_sq
    debiased, plug_in = [], []
    for seed in range(60):
        sub = problem_from_objects(model, x, y, "mse", samples=300, seed=seed, dtype="float64", device="cpu")
        s = scalar_noise(_moments(sub), population_size=None, lr=None)
        debiased.append(s.grad_norm_sq_debiased)
        plug_in.append(s.grad_norm_sq)
    for values, should_match in ((debiased, True), (plug_in, False)):
        values = np.array(values)
        z = abs(values.mean() - truth) / (values.std(ddof=1) / math.sqrt(len(values)))
        assert (z < 3) == should_match, z


def test_finite_population_subset_of_everything_is_exact():
    gen = torch.Generator().manual_seed(6)
    x, y = _regression_population(500, gen)
    problem = problem_from_objects(_line(), x, y, "mse", dtype="float64", device="cpu")
    moments = _moments(problem)
    exact = scalar_noise(moments, population_size=500, lr=None)
    as_sample = scalar_noise(moments, population_size=None, lr=None)
    assert exact.exact and not as_sample.exact
    assert as_sample.eta2.lo < exact.eta2.estimate < as_sample.eta2.hi
    assert as_sample.eta2.hi - as_sample.eta2.lo > 0


def test_unidentifiable_signal_gives_an_unbounded_interval():
    """At the least-squares minimum of a subset's population, ‖∇R‖² is pure noise: η² ∈ [lo, ∞)."""
    gen = torch.Generator().manual_seed(7)
    x, y = _regression_population(4000, gen)
    design = torch.cat([x, torch.ones_like(x)], 1)
    coef = torch.linalg.lstsq(design, y).solution[:, 0]
    model = _line(float(coef[0]), float(coef[1]))
    sub = problem_from_objects(model, x, y, "mse", samples=200, seed=1, dtype="float64", device="cpu")
    s = scalar_noise(_moments(sub), population_size=None, lr=None)
    assert not s.eta2.bounded and math.isinf(s.eta2.hi)
    assert s.eta2.as_list()[1] is None
    assert any("not distinguishable" in r for r in s.reasons)


def test_noise_curvature_ratio_propagates_both_errors():
    k = noise_curvature_ratio(2.0, 0.1, 4.0, 0.2)
    assert k.estimate == 0.5 and k.reliable
    assert k.stderr == pytest.approx(math.hypot(0.1 / 4.0, 2.0 * 0.2 / 16.0))
    assert noise_curvature_ratio(2.0, 0.0, 0.0, 0.1).estimate is None
    assert not noise_curvature_ratio(2.0, 0.0, 0.1, 0.2).reliable


def test_subset_variances_are_the_delta_method_of_the_dense_per_sample_matrix(mlp):
    """Read as a sample of an infinite population (scale 1/N), the interval inputs are delta-method
    variances of per-sample features, evaluated here on the dense per-sample gradients G (N × d) and
    losses ℓ: t = Σ e_n/(N − 1) with e_n = ‖g_n − ḡ‖², h_n = g_nᵀḡ − ‖ḡ‖², C the sample covariance (N − 1)
    of (ℓ, e, h); Var t = C_ee/N, Var ‖ḡ‖² = 4 C_hh/N, Cov(t, ‖ḡ‖²) = 2 C_eh/N, D = ‖ḡ‖² − t/N (Eq. 4.16).
    The reported errors must match at 1e-9 and the finite ends of the η² and CABS Fieller intervals must
    solve their defining quadratics with these variances (1e-8 of the terms)."""
    problem, moments, g = mlp
    case = CASES[0]
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    losses = per_sample_loss(case.loss, dense.outputs(dense.theta, x), y).detach().double().numpy()
    g = g.double().numpy()
    n = g.shape[0]
    mean = g.mean(0)
    e = ((g - mean) ** 2).sum(1)
    h = g @ mean - mean @ mean
    cov = np.cov(np.stack([losses, e, h]), ddof=1)
    t, c = e.sum() / (n - 1), 1.0 / n
    var_t, var_g, cov_tg = cov[1, 1] / n, 4 * cov[2, 2] / n, 2 * cov[1, 2] / n
    d_hat = mean @ mean - c * t
    var_d, cov_ad = var_g - 2 * c * cov_tg + c * c * var_t, cov_tg - c * var_t
    s = scalar_noise(moments, population_size=None, lr=0.1)
    assert not s.exact and moments.loss == pytest.approx(losses.mean(), rel=TOL)
    assert s.trace_sigma_unbiased == pytest.approx(t, rel=1e-9)
    assert s.grad_norm_sq_debiased == pytest.approx(d_hat, rel=1e-9)
    assert s.trace_sigma_stderr == pytest.approx(math.sqrt(var_t), rel=1e-9)
    assert s.loss_stderr == pytest.approx(math.sqrt(cov[0, 0] / n), rel=1e-9)
    z2 = 1.959963984540054**2
    ends = [r for r in (s.eta2.lo, s.eta2.hi) if math.isfinite(r) and r > 0]
    assert ends
    for r in ends:
        terms = ((t - r * d_hat) ** 2, z2 * (var_t - 2 * r * cov_ad + r * r * var_d))
        assert terms[0] == pytest.approx(terms[1], rel=1e-8), (r, terms)
    for m in REFERENCE_BATCH_SIZES:  # γ* = 1/(1 + η²/m) decreases in η²: η²'s upper end gives γ*'s lower end
        assert s.gamma_star[m][1] == pytest.approx([1 / (1 + s.eta2.hi / m), 1 / (1 + s.eta2.lo / m)], rel=1e-12)
    for r in (v / 0.1 for v in (s.cabs.lo, s.cabs.hi) if math.isfinite(v) and v > 0):
        terms = ((t - r * losses.mean()) ** 2, z2 * (var_t - 2 * r * cov[0, 1] / n + r * r * cov[0, 0] / n))
        assert terms[0] == pytest.approx(terms[1], rel=1e-8), (r, terms)


def test_finite_population_estimates_are_unbiased_over_every_subset():
    """A population of P = 5 rows and every subset of N = 3 of them (10): the expectation over subsets
    drawn without replacement is their plain mean, so unbiasedness is checked exactly, by enumeration —
    E[(P−1)/P · t] = tr Σ_P (the 1/P covariance of the population) and E[‖ḡ‖² − (1 − N/P) t/N] = ‖∇R_P‖²
    (Eq. 4.16 with the finite-population correction), to 1e-10 relative."""
    gen = torch.Generator().manual_seed(8)
    x, y = _regression_population(5, gen)
    full = _moments(problem_from_objects(_line(), x, y, "mse", dtype="float64", device="cpu"))
    targets, signals = [], []
    for rows in itertools.combinations(range(5), 3):
        index = list(rows)
        sub = problem_from_objects(_line(), x[index], y[index], "mse", dtype="float64", device="cpu")
        s = scalar_noise(_moments(sub), population_size=5, lr=None)
        assert not s.exact
        targets.append(s.trace_sigma_target)
        signals.append(s.grad_norm_sq_debiased)
    assert len(targets) == 10
    assert np.mean(targets) == pytest.approx(full.trace_sigma, rel=1e-10)
    assert np.mean(signals) == pytest.approx(full.grad_norm_sq, rel=1e-10)
