"""ρ_diag = Σ|H_ii| / Σ|H_ij| (Prop. 6.4): exact from columns, and the stratified sampled estimate.

Tolerances:
- exact vs dense: 1e-12 absolute (ρ ∈ [1/d, 1]). The columns come from Hessian-vector products and the
  reference from `torch.func.hessian`; both are float64 and agree entrywise to ~1e-16·max|H_ij|
  (measured 2e-16 relative on d ≈ 2000), so sums of |·| over d² ≤ 10⁴ entries agree to ~1e-14.
- coverage: the 95 % interval must cover the exact ρ for ≥ 36 of 40 seeds. If its true coverage were
  exactly 95 %, 5 or more misses would happen with probability ≈ 5 %. The bootstrap-t interval
  measured 0.965–0.975 on this model and 0.94–0.965 on the default problem over 200 seeds at
  128–512 columns (scripts/geometry_figures.py); at 0.965–0.97, ≥ 5 misses of 40 is a ≈ 1 % event.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from helpers.cases import CASE_IDS, CASES, seeded_model
from helpers.dense import Dense, vector_layout
from helpers.problems import problem_for
from hessdiag.estimators.geometry.columns import column_source
from hessdiag.estimators.geometry.rho_diag import allocate, column_strata, rho_diag_exact, rho_diag_sampled
from hessdiag.load import ParamBlock, ParamLayout
from hessdiag.operators import HessianOperator


def _reference(h: np.ndarray, layout: ParamLayout) -> tuple[float, dict[str, float]]:
    a = np.abs(h)
    per = {b.name: np.trace(a[:, b.offset:b.offset + b.numel][b.offset:b.offset + b.numel])
           / a[:, b.offset:b.offset + b.numel].sum() for b in layout.blocks}
    return float(np.trace(a) / a.sum()), per


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_exact_matches_dense_hessian(case):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss).hessian().numpy()
    problem = problem_for(case, batch_size=7)
    op = HessianOperator(problem)
    result = rho_diag_exact(column_source(op), problem.layout)
    rho, per = _reference(dense, problem.layout)
    assert result.method == "exact" and result.columns == problem.d and op.matvecs == problem.d
    assert abs(result.estimate - rho) <= 1e-12
    assert result.ci == (result.estimate, result.estimate)
    for name, value in per.items():
        assert abs(result.per_layer[name].estimate - value) <= 1e-12
    assert 1 / problem.d <= result.estimate <= 1


def test_diagonal_hessian_has_rho_one():
    rng = np.random.default_rng(0)
    h = np.diag(rng.standard_normal(12))
    result = rho_diag_exact(column_source(h), vector_layout(5, 7))
    assert result.estimate == 1.0
    assert all(layer.estimate == 1.0 and layer.block_share == 1.0 for layer in result.per_layer.values())


def test_rotated_2d_quadratic_matches_eq_c15():
    """App. C.2: ρ_diag = (a + d)/(a + d + 2|b|) (Eq. C.15) for H = [[a, b], [b, d]] ≻ 0."""
    for omega in np.linspace(0, np.pi, 13):
        c, s = np.cos(omega), np.sin(omega)
        rot = np.array([[c, -s], [s, c]])
        h = rot @ np.diag([7.0, 1.0]) @ rot.T
        a, b, d = h[0, 0], h[0, 1], h[1, 1]
        expected = (a + d) / (a + d + 2 * abs(b))
        assert rho_diag_exact(column_source(h), vector_layout(2)).estimate == pytest.approx(expected, rel=1e-14)


def _check_sums(result) -> None:
    layers = result.per_layer.values()
    assert sum(layer.share * layer.estimate for layer in layers) == pytest.approx(result.estimate, rel=1e-12)
    assert sum(layer.abs_sum for layer in layers) == pytest.approx(result.abs_sum, rel=1e-12)
    assert sum(layer.diag_abs_sum for layer in layers) == pytest.approx(result.diag_abs_sum, rel=1e-12)
    assert sum(layer.share for layer in layers) == pytest.approx(1.0, rel=1e-12)


def test_per_layer_values_sum_to_the_whole():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((60, 60))
    h = a @ a.T / 60 + np.diag(rng.uniform(0, 3, 60))
    layout = vector_layout(40, 3, 17)
    _check_sums(rho_diag_exact(column_source(h), layout))
    sampled = rho_diag_sampled(column_source(h), layout, 30, np.random.default_rng(2), resamples=200, minimum=4)
    assert sampled.method == "sampled"
    _check_sums(sampled)
    assert sampled.per_layer["t1"].method == "exact" and sampled.per_layer["t1"].columns == 3  # whole small tensor


def test_allocation():
    counts = allocate([2048, 32, 320, 10], 512, minimum=16)
    assert counts.tolist() == [min(n, c) for n, c in zip([2048, 32, 320, 10], counts)]
    assert counts.sum() == 512 and counts[3] == 10 and counts[1] >= 16
    assert allocate([5, 7], 100).tolist() == [5, 7]
    assert allocate([100] * 10, 20, minimum=4).tolist() == [4] * 10  # floors win over the budget


def test_many_small_tensors_are_merged_into_strata_that_the_budget_affords():
    """20 tensors whose floors (16 columns each) exceed a budget of 64: adjacent tensors merge into strata,
    and the columns drawn are the budget's, with per-stratum sums that still add up to the whole."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal((600, 600))
    h = a @ a.T / 600 + np.diag(rng.uniform(0, 3, 600))
    layout = vector_layout(*[30] * 20)
    spans = column_strata(layout, 64)
    assert len(spans) == 4 and sum(s.numel for s in spans) == 600 and sum(s.count for s in spans) == 20
    assert [s.offset for s in spans] == [0, *np.cumsum([s.numel for s in spans[:-1]])]  # adjacent runs
    assert spans[0].name == f"t0 … t{spans[0].count - 1} ({spans[0].count} tensors)"
    assert column_strata(layout, 320) == column_strata(layout, 10_000) and len(column_strata(layout, 320)) == 20
    rho = float(np.trace(np.abs(h)) / np.abs(h).sum())
    covered = 0
    for seed in range(40):
        result = rho_diag_sampled(column_source(h), layout, 64, np.random.default_rng(seed), resamples=500)
        assert result.columns == 64 and set(result.per_layer) == {s.name for s in spans}
        _check_sums(result)
        covered += result.ci[0] <= rho <= result.ci[1]
    assert covered >= 36, covered


def test_budget_covering_everything_is_exact():
    h = np.random.default_rng(3).standard_normal((9, 9))
    h = h + h.T
    result = rho_diag_sampled(column_source(h), vector_layout(4, 5), 50, np.random.default_rng(0))
    exact = rho_diag_exact(column_source(h), vector_layout(4, 5))
    assert result.method == "exact" and result.estimate == exact.estimate


def test_zero_hessian_is_null_with_reason():
    result = rho_diag_exact(column_source(np.zeros((4, 4))), vector_layout(4))
    assert result.estimate is None and result.ci is None and "zero" in result.reason
    assert result.as_dict()["estimate"] is None


@pytest.fixture(scope="module")
def mlp_hessian():
    """A tanh MLP 32-48-10 (d = 2074) on 96 random samples, CE: its dense float64 Hessian."""
    gen = torch.Generator().manual_seed(11)
    model = seeded_model(lambda: nn.Sequential(nn.Linear(32, 48), nn.Tanh(), nn.Linear(48, 10)), gen, 0.3)
    x = torch.randn(96, 32, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 10, (96,), generator=gen)
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    blocks, offset = [], 0
    for n, s in zip(names, shapes):
        blocks.append(ParamBlock(n, tuple(s), offset, s.numel()))
        offset += s.numel()
    return Dense(model, x, y, "ce").hessian().numpy(), ParamLayout(tuple(blocks))


def test_sampled_interval_covers_exact_value(mlp_hessian):
    h, layout = mlp_hessian
    assert layout.d == 2074
    exact = rho_diag_exact(column_source(h), layout)
    rho, per = _reference(h, layout)
    assert exact.estimate == pytest.approx(rho, abs=1e-12)
    covered, layer_covered, widths = 0, {name: 0 for name in per}, []
    for seed in range(40):
        result = rho_diag_sampled(column_source(h), layout, 256, np.random.default_rng(seed), resamples=1000)
        assert result.method == "sampled" and result.columns == 256 and result.level == 0.95
        covered += result.ci[0] <= rho <= result.ci[1]
        widths.append((result.ci[1] - result.ci[0]) / rho)
        _check_sums(result)
        for name, layer in result.per_layer.items():  # whole tensors are exact: [ρ_B, ρ_B] up to rounding
            layer_covered[name] += layer.ci[0] - 1e-12 <= per[name] <= layer.ci[1] + 1e-12
    assert covered >= 36, covered
    assert all(count >= 34 for count in layer_covered.values()), layer_covered  # ≥ 85 % per tensor
    assert np.median(widths) < 0.5  # informative: the interval is not everything
