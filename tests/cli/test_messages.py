"""Errors name the real problem (issue 17, item 6): a directory, FIFO or device given as checkpoint, data,
config or model is named as such (not "does not exist"); control characters in a path are escaped, so
the error stays one line; `--fail-if` paths the report's schema rules out are refused before any work."""

from __future__ import annotations

import os

import pytest

import hessdiag.api
from helpers.refusals import invoke_refused

BASE = ["run", "--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce",
        "--quiet"]


def _with(flag: str, value: str) -> list[str]:
    args = list(BASE)
    args[args.index(flag) + 1] = value
    return args


@pytest.fixture
def odd(workspace, monkeypatch, tmp_path):
    """A directory, a FIFO and /dev/zero to give where a file is expected."""
    monkeypatch.chdir(workspace)
    (tmp_path / "adir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    return {"directory": (str(tmp_path / "adir"), "is a directory, not a file"),
            "fifo": (str(tmp_path / "fifo"), "is not a regular file (a FIFO)"),
            "device": ("/dev/zero", "is not a regular file (a character device)")}


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
@pytest.mark.parametrize("role", ["--checkpoint", "--data", "config", "--model"])
def test_odd_input_nodes_are_named(role, kind, odd, workspace, tmp_path):
    path, fragment = odd[kind]
    args = ["run", path, "--quiet"] if role == "config" else _with(role, path)
    what = {"--checkpoint": "checkpoint file", "--data": "data file", "config": "config file", "--model": "model file"}
    expected = f"{what[role]} '{path}' {fragment}"
    if (role, kind) == ("--checkpoint", "directory"):  # a directory is a Hugging Face checkpoint form (issue 13)
        expected = f"checkpoint directory '{path}' holds none of model.safetensors.index.json"
    line = invoke_refused(args, [workspace, tmp_path], expected)
    assert "does not exist" not in line


@pytest.mark.parametrize("name,shown", [("new\nline.pt", "new\\nline.pt"), ("esc\x1b[31mred.pt", "esc\\x1b[31mred.pt"),
                                         ("cr\rtab\t.pt", "cr\\rtab\\t.pt"), ("ls\u2028ps.pt", "ls\\u2028ps.pt")])
def test_control_characters_in_paths_are_escaped(name, shown, workspace, monkeypatch, tmp_path):
    monkeypatch.chdir(workspace)
    line = invoke_refused(_with("--checkpoint", name), [workspace, tmp_path],
                          f"checkpoint file '{shown}' does not exist")
    assert "\x1b" not in line and "\r" not in line
    line = invoke_refused([*BASE, "--json", str(tmp_path / name / "r.json")], [workspace, tmp_path], shown)
    assert "does not exist" in line


@pytest.fixture
def no_work(monkeypatch, workspace):
    """Fail the test if the run gets as far as loading the model: the refusal must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("the run started its work")

    monkeypatch.setattr(hessdiag.api, "run", refuse)
    monkeypatch.chdir(workspace)


@pytest.mark.parametrize("condition,fragment", [
    ("L2.value.x > 1", "'L2.value' is a number or null; the report has nothing below it"),
    ("problem.d.more > 1", "'problem.d' is an integer; the report has nothing below it"),
    ("eigenvalues.top[99].value > 1", "'eigenvalues.top' has at most 2 entries (--top-k 2); index 99"),
    ("eigenvalues.bottom.2.value > 1", "'eigenvalues.bottom' has at most 2 entries"),
    ("fisher.top.GGN[7].value > 1", "'fisher.top.GGN' has at most 2 entries"),
    ("eigenvalues.top > 1", "'eigenvalues.top' is an array, not a number"),
    ("eigenvalues.converged == 1", "is a boolean, not a number"),
    ("problem.loss > 1", "'problem.loss' is a string, not a number"),
    ("recommendation.call > 1", "is a string, not a number"),
])
def test_fail_if_paths_the_schema_rules_out_are_refused_before_work(condition, fragment, no_work, workspace, tmp_path):
    invoke_refused([*BASE, "--top-k", "2", "--json", str(tmp_path / "r.json"), "--fail-if", condition],
                   [workspace, tmp_path], fragment)


def test_fail_if_paths_inside_the_known_length_run(workspace, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from hessdiag.cli import app

    monkeypatch.chdir(workspace)
    result = CliRunner().invoke(app, [*BASE, "--top-k", "2", "--only", "spectrum", "--json", str(tmp_path / "r.json"),
                                      "--fail-if", "eigenvalues.top[1].value > 1e9",
                                      "--fail-if", "eigenvalues.bottom.1.residual > 1"])
    assert result.exit_code == 0, result.stderr
