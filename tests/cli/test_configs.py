"""Every shipped config in configs/ runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hessdiag.cli import app

CONFIGS = sorted((Path(__file__).parents[2] / "configs").glob("*.toml"))


@pytest.mark.parametrize("config", CONFIGS, ids=[c.name for c in CONFIGS])
def test_shipped_config_runs(config, tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["run", str(config), "--top-k", "1", "--max-matvecs", "30", "--samples", "300",
                                      "--json", str(out), "--quiet"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["eigenvalues"]["top"][0]["value"] > 0
    assert report["settings"]["config"] == str(config)
