"""The notebook path: `hessdiag.diagnose` on in-memory objects, `hessdiag.write_reports` for the files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

import hessdiag
from helpers.cases import CASES


def test_diagnose_leaves_the_model_alone_and_writes_the_cli_files(tmp_path):
    case = CASES[0]
    model, x, y = case.build()
    model = model.float().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    report = hessdiag.diagnose(model, (x.float(), y), case.loss, only="spectrum,geometry", top_k=1,
                               dtype="float64", device="cpu", race_steps=2)
    assert model.training and all(p.dtype == torch.float32 for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert report.problem.dtype == "float64" and report.problem.mode == "eval"
    written = hessdiag.write_reports(report, json_path=str(tmp_path / "r.json"),
                                     html_path=str(tmp_path / "r.html"), png_dir=str(tmp_path / "figs"))
    assert {p.name for p in written} >= {"r.json", "r.html"}
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads(report.to_json())
    assert "<img" in (tmp_path / "r.html").read_text() and list((tmp_path / "figs").glob("*.png"))
    assert not list(tmp_path.glob("*.tmp*"))


@pytest.mark.parametrize("name, attribute", [("load", "make_settings"), ("linalg", "lanczos_top_eigenvalues"),
                                             ("linalg", "as_linear_map"), ("distributed", "initialise")])
def test_subpackages_are_reachable_after_a_plain_import(name, attribute):
    """In a fresh interpreter, `import hessdiag` alone makes `hessdiag.<subpackage>.<name>` work (loaded on
    first use), and does not import torch by itself."""
    code = (f"import sys, hessdiag; assert 'torch' not in sys.modules; "
            f"print(callable(hessdiag.{name}.{attribute}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        hessdiag.nosuch  # noqa: B018
