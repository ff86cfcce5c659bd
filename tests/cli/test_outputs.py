"""`--json --html --png-dir` together; the JSON validates against `hessdiag schema`; `--fail-if` exit codes."""

from __future__ import annotations

import json

import jsonschema
import pytest
from typer.testing import CliRunner

from hessdiag.cli import app

runner = CliRunner()
USER = ["--model", "usermodels:bn_model", "--checkpoint", "bn.pt", "--data", "data.pt", "--loss", "ce"]


def _schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("args", [[], USER], ids=["default", "user_checkpoint"])
def test_json_html_png_written_and_valid(args, workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    out = tmp_path / "r.json"
    page = tmp_path / "r.html"
    figs = tmp_path / "figs"
    result = runner.invoke(app, ["run", *args, "--top-k", "2", "--json", str(out), "--html", str(page),
                                 "--png-dir", str(figs), "--quiet"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, _schema(), cls=jsonschema.Draft202012Validator)
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and 'id="verdict"' in text
    assert "http://" not in text and "https://" not in text.replace("https://json-schema", "")
    pngs = sorted(p.name for p in figs.iterdir())
    assert {"eigenvalues.png", "density.png", "rho_diag_per_layer.png", "noise.png", "race.png"} <= set(pngs)
    assert all((figs / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("condition,code", [
    ("eigenvalues.top[0].value > 0", 3),
    ("eigenvalues.top.0.value < 0", 0),
    ("L2.value >= 1e9", 0),
])
def test_fail_if_exit_codes(condition, code, workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["run", *USER, "--top-k", "1", "--json", str(out), "--fail-if", condition])
    assert result.exit_code == code, result.stderr
    assert out.exists()  # the report is written either way: CI keeps it as an artifact
    if code == 3:
        assert "condition holds" in result.stderr and condition in result.stderr


def test_fail_if_syntax_error_is_usage_before_any_work(workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["run", *USER, "--json", str(out), "--fail-if", "L2.value >> 1"])
    assert result.exit_code == 2
    assert not out.exists()


def test_fail_if_on_an_unknown_section_is_refused_before_any_work(workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["run", *USER, "--json", str(out), "--fail-if", "eigenvalue.top[0].value > 1"])
    assert result.exit_code == 1 and not out.exists()
    assert "no section 'eigenvalue'" in result.stderr and "eigenvalues" in result.stderr
