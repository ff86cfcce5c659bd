"""The preconditioning, blocks and imbalance sections on real runs: values against dense truth, keys,
schema, --only, and what happens where a quantity does not apply.

Dense truth as in the estimator tests (float64, tolerance 1e-9 relative: the sections run the same
estimators through the shared work, whose dense Hessian is symmetrised from d products).
"""

from __future__ import annotations

import math

import jsonschema
import numpy as np
import pytest
import torch

from helpers.cases import CASES
from helpers.dense import Dense
from hessdiag import diagnose
from hessdiag.sections import schema as report_schema

CE = next(c for c in CASES if c.name == "tanh_mlp_ce")
MSE = next(c for c in CASES if c.name == "mlp_mse_multi")


@pytest.fixture(scope="module")
def ce_doc():
    model, x, y = CE.build()
    return diagnose(model, (x, y), CE.loss, top_k=2, dtype="float64", device="cpu", race_steps=20).to_dict()


def test_preconditioned_spectra_match_dense_truth(ce_doc):
    model, x, y = CE.build()
    dense = Dense(model, x, y, CE.loss)
    h = dense.hessian().numpy()
    g = dense.per_sample_gradients().numpy()
    p = np.sqrt((g**2).mean(0)) + 1e-8
    s = 1 / np.sqrt(p)
    lam, lam_hat = np.linalg.eigvalsh(h), np.linalg.eigvalsh(s[:, None] * h * s[None, :])
    pre = ce_doc["preconditioning"]
    assert pre["hessian"]["lambda_max"]["value"] == pytest.approx(lam[-1], rel=1e-9)
    adam = pre["adam"]
    assert adam["spectrum"]["lambda_max"]["value"] == pytest.approx(lam_hat[-1], rel=1e-9)
    kappa = lam[-1] / np.abs(lam).mean()
    kappa_hat = lam_hat[-1] / np.abs(lam_hat).mean()
    assert adam["rate_ratio"]["value"] == pytest.approx(kappa / kappa_hat, rel=1e-9)
    d = np.abs(np.diag(h))
    pj = d + 1e-6 * d.max()
    sj = 1 / np.sqrt(pj)
    lam_j = np.linalg.eigvalsh(sj[:, None] * h * sj[None, :])
    assert pre["jacobi"]["spectrum"]["lambda_max"]["value"] == pytest.approx(lam_j[-1], rel=1e-9)
    assert pre["jacobi"]["preconditioner"].startswith("|diag(H)|")


def test_block_spectra_and_class_statistics_match_dense_truth(ce_doc):
    model, x, y = CE.build()
    h = Dense(model, x, y, CE.loss).hessian().numpy()
    blocks = ce_doc["blocks"]
    offset = 0
    for block, (name, p) in zip(blocks["per_block"], model.named_parameters()):
        n = p.numel()
        values = np.linalg.eigvalsh(h[offset:offset + n, offset:offset + n])
        assert block["name"] == name and block["numel"] == n and block["method"] == "exact"
        assert block["top"]["value"] == pytest.approx(values[-1], rel=1e-9, abs=1e-12)
        offset += n
    assert blocks["pairs"] == 6 and blocks["average_js"]["stderr"] == 0.0
    imbalance = ce_doc["imbalance"]
    counts = np.bincount(y.numpy(), minlength=3)
    assert imbalance["counts"] == counts.tolist()
    assert imbalance["imbalance_ratio"] == pytest.approx(counts.max() / counts[counts > 0].min())


def test_the_report_validates_and_the_recommendation_reads_the_new_evidence(ce_doc):
    jsonschema.validate(ce_doc, report_schema(), cls=jsonschema.Draft202012Validator)
    rec = ce_doc["recommendation"]
    f = rec["features"]
    rate = ce_doc["preconditioning"]["adam"]["rate_ratio"]["value"]
    assert f["log_adam_rate"]["value"] == pytest.approx(math.log10(rate))
    assert f["block_js"]["value"] == pytest.approx(ce_doc["blocks"]["average_js"]["estimate"])
    race = rec["race"]
    assert race["steps"] == 20 and race["batch_size"] == 23  # the whole selection: 23 rows < 128
    assert f["log_race_ratio"]["value"] == pytest.approx(math.log10(race["ratio"]))
    assert rec["rule"]["benchmark"]["accuracy_clear"] is not None
    assert rec["stationarity"]["stationary"] is False


def test_regression_has_no_class_statistics_and_only_selects_sections():
    model, x, y = MSE.build()
    doc = diagnose(model, (x, y), MSE.loss, top_k=1, dtype="float64", device="cpu", race_steps=0,
                   only="spectrum,imbalance,blocks").to_dict()
    assert doc["imbalance"] is None and any("imbalance:" in w for w in doc["warnings"])
    assert doc["preconditioning"] is None and doc["noise"] is None and doc["blocks"] is not None
    rec = doc["recommendation"]
    assert rec["features"]["log_adam_rate"] is None and rec["race"] is None
    jsonschema.validate(doc, report_schema(), cls=jsonschema.Draft202012Validator)


def test_a_converged_fit_is_flagged_stationary_and_the_call_ignores_gradient_evidence():
    """Noiseless least squares solved exactly (θ = the float32 least-squares solution): ‖∇R‖ is what
    the float32 rounding of θ leaves."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 5, generator=gen, dtype=torch.float64)
    w = torch.randn(5, 1, generator=gen, dtype=torch.float64)
    model = torch.nn.Linear(5, 1, bias=False, device="meta").to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        model.weight.copy_(w.T.to(torch.float32).to(torch.float64))
    y = x @ w
    doc = diagnose(model, (x, y), "mse", top_k=1, dtype="float64", device="cpu", race_steps=0).to_dict()
    rec = doc["recommendation"]
    assert rec["stationarity"]["stationary"] is True
    assert any(w.startswith("stationary point") for w in doc["warnings"])
    assert rec["features"]["log_improvement_ratio"] is None and rec["features"]["log_noise_to_signal"] is None
    assert rec["features"]["log_adam_rate"] is not None


def test_a_budget_far_below_the_plan_skips_the_blocks_section_and_says_so():
    """Without the dense Hessian (--exact-max-d below d) and a budget far below even the floors, the first
    plan skips the blocks section (`work.refit.fit_or_skip`) before it caps H's Lanczos runs: the section is
    not measured, the cut and a warning say so, the report validates."""
    model, x, y = CE.build()
    doc = diagnose(model, (x, y), CE.loss, top_k=1, dtype="float64", device="cpu", race_steps=0, exact_max_d=4,
                   budget=1e-3, only="spectrum,blocks").to_dict()
    cuts = doc["settings"]["cost"]["cuts"]
    assert doc["blocks"] is None and cuts["section blocks"]["to"] == 0 and "block_steps" not in cuts
    assert any(w.startswith("blocks: not measured") for w in doc["warnings"])
    assert doc["recommendation"]["features"]["block_js"] is None
    jsonschema.validate(doc, report_schema(), cls=jsonschema.Draft202012Validator)
