"""The spectrum section end to end on a model whose Hessian we set (issue 4, 'Done when').

A bias-free linear layer f(x) = W x under the loss ½‖f − y‖² has H = I_out ⊗ (1/N) XᵀX. With
X = √N · diag(√a) that is diag(a) repeated once per output: a diagonal Hessian with eigenvalues a_i of
multiplicity `out`. Rademacher probes then see it exactly — (e_iᵀz)² = 1, so every probe's Krylov space
closes after as many steps as there are distinct eigenvalues, with weights multiplicity/d — and
trace, λ̄ and the density's nodes come out exact up to float64 rounding (asserted to 1e-10 relative),
with standard errors of 0.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from rich.console import Console
from torch import nn

from helpers.dense import Dense
from hessdiag.api import diagnose
from hessdiag.report.terminal import render_terminal

A = [0.5, 0.5, 2.0, 7.0]
OUT = 3
SPECTRUM = np.repeat(A, OUT)  # eigenvalues of H (d = 12)


def _quadratic():
    gen = torch.Generator().manual_seed(0)
    model = nn.Linear(len(A), OUT, bias=False).to(torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.randn(OUT, len(A), generator=gen, dtype=torch.float64))
    n = len(A)
    x = math.sqrt(n) * torch.diag(torch.tensor(A, dtype=torch.float64).sqrt())
    y = torch.randn(n, OUT, generator=gen, dtype=torch.float64)
    return model, x, y


@pytest.fixture(scope="module", params=["stochastic", "exact"])
def run(request):
    model, x, y = _quadratic()
    exact_max_d = 0 if request.param == "stochastic" else 1024
    report = diagnose(model, (x, y), "mse", only="spectrum", top_k=2, tol=1e-10, dtype="float64",
                               exact_max_d=exact_max_d, slq_probes=4, slq_steps=8)
    return request.param, report, Dense(model, x, y, "mse")


def test_the_dense_reference_is_the_hessian_we_set(run):
    _, _, dense = run
    assert torch.allclose(torch.linalg.eigvalsh(dense.hessian()), torch.tensor(sorted(SPECTRUM), dtype=torch.float64))


def test_trace_and_mean_abs_eigenvalue_are_exact(run):
    path, report, _ = run
    doc = report.to_dict()
    assert doc["trace"]["estimate"] == pytest.approx(SPECTRUM.sum(), rel=1e-10)
    assert doc["trace"]["stderr"] == pytest.approx(0, abs=1e-10)
    assert doc["mean_abs_eigenvalue"]["estimate"] == pytest.approx(np.abs(SPECTRUM).mean(), rel=1e-10)
    assert doc["mean_abs_eigenvalue"]["stderr"] == pytest.approx(0, abs=1e-10)
    methods = {doc[k]["method"] for k in ("trace", "mean_abs_eigenvalue", "density")}
    assert methods == ({"exact"} if path == "exact" else {"hutch++", "slq"})


def test_density_peaks_at_the_eigenvalues(run):
    _, report, _ = run
    dens = report.spectrum.density
    distinct, multiplicity = np.unique(SPECTRUM, return_counts=True)
    for value, count in zip(distinct, multiplicity):
        near = np.abs(dens.nodes - value) < 1e-8
        assert dens.weights[near].sum() == pytest.approx(count / SPECTRUM.size, abs=1e-10)
    v = dens.values
    peaks = dens.grid[1:-1][(v[1:-1] > v[:-2]) & (v[1:-1] >= v[2:])]
    spacing = dens.grid[1] - dens.grid[0]
    assert len(peaks) == len(distinct)
    assert np.all(np.abs(peaks - distinct) <= spacing)
    assert np.trapezoid(dens.values, dens.grid) == pytest.approx(1, abs=1e-5)


def test_ratios_and_step_sizes(run):
    _, report, dense = run
    doc = report.to_dict()
    lmax, lmin = SPECTRUM.max(), SPECTRUM.min()
    assert doc["ratios"]["lmax_over_mean_abs"]["value"] == pytest.approx(lmax / np.abs(SPECTRUM).mean(), rel=1e-8)
    assert doc["ratios"]["lmax_over_lmin_positive"]["value"] == pytest.approx(lmax / lmin, rel=1e-8)
    steps = doc["step_sizes"]
    assert steps["gd_1_over_L2"] == pytest.approx(1 / lmax, rel=1e-8)
    assert steps["gd_max_2_over_lmax"] == pytest.approx(2 / lmax, rel=1e-8)
    assert steps["gd_opt"] == pytest.approx(2 / (lmin + lmax), rel=1e-8)
    g, H = dense.gradient(), dense.hessian()
    assert steps["gd_along_gradient"] == pytest.approx(float(g @ g / (g @ H @ g)), rel=1e-10)
    assert steps["sign_1_over_Linf"] is None
    lo, hi = steps["intervals"]["gd_opt"]
    assert lo <= steps["gd_opt"] <= hi


def test_json_has_every_spectrum_key_of_spec_section_8(run):
    _, report, _ = run
    doc = json.loads(report.to_json())
    assert {"top", "bottom", "matvecs", "converged"} <= set(doc["eigenvalues"])
    assert {"estimate", "stderr", "method", "matvecs"} <= set(doc["trace"])
    assert {"estimate", "stderr"} <= set(doc["mean_abs_eigenvalue"])
    assert {"grid", "values", "nodes", "weights"} <= set(doc["density"])
    assert {"value", "residual"} <= set(doc["L2"])
    assert {"gd_1_over_L2", "gd_max_2_over_lmax", "gd_opt", "sign_1_over_Linf"} <= set(doc["step_sizes"])
    assert {"lmax_over_mean_abs", "lmax_over_lmin_positive"} <= set(doc["ratios"])
    assert any("sign_1_over_Linf" in w for w in doc["warnings"])


def test_terminal_shows_every_quantity_with_its_error(run):
    _, report, _ = run
    console = Console(record=True, width=160)
    render_terminal(report, console)
    text = console.export_text()
    for needle in ("tr(H) = 30 ± 0", "λ̄ = (1/d)Σ|λ_i| = 2.5 ± 0", "outlier ratio max|λ|/λ̄ = 2.8 ±",
                   "λ_max/λ_min⁺ = 14 in [", "spectral density", "2/(λ_min+λ_max)", "‖g‖²/gᵀHg", "1/L∞"):
        assert needle in text, needle


def test_indefinite_hessian_gets_nulls_with_reasons():
    """A tanh MLP on cross-entropy away from a minimum has negative eigenvalues: η* must be null."""
    from helpers.cases import CASES

    model, x, y = CASES[0].build()
    report = diagnose(model, (x, y), "ce", only="spectrum", top_k=1, dtype="float64")
    eig = torch.linalg.eigvalsh(Dense(model, x, y, "ce").hessian())
    assert float(eig[0]) < 0
    doc = report.to_dict()
    assert doc["step_sizes"]["gd_opt"] is None
    assert any("η*" in w and "positive definite" in w for w in doc["warnings"])
    assert doc["trace"]["method"] == "exact"
    assert doc["trace"]["estimate"] == pytest.approx(float(eig.sum()), rel=1e-9)
    assert doc["mean_abs_eigenvalue"]["estimate"] == pytest.approx(float(eig.abs().mean()), rel=1e-9)
