"""Ctrl-C at several moments: exit 130, one line on stderr, no traceback, no half-written report.

The run announces its phases on stderr (HESSDIAG_PHASE_LOG); the test reads them as they come and
sends SIGINT when the chosen phase begins, so the moment is known without sleeping. The job is made
long (tight tolerance, large product budget) so that the signal always lands before the run ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

LONG_JOB = ["run", "--top-k", "10", "--tol", "1e-14", "--max-matvecs", "400"]
SHORT_JOB = ["run", "--top-k", "1"]


def _run_until(phase: str, out, previous: str | None = None):
    if previous is not None:
        out.write_text(previous)
    env = {**os.environ, "HESSDIAG_PHASE_LOG": "1", "PYTHONUNBUFFERED": "1"}
    job = SHORT_JOB if phase == "write" else LONG_JOB
    proc = subprocess.Popen([sys.executable, "-m", "hessdiag", *job, "--json", str(out), "--quiet"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.strip() == f"hessdiag-phase: {phase}":
            proc.send_signal(signal.SIGINT)
            break
    stdout, rest = proc.communicate(timeout=300)
    return proc.returncode, "".join(seen) + rest, stdout


@pytest.mark.parametrize("phase", ["start", "gradient", "spectrum", "write"])
def test_interrupt_exits_130_without_half_written_files(phase, tmp_path):
    out = tmp_path / "report.json"
    code, stderr, stdout = _run_until(phase, out, previous='{"old": true}\n')
    assert code == 130, stderr
    assert "Traceback" not in stderr + stdout
    messages = [line for line in stderr.splitlines() if line.strip() and not line.startswith("hessdiag-phase:")]
    assert messages == ["hessdiag: error: interrupted; no report was written"]
    doc = json.loads(out.read_text())  # parses: never half-written
    if phase != "write":
        assert doc == {"old": True}  # the earlier report is intact
    else:  # the signal may land just before or just after the atomic replace
        assert doc == {"old": True} or doc["schema_version"] == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temp files left
