"""Every model, checkpoint and data form of SPEC §8 loads into the same problem."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hessdiag.errors import CheckpointError, ConfigError, DataError
from hessdiag.load import load_problem, make_settings
from hessdiag.operators import HessianOperator, loss_and_gradient

BASE = dict(model="usermodels:mlp", checkpoint="ckpt.pt", data="data.pt", loss="ce")


@pytest.fixture
def at_workspace(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    return workspace


def _signature(settings):
    """Loss, gradient and one Hessian product: equal signatures mean equal problems."""
    problem = load_problem(settings)
    loss, gradient = loss_and_gradient(problem)
    v = torch.linspace(-1, 1, problem.d, dtype=problem.dtype)
    return problem, loss, gradient, HessianOperator(problem).matvec(v)


def _same(a, b, tol=1e-10):
    _, la, ga, ha = a
    _, lb, gb, hb = b
    assert lb == pytest.approx(la, rel=tol)
    assert torch.allclose(gb, ga, rtol=tol, atol=tol * float(ga.abs().max()))
    assert torch.allclose(hb, ha, rtol=tol, atol=tol * float(ha.abs().max()))


@pytest.fixture
def reference(at_workspace):
    return _signature(make_settings(**BASE))


@pytest.mark.parametrize("checkpoint", ["lightning.ckpt", "ddp.pt"])
def test_nested_and_prefixed_checkpoints(reference, checkpoint):
    _same(reference, _signature(make_settings(**{**BASE, "checkpoint": checkpoint})))


def test_pickled_module_checkpoint_needs_trust(reference):
    with pytest.raises(CheckpointError, match="--trust-pickle"):
        load_problem(make_settings(**{**BASE, "checkpoint": "whole_model.pt"}))
    _same(reference, _signature(make_settings(**{**BASE, "checkpoint": "whole_model.pt", "trust_pickle": True})))


@pytest.mark.parametrize("model", ["model.ts", "model.pt2", "model_static.pt2"])
def test_torchscript_and_export_models(reference, model):
    problem, *rest = _signature(make_settings(model=model, data="data.pt", loss="ce", batch_size=7))
    assert problem.d == reference[0].d
    _same(reference, (problem, *rest))


def test_static_export_pads_batches_with_zero_weight(at_workspace):
    problem = load_problem(make_settings(model="model_static.pt2", data="data.pt", loss="ce", batch_size=5))
    assert [b.size for b in problem.batches] == [16, 16, 16]
    assert float(sum(b.w.sum() for b in problem.batches)) == pytest.approx(1.0)
    assert any("accepts batches of 16 only" in w for w in problem.warnings)


def test_static_export_runs_the_sections_that_read_its_output_size(at_workspace):
    """The exact GGN diagonal's output count and the classes of the imbalance section were read off a
    one-row forward, which a program exported for 16 rows refuses (an internal error before)."""
    from hessdiag import api

    settings = make_settings(model="model_static.pt2", data="data.pt", loss="ce", quiet=True, race_steps=0,
                             only=["preconditioning", "imbalance"])
    report = api.run(settings).to_dict()
    assert report["imbalance"]["classes"] == 3
    assert report["preconditioning"]["hessian"]["effective_condition"] > 1


def test_a_whole_run_of_a_static_export_matches_the_dynamic_one(at_workspace):
    """Every section, on the product paths, of a program exported for 16 rows against the same model exported
    for any batch size. Two crashes were behind this: the race's mini-batches (here all 40 rows) and the
    Monte Carlo Fisher diagonal's one-row forward. The race now runs in padded chunks of 16, and the exact
    diag(GGN) takes its vectors from rows of the batch's Jacobian (diag(F_mc) before), equal to the
    dynamic export's."""
    from hessdiag import api

    static, dynamic = (api.run(make_settings(model=model, data="data.pt", loss="ce", quiet=True, race_steps=4,
                                             exact_max_d=0, top_k=1)).to_dict()
                       for model in ("model_static.pt2", "model.pt2"))
    assert static["recommendation"]["race"]["batch_size"] == 40
    for family in ("sgdm", "adam"):
        assert np.allclose(static["recommendation"]["race"]["families"][family]["final_losses"],
                           dynamic["recommendation"]["race"]["families"][family]["final_losses"], rtol=1e-10, atol=0)
    assert static["eigenvalues"]["top"][0]["value"] == pytest.approx(dynamic["eigenvalues"]["top"][0]["value"],
                                                                      rel=1e-10)
    assert static["noise"]["per_sample"]["per_sample_mode"] == "func-jacobian"
    for key in ("jacobi", "adam"):
        assert static["preconditioning"][key]["preconditioner"] == dynamic["preconditioning"][key]["preconditioner"]
    assert static["preconditioning"]["jacobi"]["preconditioner"].startswith("diag(GGN)")
    assert static["preconditioning"]["jacobi"]["spectrum"]["lambda_max"]["value"] == pytest.approx(
        dynamic["preconditioning"]["jacobi"]["spectrum"]["lambda_max"]["value"], rel=1e-8)
    assert static["fisher"]["trace"]["GGN"]["stderr"] == 0 and static["fisher"]["trace"]["GGN"]["estimate"] == \
        pytest.approx(dynamic["fisher"]["trace"]["GGN"]["estimate"], rel=1e-10)
    assert static["preconditioning"]["adam"]["spectrum"]["lambda_max"]["value"] == pytest.approx(
        dynamic["preconditioning"]["adam"]["spectrum"]["lambda_max"]["value"], rel=1e-8)


@pytest.mark.parametrize("data", ["data.npz", "usermodels:xy", "usermodels:dataset"])
def test_data_forms(at_workspace, data):
    problem = load_problem(make_settings(**{**BASE, "data": data}))
    x = torch.cat([b.x for b in problem.batches])
    assert x.shape[1:] == (8,)
    if data == "data.npz":
        ref = np.load("data.npz")
        assert np.allclose(x.numpy(), ref["x"])


@pytest.mark.parametrize("name,classes", [("digits", 10), ("breast_cancer", 2), ("wine", 3)])
def test_sklearn_classification_sets(name, classes):
    from hessdiag.load.data import load_sklearn

    x, y = load_sklearn(name)
    assert x.dtype == torch.float64 and torch.isfinite(x).all()
    assert int(y.max()) == classes - 1
    if name != "digits":
        assert torch.allclose(x.mean(0), torch.zeros(x.shape[1], dtype=x.dtype), atol=1e-10)


def test_sklearn_diabetes_is_regression():
    from hessdiag.load.data import load_sklearn

    x, y = load_sklearn("diabetes")
    assert y.shape == (442, 1) and abs(float(y.mean())) < 1e-12


def test_samples_is_a_seeded_subset(at_workspace):
    a = load_problem(make_settings(**BASE, samples=11, seed=5))
    b = load_problem(make_settings(**BASE, samples=11, seed=5))
    c = load_problem(make_settings(**BASE, samples=11, seed=6))
    xa, xb, xc = (torch.cat([bt.x for bt in p.batches]) for p in (a, b, c))
    assert a.n_samples == 11 and torch.equal(xa, xb) and not torch.equal(xa, xc)
    full = torch.load("data.pt")["x"].to(torch.float64)
    assert all(any(torch.equal(row, f) for f in full) for row in xa)


def test_more_samples_than_the_data_hold_uses_all_and_says_so(at_workspace):
    full = torch.load("data.pt")["x"]
    problem = load_problem(make_settings(**BASE, samples=10 * full.shape[0]))
    assert problem.n_samples == full.shape[0] and not problem.is_subset
    assert any("exceeds" in w for w in problem.warnings)


@pytest.mark.parametrize("batch_size", [1, 3, 40, 1000])
def test_results_do_not_depend_on_batch_size(reference, batch_size):
    _same(reference, _signature(make_settings(**BASE, batch_size=batch_size)), tol=1e-12)


def test_config_file_and_flag_precedence(at_workspace):
    from_file = make_settings("run.toml")
    assert from_file.top_k == 2 and from_file.seed == 3 and from_file.tol == 1e-8
    assert from_file.checkpoint.endswith("ckpt.pt")
    overridden = make_settings("run.toml", top_k=4, loss="ce")
    assert overridden.top_k == 4 and overridden.seed == 3
    load_problem(from_file)  # paths in the config resolve against its directory


def test_config_paths_are_relative_to_the_config(at_workspace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problem = load_problem(make_settings(at_workspace / "run.toml"))
    assert problem.n_samples == 40


def test_config_type_errors_are_clear(at_workspace, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('top_k = "three"\n')
    with pytest.raises(ConfigError, match="'top_k' must be int"):
        make_settings(bad)


def test_model_is_evaluated_in_eval_mode(at_workspace):
    """Dropout would make products random and BatchNorm would use batch statistics: eval mode."""
    settings = make_settings(model="usermodels:bn_model", checkpoint="bn.pt", data="data.pt", loss="ce")
    a, b = _signature(settings), _signature(settings)
    _same(a, b, tol=0)
    assert a[0].mode == "eval" and not a[0].module.training


def test_factory_without_checkpoint_is_seeded_and_warned(at_workspace):
    a = load_problem(make_settings(model="usermodels:mlp", data="data.pt", loss="ce", seed=1))
    b = load_problem(make_settings(model="usermodels:mlp", data="data.pt", loss="ce", seed=1))
    assert torch.equal(a.theta, b.theta)
    assert any("no checkpoint" in w for w in a.warnings)


def test_custom_leaf_layer_is_allowed_with_a_warning(at_workspace):
    problem = load_problem(make_settings(model="usermodels:custom_layer_model", data="data.pt", loss="ce"))
    assert any("custom layer Scale" in w for w in problem.warnings)


def test_bce_targets_must_be_probabilities(at_workspace):
    from hessdiag.load import get_loss

    out = torch.zeros(4, 1)
    with pytest.raises(DataError, match=r"in \[0, 1\]"):
        get_loss("bce").prepare_targets(torch.tensor([0.0, 1.0, 2.0, 0.0]), out, torch.float64)
    assert get_loss("bce").prepare_targets(torch.tensor([0, 1, 1, 0]), out, torch.float64).shape == (4, 1)


def test_ce_rejects_fractional_labels():
    from hessdiag.load import get_loss

    with pytest.raises(DataError, match="integer class labels"):
        get_loss("ce").prepare_targets(torch.tensor([0.5, 1.0]), torch.zeros(2, 3), torch.float64)


def test_mse_accepts_vector_targets_for_one_output(at_workspace):
    problem = load_problem(make_settings(model="usermodels:regressor", data="regression.pt", loss="mse"))
    assert problem.batches[0].y.shape[1:] == (2,)


def test_a_float64_checkpoint_keeps_every_digit(at_workspace, tmp_path):
    """The factory's float32 module is cast to the run's dtype before the weights are loaded."""
    state = torch.load("ckpt.pt")
    fine = {k: v.to(torch.float64) + 1e-12 for k, v in state.items()}  # not representable in float32
    torch.save(fine, tmp_path / "fine.pt")
    problem = load_problem(make_settings(**{**BASE, "checkpoint": str(tmp_path / "fine.pt")}, dtype="float64"))
    assert all(torch.equal(problem.params[k], fine[k]) for k in fine)


def test_fail_if_flags_add_to_the_configs_conditions(tmp_path):
    (tmp_path / "ci.toml").write_text('fail_if = ["L2.value > 10"]\n')
    settings = make_settings(tmp_path / "ci.toml", fail_if=["L2.value > 10", "trace.estimate > 5"])
    assert settings.fail_if == ("L2.value > 10", "trace.estimate > 5")
