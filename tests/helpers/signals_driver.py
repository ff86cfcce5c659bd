"""Drive `python -m hessdiag` with signals at chosen moments, and judge what it left (issue 17, item 7).

The run announces its phases on stderr (HESSDIAG_PHASE_LOG) and, with HESSDIAG_PHASE_WAIT, waits after
each announcement for a line on its stdin. `drive` answers every phase line; it sends the signals
either while the run waits at a phase (`at=PHASE`, `delay=None`: the exact moment) or from a timer
`delay` seconds after that phase began (a moment anywhere in the run after it). The run's last phase,
`exit`, is released only once the signals are sent, so every signal reaches a live process.

`judge` checks the outcome against the disk: exit code, exactly one line, no traceback, and the files:
byte-identical to before when the line says no report was written, all new and complete when it says
the report was written; never a temporary file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from .refusals import error_lines, snapshot

NO_REPORT = "no report was written"
# The figures a run of the small user model with every section writes (one list for every signal test).
RUN_PNGS = ["eigenvalues", "density", "rho_diag_per_layer", "noise", "race", "blocks"]
ALL_WRITTEN = "after the report was written; written: "


@dataclass
class Outcome:
    code: int
    stderr: str
    stdout: str
    phases: list[str]


def _default_sigint() -> None:
    """The child handles SIGINT even when the test suite itself runs with SIGINT ignored (a background
    job of a non-interactive shell passes SIG_IGN on, and hessdiag respects an ignored SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def drive(args: list[str], cwd: Path, at: str, signals: list[int], delay: float | None = None,
          gap: float = 0.0, timeout: float = 600) -> Outcome:
    env = {**os.environ, "HESSDIAG_PHASE_LOG": "1", "HESSDIAG_PHASE_WAIT": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "hessdiag", *args], cwd=cwd, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint)
    sent = threading.Event()

    def fire() -> None:
        for i, signum in enumerate(signals):
            if i and gap:
                threading.Event().wait(gap)
            proc.send_signal(signum)
        sent.set()

    stdout: list[str] = []
    reader = threading.Thread(target=lambda: stdout.append(proc.stdout.read()), daemon=True)
    reader.start()
    seen, phases = [], []
    for line in proc.stderr:
        seen.append(line)
        if not line.startswith("hessdiag-phase: "):
            continue
        phase = line.split(": ", 1)[1].strip()
        phases.append(phase)
        if phase == at:
            if delay is None:
                fire()
            else:
                threading.Timer(delay, fire).start()
        if phase == "exit":
            assert sent.wait(timeout), "the signals were never sent"
        try:
            proc.stdin.write("\n")
            proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
    code = proc.wait(timeout=timeout)
    reader.join(timeout)
    return Outcome(code, "".join(seen), "".join(stdout), phases)


def prepare_outputs(out: Path, png_names: list[str]) -> dict[str, str]:
    """Earlier reports at every output path (so that an overwritten or half-written file shows)."""
    (out / "figs").mkdir(parents=True, exist_ok=True)
    (out / "r.json").write_text('{"old": true}\n')
    (out / "r.html").write_text("<p>old</p>\n")
    for name in png_names:
        (out / "figs" / f"{name}.png").write_bytes(b"old " + name.encode())
    return snapshot(out)


def judge(outcome: Outcome, out: Path, before: dict[str, str], code: int = 130) -> str:
    """Assert the outcome matches the disk; return which of the two truths it told."""
    assert outcome.code == code, (outcome.code, outcome.stderr[-2000:])
    text = outcome.stderr + outcome.stdout
    assert "Traceback" not in text and "Exception ignored" not in text, text[-3000:]
    lines = error_lines(outcome.stderr)
    assert len(lines) == 1, outcome.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")], "a temporary file was left"
    if lines[0].endswith(NO_REPORT):
        assert snapshot(out) == before, "the message says nothing was written, but a file changed"
        return "none"
    assert ALL_WRITTEN in lines[0], lines[0]
    after = snapshot(out)
    assert set(after) == set(before)
    changed = [path for path in before if before[path] != after[path] and Path(path).is_file()]
    assert sorted(changed) == sorted(p for p in before if Path(p).is_file()), "the message says all, not all changed"
    assert json.loads((out / "r.json").read_text())["schema_version"] == "1"
    assert (out / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in (out / "figs").iterdir())
    return "all"
