"""`hessdiag run` end to end, as a new user would call it (issue 3, 'Done when')."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from typer.testing import CliRunner

from helpers.dense import Dense
from hessdiag.cli import app

runner = CliRunner()

TOP_LEVEL = {"schema_version", "hessdiag_version", "problem", "settings", "timings", "warnings",
             "eigenvalues", "L2"}


def _run(args, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 0, result.stderr + result.stdout
    return result


def _dense_eigenvalues(workspace):
    namespace: dict = {}
    exec((workspace / "usermodels.py").read_text(), namespace)
    with torch.random.fork_rng(devices=[]):
        model = namespace["mlp"]().to(torch.float64)
    model.load_state_dict(torch.load(workspace / "ckpt.pt"))
    data = torch.load(workspace / "data.pt")
    return torch.linalg.eigvalsh(Dense(model, data["x"].double(), data["y"], "ce").hessian())


@pytest.mark.parametrize("checkpoint", ["ckpt.pt", "lightning.ckpt"])
def test_user_checkpoint_to_json(workspace, monkeypatch, tmp_path, checkpoint):
    out = tmp_path / "out.json"
    result = _run(["--model", "usermodels:mlp", "--checkpoint", checkpoint, "--data", "data.pt",
                   "--loss", "ce", "--top-k", "3", "--tol", "1e-9", "--json", str(out)], workspace, monkeypatch)
    report = json.loads(out.read_text())
    assert TOP_LEVEL <= set(report)
    assert report["schema_version"] == "1"
    assert report["problem"]["mode"] == "eval" and report["problem"]["n_samples"] == 40
    assert report["problem"]["d"] == 8 * 6 + 6 + 6 * 3 + 3
    eig = _dense_eigenvalues(workspace)
    top = [e["value"] for e in report["eigenvalues"]["top"]]
    assert top == pytest.approx(eig.flip(0)[:3].tolist(), rel=1e-8)
    bottom = [e["value"] for e in report["eigenvalues"]["bottom"]]
    assert bottom == pytest.approx(eig[:3].tolist(), rel=1e-8, abs=1e-12)
    assert report["eigenvalues"]["converged"] is True and report["eigenvalues"]["matvecs"] > 0
    assert report["L2"]["value"] == pytest.approx(float(eig.abs().max()), rel=1e-8)
    assert "eigenvalues" in report["timings"]
    assert report["settings"]["seed"] == 0 and report["settings"]["top_k"] == 3
    assert "Hessian eigenvalues" in result.stdout and "eval mode" in result.stdout


def test_same_seed_same_report(workspace, monkeypatch, tmp_path):
    docs = []
    for name in ("a.json", "b.json"):
        _run(["run.toml", "--json", str(tmp_path / name), "--quiet"], workspace, monkeypatch)
        doc = json.loads((tmp_path / name).read_text())
        doc.pop("timings")
        doc["settings"].pop("json")
        doc["settings"].pop("cost")  # measured on the machine: seconds, peak memory
        docs.append(doc)
    assert docs[0] == docs[1]


def test_only_restricts_the_sections(workspace, monkeypatch, tmp_path):
    out = tmp_path / "r.json"
    _run(["run.toml", "--json", str(out), "--quiet", "--only", "spectrum"], workspace, monkeypatch)
    doc = json.loads(out.read_text())
    assert doc["eigenvalues"] is not None and doc["trace"] is not None
    assert doc["Linf"] is None and doc["rho_diag"] is None and doc["improvement_ratio"] is None


def test_default_run_as_a_subprocess(tmp_path):
    """The console entry point on the built-in default: exit 0, a JSON report, the default named. Only the spectrum:
    the whole default run is checked in-process (tests/cli/test_outputs.py, tests/test_golden_reports.py)."""
    out = tmp_path / "default.json"
    proc = subprocess.run([sys.executable, "-m", "hessdiag", "run", "--json", str(out), "--top-k", "2", "--only",
                           "spectrum"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "built-in default" in proc.stderr + proc.stdout
    report = json.loads(out.read_text())
    assert report["problem"]["d"] == 2410 and report["problem"]["n_samples"] == 1797
    assert report["eigenvalues"]["top"][0]["value"] > 0


def test_a_backend_outside_torchrun_is_said_to_have_no_effect(workspace, monkeypatch):
    """--dist-backend chooses the backend of a launched run; a single process says it does nothing."""
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    args = ["--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce",
            "--only", "spectrum", "--top-k", "1"]
    said = _run([*args, "--dist-backend", "gloo"], workspace, monkeypatch).stderr
    assert "note: --dist-backend gloo has no effect: this process was not launched by torchrun" in said
    assert "--dist-backend" not in _run(args, workspace, monkeypatch).stderr
