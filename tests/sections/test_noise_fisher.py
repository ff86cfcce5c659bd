"""The `noise` and `fisher` sections end to end: every SPEC §5–6 quantity under its §8 key, with its
uncertainty, equal to dense float64 ground truth where one exists, and printed on the terminal.

Tolerances: eigenvalues 1e-7 relative (Lanczos tol 1e-10 asked; residual bars certify it); exact
traces and distances 1e-10 (dense path, float64); the cosine within its certified CG bound (CG stops
at relative residual 1e-6, condition ≤ 1e3: bound ≈ 2e-3) and within 1e-4 (the actual error is far
below the bound); randomised estimates within 5 of their own standard errors (seeded).
"""

from __future__ import annotations

import json
import types

import pytest
import torch
from rich.console import Console
from torch import nn

from helpers.cases import CASES, seeded_model
from helpers.dense import Dense
from helpers.noise_models import UNSUPPORTED
from hessdiag.api import diagnose
from hessdiag.cli import app
from hessdiag.load import make_settings, problem_from_objects
from hessdiag.report.section import Results
from hessdiag.report.terminal import render_terminal
from hessdiag.sections import noise as noise_section
from hessdiag.work import Plan, Work

NOISE_KEYS = {"noise_to_signal": {"estimate", "ci"}, "batch_size": {"m_star", "cabs"},
              "sign_agreement": {"quantiles", "coin_flip_share"}, "alignment": {"k_hat", "overlap"}}
FISHER_KEYS = {"top": {"H", "GGN", "F_mc", "EF"}, "trace": {"H", "GGN", "F_mc", "EF"},
               "rel_fro": {"EF_vs_F", "F_vs_H"}, "cos_precond_F_EF": {"value", "damping"}}


@pytest.fixture(scope="module")
def mlp_report():
    case = CASES[0]
    model, x, y = case.build()
    report = diagnose(model, (x, y), case.loss, only=["noise", "fisher"], top_k=2, tol=1e-10, lr=0.1,
                      batch_size=7, dtype="float64", device="cpu")
    return report, Dense(model, x, y, case.loss)


def test_every_spec_quantity_is_in_the_json(mlp_report):
    report, dense = mlp_report
    doc = json.loads(report.to_json())
    noise, fisher = doc["noise"], doc["fisher"]
    for key, inner in NOISE_KEYS.items():
        assert inner <= set(noise[key]), key
    assert {"trace_Sigma", "per_layer"} <= set(noise)
    for key, inner in FISHER_KEYS.items():
        assert inner <= set(fisher[key]), key
    assert {"EF_over_F_trace", "overlap", "residual_size"} <= set(fisher)
    # uncertainty next to every estimate
    assert len(noise["noise_to_signal"]["ci"]) == 2 and "trace_Sigma_stderr" in noise
    assert {"m_star_ci", "cabs_ci"} <= set(noise["batch_size"])
    assert all({"value", "residual"} <= set(v) for vals in fisher["top"].values() for v in vals)
    assert all({"estimate", "stderr", "method"} <= set(t) for t in fisher["trace"].values())
    assert all({"estimate", "stderr"} <= set(t) for t in fisher["rel_fro"].values())
    assert "EF_over_F_trace_stderr" in fisher and "error_bound" in fisher["cos_precond_F_EF"]
    assert all({"value", "chance"} <= set(v) for v in fisher["overlap"].values())
    assert doc["settings"]["per_sample_used"] == "backpack" and doc["settings"]["per_sample_reason"]
    sigma_run = noise["alignment"]["Sigma_lanczos"]  # as the fisher section reports each matrix's run
    assert set(sigma_run) == set(fisher["lanczos"]["GGN"]) == {"matvecs", "converged"}
    assert sigma_run["converged"] and sigma_run["matvecs"] >= len(noise["alignment"]["Sigma_top"])
    k_hat = noise["alignment"]["k_hat"]
    exact = float(dense.gradient_covariance().trace() / dense.hessian().trace())
    assert k_hat["estimate"] == pytest.approx(exact, rel=1e-10) and k_hat["stderr"] == 0.0


def test_numbers_equal_dense_ground_truth(mlp_report):
    report, dense = mlp_report
    doc = report.to_dict()
    g, h = dense.per_sample_gradients(), dense.hessian()
    ggn, ef, sigma = dense.ggn(), dense.empirical_fisher(), dense.gradient_covariance()
    grad = g.mean(0)
    assert doc["noise"]["trace_Sigma"] == pytest.approx(float(sigma.trace()), rel=1e-10)
    eta2 = float(sigma.trace() / grad.pow(2).sum())
    assert doc["noise"]["noise_to_signal"]["estimate"] == pytest.approx(eta2, rel=1e-10)
    f = doc["fisher"]
    for name, matrix in (("H", h), ("GGN", ggn), ("EF", ef)):
        top = torch.linalg.eigvalsh(matrix).flip(0)[:2]
        assert [v["value"] for v in f["top"][name]] == pytest.approx(top.tolist(), rel=1e-7)
        assert f["trace"][name]["estimate"] == pytest.approx(float(matrix.trace()), rel=1e-10)
    assert f["EF_over_F_trace"] == pytest.approx(float(ef.trace() / ggn.trace()), rel=1e-10)
    assert f["rel_fro"]["EF_vs_F"]["estimate"] == pytest.approx(float((ef - ggn).norm() / ggn.norm()), rel=1e-10)
    assert f["rel_fro"]["F_vs_H"]["estimate"] == pytest.approx(float((ggn - h).norm() / h.norm()), rel=1e-10)
    vecs = {name: torch.linalg.eigh(m).eigenvectors[:, -2:] for name, m in (("H", h), ("GGN", ggn), ("EF", ef))}
    overlap = float((vecs["GGN"].T @ vecs["H"]).pow(2).sum() / 2)
    assert f["overlap"]["GGN_vs_H"]["value"] == pytest.approx(overlap, abs=1e-6)
    lam = 1e-3 * float(torch.linalg.eigvalsh(ggn)[-1])
    eye = torch.eye(ggn.shape[0], dtype=torch.float64)
    a, b = torch.linalg.solve(ggn + lam * eye, grad), torch.linalg.solve(ef + lam * eye, grad)
    cos = float(a @ b / (a.norm() * b.norm()))
    c = f["cos_precond_F_EF"]
    assert c["damping"] == pytest.approx(lam, rel=1e-7)
    assert abs(c["value"] - cos) <= c["error_bound"] and abs(c["value"] - cos) < 1e-4
    residual = torch.softmax(dense.outputs(dense.theta, dense.x), -1) - torch.nn.functional.one_hot(dense.y, 3)
    assert f["residual_size"] == pytest.approx(float(residual.abs().sum()), rel=1e-10)
    assert f["residual_size_mean"] == pytest.approx(float(residual.abs().sum()) / len(dense.y), rel=1e-10)


def test_terminal_shows_both_sections(mlp_report):
    report, _ = mlp_report
    console = Console(record=True, width=220)
    render_terminal(report, console)
    text = console.export_text()
    for label in ("noise-to-signal η²", "m* = 2η²", "CABS", "k̂", "coin flip", "tr(EF)/tr(F)", "‖EF − F‖_F/‖F‖_F",
                  "cos((F+λI)⁻¹∇R", "residual size", "Monte-Carlo Fisher", "per-sample gradients: backpack",
                  "eval mode"):
        assert label in text, label


def test_k_hat_carries_the_error_of_tr_h():
    """k̂ = tr Σ/tr H with an estimated tr H (estimate, stderr) carries its propagated error."""
    case = CASES[0]
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    trace_h = float(dense.hessian().trace())

    problem = problem_from_objects(model, x, y, case.loss, dtype="float64", device="cpu")
    settings = make_settings(loss=case.loss, only=["noise"], top_k=1)
    work = Work(problem, settings, Plan.for_settings(settings))
    work.hessian.trace = types.SimpleNamespace(estimate=trace_h, stderr=0.05 * abs(trace_h))  # an estimated tr H
    k = noise_section.compute(work, Results()).as_dict()["alignment"]["k_hat"]
    trace_sigma = float(dense.gradient_covariance().trace())
    assert k["estimate"] == pytest.approx(trace_sigma / trace_h, rel=1e-10)
    assert k["stderr"] == pytest.approx(0.05 * abs(trace_sigma / trace_h), rel=1e-10)


def test_randomised_path_above_the_exact_dimension():
    """d = 404 > 256: tr H and the distances from shared probes, each within 5 standard errors of the
    dense truth; tr GGN exact from C = 4 backward passes per batch (to 1e-10, as in
    tests/operators/test_ggn_diagonal.py), tr EF and tr F_mc exact from per-sample gradients."""
    gen = torch.Generator().manual_seed(8)
    model = seeded_model(lambda: nn.Sequential(nn.Linear(20, 16), nn.Tanh(), nn.Linear(16, 4)), gen, 0.4)
    x = torch.randn(24, 20, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 4, (24,), generator=gen)
    from backpack.context import CTX

    hooks = len(CTX.hook_handles)
    report = diagnose(model, (x, y), "ce", only=["fisher"], top_k=1, dtype="float64", device="cpu",
                      exact_max_d=0).to_dict()  # no dense Hessian either: tr H by Hutch++ too
    assert len(CTX.hook_handles) == hooks and report["settings"]["per_sample_used"] == "backpack"
    doc = report["fisher"]
    dense = Dense(model, x, y, "ce")
    h, ggn, ef = dense.hessian(), dense.ggn(), dense.empirical_fisher()
    assert doc["probes"] == 32
    t = doc["trace"]["H"]
    assert t["stderr"] > 0 and abs(t["estimate"] - float(h.trace())) <= 5 * t["stderr"]
    t = doc["trace"]["GGN"]
    assert t["stderr"] == 0 and t["method"].startswith("exact")
    assert t["estimate"] == pytest.approx(float(ggn.trace()), rel=1e-10)
    assert report["settings"]["ggn_diagonal"] == "exact: 4 backward passes per batch"
    assert doc["trace"]["EF"]["stderr"] == 0 and "per-sample" in doc["trace"]["EF"]["method"]
    assert doc["trace"]["EF"]["estimate"] == pytest.approx(float(ef.trace()), rel=1e-10)
    assert doc["trace"]["F_mc"]["stderr"] == 0
    for key, (a, b) in (("EF_vs_F", (ef, ggn)), ("F_vs_H", (ggn, h))):
        est = doc["rel_fro"][key]
        assert abs(est["estimate"] - float((a - b).norm() / b.norm())) <= 5 * est["stderr"]


def test_zero_gradient_gives_nulls_and_warnings_in_the_report():
    with torch.device("meta"):
        model = nn.Linear(1, 1)
    model = model.to_empty(device="cpu").double()
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    x = torch.tensor([[1.0], [-1.0], [1.0], [-1.0]], dtype=torch.float64)
    y = torch.tensor([[1.0], [-1.0], [-1.0], [1.0]], dtype=torch.float64)
    report = diagnose(model, (x, y), "mse", only=["noise", "fisher"], top_k=1, dtype="float64", device="cpu")
    doc = json.loads(report.to_json())
    assert doc["noise"]["noise_to_signal"]["estimate"] is None and doc["noise"]["batch_size"]["m_star"] is None
    assert doc["fisher"]["cos_precond_F_EF"] is None
    assert any("exactly zero" in w for w in doc["warnings"]) and any("∇R = 0" in w for w in doc["warnings"])


def test_subset_and_fallback_are_reported():
    case = UNSUPPORTED[0]  # LayerNorm: BackPACK cannot
    model, x, y = case.build()
    doc = diagnose(model, (x, y), case.loss, only=["noise"], per_sample="backpack", samples=10, top_k=1,
                   dtype="float64", device="cpu").to_dict()
    assert doc["settings"]["per_sample_used"] == "func" and "LayerNorm" in doc["settings"]["per_sample_reason"]
    assert any("--per-sample backpack" in w for w in doc["warnings"])
    assert not doc["noise"]["noise_to_signal"]["exact"] and "Eq. 4.16" in doc["noise"]["noise_to_signal"]["method"]
    assert doc["noise"]["n_samples"] == 10 and doc["noise"]["population_size"] == x.shape[0]  # finite-population


def test_cli_noise_and_fisher(workspace, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    monkeypatch.chdir(workspace)
    out = tmp_path / "nf.json"
    result = CliRunner().invoke(app, ["run", "--model", "usermodels:cnn", "--checkpoint", "cnn.pt",
                                      "--data", "images.pt",
                                      "--loss", "ce", "--only", "noise,fisher", "--per-sample", "func", "--lr", "0.05",
                                      "--damping", "0.01", "--top-k", "2", "--json", str(out)])
    assert result.exit_code == 0, result.stdout
    doc = json.loads(out.read_text())
    assert doc["settings"]["per_sample_used"] == "func" and doc["settings"]["per_sample_reason"] == "requested"
    assert doc["noise"]["batch_size"]["cabs"] is not None and doc["noise"]["batch_size"]["lr"] == 0.05
    assert doc["fisher"]["cos_precond_F_EF"]["damping"] == 0.01
    assert doc["fisher"]["cos_precond_F_EF"]["damping_source"] == "--damping"
    assert "Gradient noise" in result.stdout and "Fisher vs empirical Fisher" in result.stdout
