"""`hessdiag calibrate` end to end: JSON, PNG, the printed agreement rate, errors (SPEC §8)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hessdiag.cli import app

runner = CliRunner()


def test_calibrate_writes_json_and_png_and_prints_the_agreement_rate(tmp_path):
    out, png = tmp_path / "cal.json", tmp_path / "cal.png"
    result = runner.invoke(app, ["calibrate", "--dim", "8", "--reps", "3", "--seed", "1", "--json", str(out),
                                 "--png", str(png)])
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = json.loads(out.read_text())
    assert 0 <= doc["agreement_rate"] <= 1 and len(doc["cells"]) == 64
    assert doc["settings"]["dim"] == 8 and doc["settings"]["reps"] == 3 and doc["settings"]["seed"] == 1
    cell = doc["cells"][0]
    assert {"lambda_max", "phi", "Linf_over_L2", "rho_diag", "mean_R", "winner", "predicted"} <= set(cell)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "agreement rate" in result.stdout and f"{doc['agreement_rate']:.1%}" in result.stdout
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


def test_calibrate_bad_dimension_is_one_line_exit_1(tmp_path):
    out = tmp_path / "cal.json"
    result = runner.invoke(app, ["calibrate", "--dim", "40", "--json", str(out)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "--dim" in result.stderr
    assert not out.exists()


def test_calibrate_unwritable_json_fails_before_work(tmp_path):
    result = runner.invoke(app, ["calibrate", "--json", str(tmp_path / "missing" / "cal.json")])
    assert result.exit_code == 1 and "does not exist" in result.stderr
