"""Ctrl-C and SIGTERM at exact moments (issue 17, item 7): exit 130 (SIGINT) or 143 (SIGTERM), one line
that tells the truth about the files on disk, no traceback, never a half-written or temporary file.

The run waits at each phase (HESSDIAG_PHASE_WAIT) while the test signals it, so each moment is exact:
`start` (the modules still loading), `gradient`, `spectrum`, `write` (before the first file),
`written` (all files in place, the terminal output still to come) and `exit` (the run has ended;
the process is about to leave). A second signal, at once or while the first is handled, is absorbed.
"""

from __future__ import annotations

import signal

import pytest

from helpers.refusals import error_lines
from helpers.signals_driver import ALL_WRITTEN, NO_REPORT, RUN_PNGS, drive, judge, prepare_outputs

JOB = ["run", "--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce",
       "--top-k", "2", "--quiet"]
SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM
EXPECTED = {"start": "none", "gradient": "none", "spectrum": "none", "write": "none", "written": "all", "exit": "all"}


def _outputs(tmp_path):
    out = tmp_path / "out"
    before = prepare_outputs(out, RUN_PNGS)
    args = [*JOB, "--json", str(out / "r.json"), "--html", str(out / "r.html"), "--png-dir", str(out / "figs")]
    return out, before, args


@pytest.mark.parametrize("phase", list(EXPECTED))
def test_ctrl_c_at_each_phase(phase, workspace, tmp_path):
    out, before, args = _outputs(tmp_path)
    outcome = drive(args, workspace, at=phase, signals=[SIGINT])
    assert judge(outcome, out, before) == EXPECTED[phase]
    [line] = error_lines(outcome.stderr)
    assert line == f"hessdiag: error: interrupted; {NO_REPORT}" if EXPECTED[phase] == "none" else ALL_WRITTEN in line


@pytest.mark.parametrize("phase", ["start", "write", "exit"])
def test_double_ctrl_c_is_absorbed(phase, workspace, tmp_path):
    out, before, args = _outputs(tmp_path)
    outcome = drive(args, workspace, at=phase, signals=[SIGINT, SIGINT])
    assert judge(outcome, out, before) == EXPECTED[phase]


@pytest.mark.parametrize("phase", ["gradient", "written"])
def test_sigterm_is_handled_like_ctrl_c_with_exit_143(phase, workspace, tmp_path):
    out, before, args = _outputs(tmp_path)
    outcome = drive(args, workspace, at=phase, signals=[SIGTERM, SIGINT], gap=0.2)  # the first one decides
    assert judge(outcome, out, before, code=143) == EXPECTED[phase]
    assert "terminated (SIGTERM)" in outcome.stderr


def test_a_run_without_outputs_says_nothing_was_written(workspace):
    outcome = drive(JOB, workspace, at="spectrum", signals=[SIGINT])
    assert outcome.code == 130 and error_lines(outcome.stderr) == [f"hessdiag: error: interrupted; {NO_REPORT}"]
