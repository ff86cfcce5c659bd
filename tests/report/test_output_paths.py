"""`check_output_paths` and `check_not_imported` as functions (the CLI cases are in
tests/cli/test_output_safety.py)."""

from __future__ import annotations

import os
import sys

import pytest

from hessdiag.errors import InputFileError
from hessdiag.load import make_settings
from hessdiag.report.output_paths import check_not_imported, check_output_paths, run_inputs


def test_inputs_of_a_run_are_found_without_imports(tmp_path, monkeypatch):
    (tmp_path / "h17inputs.py").write_text("raise SystemExit('imported!')\n")
    (tmp_path / "ckpt.pt").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    settings = make_settings(model="h17inputs:make", checkpoint="ckpt.pt", data="sklearn:digits", loss="ce")
    found = dict((str(path), what) for what, path in run_inputs(settings))
    assert found == {"ckpt.pt": "--checkpoint",
                     str(tmp_path / "h17inputs.py"): "a module behind --model h17inputs:make"}
    assert "h17inputs" not in sys.modules


def test_png_names_and_outputs_collide(tmp_path):
    with pytest.raises(InputFileError, match="the HTML report and the PNG figure 'race' name the same file"):
        check_output_paths({"HTML report": str(tmp_path / "race.png")}, png_dir=str(tmp_path), png_names=["race"])
    check_output_paths({"HTML report": str(tmp_path / "race.png")}, png_dir=str(tmp_path), png_names=["density"])
    assert list(tmp_path.iterdir()) == []  # the temporary files of the check are gone


def test_a_symbolic_link_to_an_input_is_refused(tmp_path):
    (tmp_path / "data.pt").write_bytes(b"x")
    os.symlink(tmp_path / "data.pt", tmp_path / "r.json")
    with pytest.raises(InputFileError, match="would overwrite the input file"):
        check_output_paths({"JSON report": str(tmp_path / "r.json")}, inputs=[("--data", tmp_path / "data.pt")])


def test_an_imported_module_is_protected():
    import hessdiag.report.fail_if as module

    with pytest.raises(InputFileError, match="the source of module 'hessdiag.report.fail_if'"):
        check_not_imported({"JSON report": module.__file__})
    check_not_imported({"JSON report": "not_a_module.json"})
