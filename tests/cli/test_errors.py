"""Bad input: exit 1, exactly one clear line on stderr, no traceback, no report file (issue 3, item 6)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hessdiag.cli import app

runner = CliRunner()

BASE = ["--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce"]


def _replace(args: list[str], flag: str, value: str) -> list[str]:
    out = list(args)
    out[out.index(flag) + 1] = value
    return out


BAD_INPUTS = {
    "missing_checkpoint": (_replace(BASE, "--checkpoint", "nope.pt"), "does not exist"),
    "truncated_checkpoint": (_replace(BASE, "--checkpoint", "ckpt_truncated.pt"), "truncated or corrupt"),
    "not_a_checkpoint": (_replace(BASE, "--checkpoint", "notackpt.pt"), "not a PyTorch file"),
    "pickle_without_trust": (_replace(BASE, "--checkpoint", "ckpt_pickle.pt"), "--trust-pickle"),
    "checkpoint_keys": (_replace(BASE, "--checkpoint", "ckpt_keys.pt"), "missing keys: 2.bias"),
    "checkpoint_shapes": (_replace(BASE, "--checkpoint", "ckpt_shape.pt"), "has shape (3, 5)"),
    "nan_weights": (_replace(BASE, "--checkpoint", "ckpt_nan.pt"), "NaN/Inf"),
    "nan_data": (_replace(BASE, "--data", "data_nan.pt"), "NaN/Inf"),
    "xy_length_mismatch": (_replace(BASE, "--data", "data_mismatch.pt"), "40 samples but 'y' has 39"),
    "data_without_x_y": (_replace(BASE, "--data", "data_nokeys.pt"), "must hold 'x' and 'y'"),
    "missing_data": (_replace(BASE, "--data", "nothere.pt"), "does not exist"),
    "wrong_input_width": (_replace(BASE, "--data", "data_wide.pt"), "cannot be evaluated on the data"),
    "labels_out_of_range": (_replace(BASE, "--data", "data_labels.pt"), "must lie in 0..2"),
    "bce_labels_not_binary": (_replace(_replace(BASE, "--loss", "bce"), "--model", "usermodels:mlp"),
                              "targets shaped like the model outputs"),
    "unknown_module": (_replace(BASE, "--model", "nosuchpkg.models:mlp"), "cannot import module"),
    "unknown_factory": (_replace(BASE, "--model", "usermodels:nosuch"), "has no attribute 'nosuch'"),
    "factory_raises": (_replace(BASE, "--model", "usermodels:broken"), "factory exploded"),
    "factory_not_module": (_replace(BASE, "--model", "usermodels:not_a_module"), "not a torch.nn.Module"),
    "unsupported_layer": (_replace(BASE, "--model", "usermodels:unsupported_model"), "unsupported layer RReLU"),
    "unknown_loss": (_replace(BASE, "--loss", "hinge"), "unknown loss 'hinge'"),
    "missing_config": (["missing.toml"], "does not exist"),
    "malformed_config": (["broken.toml"], "not valid TOML"),
    "unknown_config_key": (["unknown_key.toml"], "unknown setting 'learning_rate'"),
    "model_file_not_a_program": (_replace(BASE, "--model", "notackpt.pt"), "neither a torch.export program"),
    "unknown_sklearn_set": (_replace(BASE, "--data", "sklearn:mnist"), "unknown scikit-learn data set"),
    "bad_only_section": (BASE + ["--only", "spectrum,magic"], "unknown section"),
    "json_directory_missing": (BASE + ["--json", "nodir/out.json"], "does not exist"),
    "empty_only": (BASE + ["--only", ""], "names no section"),
    "infinite_lr": (BASE + ["--lr", "inf"], "positive and finite"),
    "seed_too_large": (BASE + ["--seed", "99999999999999999999"], "seed must lie in"),
    "json_is_html": (BASE + ["--json", "same.json", "--html", "same.json"], "name the same file"),
    "json_over_the_data": (BASE + ["--json", "data.pt"], "would overwrite the input file"),
    "png_dir_under_a_file": (BASE + ["--png-dir", "data.pt/figs"], "is not a directory"),
    "file_name_too_long": (BASE + ["--json", "a" * 300 + ".json"], "longer than"),
    "fail_if_unknown_section": (BASE + ["--fail-if", "eigenvalue.top[0].value > 1"], "no section 'eigenvalue'"),
    "fail_if_section_not_run": (BASE + ["--only", "spectrum", "--fail-if", "noise.trace_Sigma > 1"], "not computed"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exits_1_with_one_clear_line(name, workspace, monkeypatch):
    args, fragment = BAD_INPUTS[name]
    monkeypatch.chdir(workspace)
    before = {p.name for p in workspace.iterdir()}
    result = runner.invoke(app, ["run", *args, "--json", "out.json"] if "--json" not in args
                           else ["run", *args])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hessdiag: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert {p.name for p in workspace.iterdir()} == before  # nothing written, nothing executed


def test_pickle_checkpoint_never_executes(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    runner.invoke(app, ["run", *_replace(BASE, "--checkpoint", "ckpt_pickle.pt"), "--quiet"])
    assert not (workspace / "PWNED").exists()


def test_usage_error_exits_2(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    result = runner.invoke(app, ["run", "--samples", "many"])
    assert result.exit_code == 2


def test_existing_report_is_kept_when_a_run_fails(workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    out = tmp_path / "keep.json"
    out.write_text("previous report\n")
    result = runner.invoke(app, ["run", *_replace(BASE, "--data", "data_nan.pt"), "--json", str(out), "--quiet"])
    assert result.exit_code == 1
    assert out.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_sparse_data_and_settings_outside_the_run_table_are_refused(workspace, monkeypatch, tmp_path):
    import torch

    monkeypatch.chdir(workspace)
    x = torch.randn(6, 4, generator=torch.Generator().manual_seed(0)).to_sparse()
    torch.save({"x": x, "y": torch.zeros(6, dtype=torch.long)}, tmp_path / "sparse.pt")
    result = runner.invoke(app, ["run", *_replace(BASE, "--data", str(tmp_path / "sparse.pt"))])
    assert result.exit_code == 1 and "sparse_coo tensor; save it dense" in result.stderr
    (tmp_path / "split.toml").write_text('top_k = 1\n[run]\nmodel = "usermodels:mlp"\n')
    result = runner.invoke(app, ["run", str(tmp_path / "split.toml")])
    assert result.exit_code == 1 and "outside the [run] table" in result.stderr


def test_a_null_fail_if_value_writes_nothing(workspace, monkeypatch, tmp_path):
    """At a condition that cannot be read (here: λ_min⁺ ratio of a run without it), nothing is written."""
    monkeypatch.chdir(workspace)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["run", *BASE, "--top-k", "1", "--only", "spectrum", "--json", str(out),
                                 "--fail-if", "step_sizes.gd_opt > 1"])
    assert result.exit_code == 1 and "null" in result.stderr and not out.exists()


def test_usage_errors_are_one_line_from_the_console_script(monkeypatch, capsys):
    import sys

    from hessdiag.cli import main

    monkeypatch.setattr(sys, "argv", ["hessdiag", "run", "--topk", "1"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hessdiag: error: No such option: --topk")


def test_a_swallowed_ctrl_c_still_stops_the_run_before_it_writes():
    """Python drops a KeyboardInterrupt raised inside a weakref callback; the remembered signal is
    checked before any file is written."""
    import signal

    from hessdiag import interrupts

    with interrupts.session() as signals:
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            pass  # the library swallowed it
        with pytest.raises(KeyboardInterrupt):
            signals.check()


def test_an_unexpected_exception_is_one_line_unless_the_traceback_is_asked_for(workspace, monkeypatch):
    import hessdiag.api

    def broken(settings, progress=None, **hooks):
        raise ZeroDivisionError("a bug")

    monkeypatch.chdir(workspace)
    monkeypatch.setattr(hessdiag.api, "run", broken)
    result = runner.invoke(app, ["run", *BASE, "--quiet"])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1
    assert "internal error (ZeroDivisionError: a bug)" in lines[0] and "HESSDIAG_TRACEBACK=1" in lines[0]
    monkeypatch.setenv("HESSDIAG_TRACEBACK", "1")
    assert isinstance(runner.invoke(app, ["run", *BASE, "--quiet"]).exception, ZeroDivisionError)
