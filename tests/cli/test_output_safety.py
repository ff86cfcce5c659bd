"""Nothing of the user's is overwritten (issue 17, item 1): an output on an input of the run, two outputs
on one path, an output that is not a regular file, a directory where the real temporary file cannot be
made — each refused before any work: exit 1, one line, no traceback, every file byte-identical."""

from __future__ import annotations

import os
import socket
import stat
import sys

import pytest

from helpers.refusals import invoke_refused, run_module, snapshot
from helpers.signals_driver import RUN_PNGS

BASE = ["run", "--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce",
        "--quiet"]


@pytest.fixture
def here(workspace, monkeypatch, tmp_path):
    """The user's workspace as the working directory; outputs and odd nodes go to tmp_path."""
    monkeypatch.chdir(workspace)
    return tmp_path


def _refused(args, roots, fragment):
    return invoke_refused(args, roots, fragment)


@pytest.mark.parametrize("target", ["usermodels.py", "ckpt.pt", "data.pt", "run.toml"])
def test_an_output_on_an_input_file_is_refused(target, workspace, here):
    args = ["run", "run.toml", "--quiet"] if target == "run.toml" else BASE
    for flag in ("--json", "--html"):
        _refused([*args, flag, target], [workspace, here], "would overwrite the input file")


def test_the_module_behind_a_data_factory_and_a_package_init_are_inputs(workspace, here, monkeypatch):
    package = here / "h17pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "nets.py").write_text("from usermodels import mlp, dataset\n")
    monkeypatch.chdir(here)  # the working directory is importable: the specs are found there
    args = ["run", "--model", "h17pkg.sub.nets:mlp", "--data", "h17pkg.sub.nets:dataset", "--loss", "ce", "--quiet"]
    for target in ("h17pkg/sub/nets.py", "h17pkg/__init__.py", "h17pkg/sub/__init__.py"):
        line = _refused([*args, "--json", target], [workspace, here], "would overwrite the input file")
        assert "h17pkg.sub.nets" in line
    assert "h17pkg" not in sys.modules  # found without importing (executing) anything


def test_a_module_the_model_imports_is_protected_once_loaded(workspace, here, monkeypatch):
    (here / "h17helpers.py").write_text("from torch import nn\n\ndef layers():\n    return [nn.Linear(8, 3)]\n")
    (here / "h17model.py").write_text("from torch import nn\nimport h17helpers\n\n"
                                      "def make():\n    return nn.Sequential(*h17helpers.layers())\n")
    monkeypatch.chdir(here)
    try:
        line = _refused(["run", "--model", "h17model:make", "--data", str(workspace / "data.pt"), "--loss", "ce",
                         "--quiet", "--json", "h17helpers.py"], [workspace, here], "the source of module 'h17helpers'")
        assert "h17helpers.py" in line
    finally:
        for name in ("h17model", "h17helpers"):
            sys.modules.pop(name, None)


def test_a_hard_link_to_the_checkpoint_is_the_checkpoint(workspace, here):
    os.link(workspace / "ckpt.pt", here / "link.json")
    _refused([*BASE, "--json", str(here / "link.json")], [workspace, here], "would overwrite the input file")


@pytest.mark.parametrize("name", RUN_PNGS)
def test_an_output_on_a_png_the_run_writes_is_refused(name, workspace, here):
    figs = here / "figs"
    figs.mkdir()
    (figs / f"{name}.png").write_bytes(b"old figure")
    _refused([*BASE, "--png-dir", str(figs), "--json", str(figs / f"{name}.png")], [workspace, here],
             "name the same file")
    _refused([*BASE, "--png-dir", str(figs), "--html", str(figs / f"{name}.png")], [workspace, here],
             "name the same file")


def test_a_png_of_a_section_not_run_may_be_a_report(workspace, here):
    """`--only spectrum` draws no noise figure: a JSON named noise.png in the PNG directory is not refused."""
    figs = here / "figs"
    figs.mkdir()
    from typer.testing import CliRunner

    from hessdiag.cli import app

    result = CliRunner().invoke(app, [*BASE, "--only", "spectrum", "--top-k", "1", "--png-dir", str(figs),
                                      "--json", str(figs / "noise.png")])
    assert result.exit_code == 0, result.stderr
    assert (figs / "noise.png").read_text().startswith("{")


def test_json_as_the_png_directory_and_as_its_parent(workspace, here):
    _refused([*BASE, "--json", str(here / "out"), "--png-dir", str(here / "out" / "figs")], [workspace, here],
             "overlap")
    _refused([*BASE, "--json", str(here / "figs"), "--png-dir", str(here / "figs")], [workspace, here], "overlap")


def test_special_files_are_never_replaced(workspace, here):
    os.mkfifo(here / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(here / "sock"))
    try:
        (here / "adir").mkdir()
        for flag in ("--json", "--html"):
            _refused([*BASE, flag, str(here / "pipe")], [workspace, here], "is a FIFO, not a regular file")
            _refused([*BASE, flag, str(here / "sock")], [workspace, here], "is a socket, not a regular file")
            _refused([*BASE, flag, str(here / "adir")], [workspace, here], "is a directory")
            _refused([*BASE, flag, "/dev/null"], [workspace, here], "is a character device, not a regular file")
        assert stat.S_ISFIFO(os.stat(here / "pipe").st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
        figs = here / "figs"
        (figs / "density.png").mkdir(parents=True)
        os.mkfifo(figs / "eigenvalues.png")
        _refused([*BASE, "--png-dir", str(figs)], [workspace, here], "is a FIFO")
        os.unlink(figs / "eigenvalues.png")
        _refused([*BASE, "--png-dir", str(figs)], [workspace, here], "'density' '" + str(figs / "density.png")
                 + "' is a directory")
    finally:
        sock.close()


def test_the_real_temporary_file_is_tried_up_front(workspace, here):
    """A name of 250 bytes fits the file system's 255, but the temporary file `.NAME.XXXXXXXX.tmp` the
    atomic write makes beside it does not; /proc accepts no new file at all."""
    name = "r" * 245 + ".json"
    line = _refused([*BASE, "--json", str(here / name)], [workspace, here], "cannot create a file in")
    assert "name too long" in line.lower()
    _refused([*BASE, "--html", "/proc/hessdiag-report.html"], [workspace, here], "cannot create a file in '/proc'")
    _refused([*BASE, "--png-dir", "/proc/hessdiag-figs"], [workspace, here], "cannot create a file in '/proc'")


def test_nothing_is_left_by_the_check(workspace, here):
    """The up-front check creates and removes its temporary files: a refused run leaves none behind."""
    (here / "adir").mkdir()
    before = snapshot(here)
    _refused([*BASE, "--json", str(here / "ok.json"), "--html", str(here / "adir")], [workspace, here],
             "is a directory")
    assert snapshot(here) == before


def test_refusal_from_the_console_script(workspace, here):
    """The same refusal through `python -m hessdiag` (its own exit path: os._exit after flushing)."""
    before = snapshot(workspace)
    done = run_module([*BASE, "--json", "usermodels.py"], cwd=workspace)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "would overwrite the input file" in lines[0] and "Traceback" not in done.stderr
    assert snapshot(workspace) == before
