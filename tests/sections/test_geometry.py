"""Section `geometry` end to end on models, against dense float64 Hessians (SPEC §4, §8).

Tolerances: ρ_diag, ‖H‖_{1,1} and the gradient norms compare sums of products computed two ways in
float64: 1e-12 relative (see tests/estimators/test_rho_diag.py). A bound may cross the exact L∞ only
by rounding: 1e-10 relative — the reference Hessian (torch.func) and the one from products differ
entrywise by ~1e-16·max|H_ij| (measured), which moves ‖Hs‖₁ by far less.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch
from rich.console import Console
from torch import nn

from helpers.cases import CASE_IDS, CASES, Case, _binary, _classes, _meta, _regression
from helpers.dense import Dense
from hessdiag import api as hessdiag
from hessdiag.load import make_settings, problem_from_objects
from hessdiag.report.section import Results
from hessdiag.report.terminal import render_terminal
from hessdiag.sections import geometry
from hessdiag.work import Plan, Work

REL = 1e-10

TINY = [  # d ≤ 20, so L∞ is exact by enumeration and can be brute-forced independently
    Case("tiny_tanh_ce", _meta(lambda: nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 3))),
         "ce", _classes(11, (3,), 3), seed=21),
    Case("tiny_logreg_bce", _meta(lambda: nn.Sequential(nn.Linear(5, 1))), "bce", _binary(14, 5), seed=22),
    Case("tiny_sigmoid_mse", _meta(lambda: nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))),
         "mse", _regression(9, 2, 1), seed=23),
]


def brute_force(h: np.ndarray) -> float:
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=h.shape[0])))
    return float(np.abs(signs @ h).sum(axis=1).max())


def _diagnose(case: Case, **settings):
    model, x, y = case.build()
    report = hessdiag.diagnose(model, (x, y), case.loss, only="spectrum,geometry", top_k=2, tol=1e-10,
                               **settings)
    dense = Dense(model, x, y, case.loss)
    return report, dense.hessian().numpy(), dense.gradient().numpy()


def _check_bounds(report, exact: float) -> None:
    for bound in report.geometry.Linf.bounds:
        if bound.side in ("lower", "exact"):
            assert bound.value <= exact * (1 + REL), bound
        if bound.side in ("upper", "exact"):
            assert bound.value >= exact * (1 - REL), bound
    assert report.geometry.Linf.lo <= exact * (1 + REL) and report.geometry.Linf.hi >= exact * (1 - REL)


@pytest.mark.parametrize("case", TINY, ids=[c.name for c in TINY])
def test_tiny_models_exact_against_dense(case):
    report, h, g = _diagnose(case)
    d = h.shape[0]
    assert d <= 20
    exact = brute_force(h)
    linf = report.geometry.Linf
    assert linf.exact and linf.lo_source == linf.hi_source == "enumeration"
    assert linf.value == pytest.approx(exact, rel=REL)
    _check_bounds(report, exact)
    assert {b.source for b in linf.bounds} >= {"enumeration", "sign_ascent", "ritz", "L2", "abs_sum", "separable",
                                              "d_L2", "eigen_l1"}
    a = np.abs(h)
    assert report.geometry.rho_diag.estimate == pytest.approx(np.trace(a) / a.sum(), abs=1e-12)
    assert report.geometry.grad_norm.l2 == pytest.approx(np.linalg.norm(g), rel=1e-12)
    assert report.geometry.grad_norm.l1 == pytest.approx(np.abs(g).sum(), rel=1e-12)
    phi = np.abs(g).sum() ** 2 / (d * (g @ g))
    assert report.geometry.grad_density == pytest.approx(phi, rel=1e-12)
    l2 = np.abs(np.linalg.eigvalsh(h)).max()
    ratio = report.geometry.improvement_ratio
    assert ratio.lo <= phi * d * l2 / exact * (1 + REL) and ratio.hi >= phi * d * l2 / exact * (1 - REL)
    assert ratio.hi - ratio.lo <= 1e-9 * ratio.hi  # both intervals are rounding-tight here
    assert l2 * (1 - REL) <= linf.lo and linf.hi <= d * l2 * (1 + REL)  # Eq. 6.22


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_models_bounds_are_consistent(case):
    """d ≈ 50–100: no exact value, but every lower bound ≤ every upper bound, the column-based
    bounds match the dense matrix, and L2 ≤ lo ≤ hi ≤ d·L2."""
    report, h, _ = _diagnose(case)
    d = h.shape[0]
    linf = report.geometry.Linf
    lowers = [b.value for b in linf.bounds if b.side == "lower"]
    uppers = [b.value for b in linf.bounds if b.side == "upper"]
    assert max(lowers) <= min(uppers) * (1 + REL)
    assert next(b.value for b in linf.bounds if b.source == "abs_sum") == pytest.approx(np.abs(h).sum(), rel=1e-12)
    l2 = np.abs(np.linalg.eigvalsh(h)).max()
    assert l2 * (1 - REL) <= linf.lo <= linf.hi <= d * l2 * (1 + REL)
    signs = np.sign(np.random.default_rng(0).standard_normal((64, d)))
    assert np.abs(signs @ h).sum(axis=1).max() <= linf.hi  # random vertices never beat the upper end
    assert report.geometry.rho_diag.method == "exact" and report.geometry.rho_diag.estimate == pytest.approx(
        np.trace(np.abs(h)) / np.abs(h).sum(), abs=1e-12)


def _work(case: Case, plan: Plan, **settings) -> tuple[Work, np.ndarray]:
    model, x, y = case.build()
    problem = problem_from_objects(model, x, y, case.loss, batch_size=8, dtype="float64", device="cpu")
    s = make_settings(loss=case.loss, only="spectrum", top_k=2, tol=1e-10, **settings)
    return Work(problem, s, plan), Dense(model, x, y, case.loss).hessian().numpy()


def test_sampled_path_for_large_d():
    """With all columns declared unaffordable: sampled ρ_diag, product-only L∞ with d·L2 above."""
    work, h = _work(CASES[0], Plan(dense_hessian_max_d=10, sampled_columns=24, resamples=300), exact_max_d=10)
    d = h.shape[0]
    _ = work.hessian.top, work.hessian.bottom  # the Lanczos runs the section shares (computed on first use)
    before = work.hessian.operator.matvecs
    result = geometry.compute(work, Results())
    rho, linf = result.rho_diag, result.Linf
    assert rho.method == "sampled" and rho.columns >= 24 and rho.ci[0] <= rho.estimate <= rho.ci[1]
    assert linf.hi_source == "d_L2" and not linf.exact
    assert linf.lo <= np.abs(h).sum()  # a true lower bound lies below any upper bound
    l2 = np.abs(np.linalg.eigvalsh(h)).max()
    assert linf.hi == pytest.approx(d * l2, rel=1e-8)
    assert linf.matvecs > 0
    assert result.hessian_products == work.hessian.operator.matvecs - before == work.log.recorded["geometry"][
        "hessian_products"]
    assert work.hessian.operator.matvecs - before == rho.columns + linf.matvecs
    assert any("d·L2" in w for w in work.log.warnings)


def test_zero_gradient_is_null_with_reason(tmp_path):
    model = nn.Linear(3, 1, bias=False, device="meta").to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        model.weight.zero_()  # R = mean ½(wᵀx − 0)²: ∇R = 0 exactly at w = 0, H = mean x xᵀ ≠ 0
    x = torch.randn(10, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    report = hessdiag.diagnose(model, (x, torch.zeros(10, 1, dtype=torch.float64)), "mse",
                               only="spectrum,geometry", top_k=1)
    doc = report.to_dict()
    assert doc["grad_density"] is None and doc["improvement_ratio"] is None
    assert doc["grad_norm"] == {"l2": 0.0, "l1": 0.0, "linf": 0.0}
    assert any("gradient is exactly zero" in w for w in doc["warnings"])
    assert doc["Linf"]["exact"] and doc["Linf"]["lo"] > 0


def test_json_keys_terminal_and_determinism():
    case = TINY[0]
    report, _, _ = _diagnose(case, seed=4)
    doc = report.to_dict()
    assert {"lo", "hi", "exact", "lo_source", "hi_source"} <= set(doc["Linf"])
    assert {"estimate", "ci", "method", "per_layer"} <= set(doc["rho_diag"])
    assert set(doc["rho_diag"]["per_layer"]) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert {"l2", "l1"} <= set(doc["grad_norm"]) and isinstance(doc["grad_density"], float)
    assert {"lo", "hi"} <= set(doc["improvement_ratio"])
    assert "local" in doc["Linf"]["note"] and "local" in doc["improvement_ratio"]["note"]
    assert "geometry" in doc["timings"] and doc["settings"]["exact_max_d"] == 4096
    json.dumps(doc, allow_nan=False)
    again = _diagnose(case, seed=4)[0].to_dict()
    for key in ("Linf", "rho_diag", "grad_norm", "grad_density", "improvement_ratio"):
        assert again[key] == doc[key]
    console = Console(record=True, width=140)
    render_terminal(report, console)
    text = console.export_text()
    for needle in ("L∞ = ‖H‖_{∞,1}", "enumeration", "ρ_diag", "gradient density", "improvement ratio",
                   "local to this checkpoint", "L∞ bounds", "sign_ascent"):
        assert needle in text, needle
