"""Soak (issue 17, 'Done when'): SIGINT at seeded random moments, and twice in quick succession, across
whole runs. Every exit is 130 with one line, the line matches the files on disk (none written, or all
of them, complete), no temporary file, no traceback.

A moment is a phase of the run (drawn uniformly from the phases every run announces) plus a delay
drawn uniformly in [0, MAX_DELAY) after that phase began: it may land anywhere from the import of the
modules to the process's last instant (the run's final phase, `exit`, is released only after the
signals are sent). The short version (the default; a few subprocess runs of a small user model) keeps
the suite fast; `-m slow` runs the issue's full count, 30 single and 10 double interrupts, across
default runs (`hessdiag run`: the built-in model, all sections, JSON, HTML and PNGs).
"""

from __future__ import annotations

import random
import signal

import pytest

from helpers.signals_driver import RUN_PNGS, drive, judge, prepare_outputs

PHASES = ["start", "gradient", "plan", "spectrum", "geometry", "noise", "fisher", "preconditioning", "imbalance",
          "blocks", "recommendation", "done", "write", "written", "exit"]
USER_JOB = ["run", "--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce",
            "--top-k", "2", "--quiet"]
DEFAULT_JOB = ["run", "--quiet"]


def moments(seed: int, count: int, max_delay: float) -> list[tuple[str, float, float]]:
    """(phase, delay, gap between the two signals of a double) for each moment, seeded."""
    rng = random.Random(seed)
    return [(rng.choice(PHASES), rng.uniform(0.0, max_delay), rng.uniform(0.0, 0.02)) for _ in range(count)]


def soak(job, cwd, tmp_path, seed: int, singles: int, doubles: int, max_delay: float) -> dict[str, int]:
    """Run the plan; count the two truths told. Each moment's outcome is printed (`pytest -s` shows the
    table: moment, phase, delay, signals, exit code, the phase reached last, the line's truth)."""
    told = {"none": 0, "all": 0}
    plan = [(m, 1) for m in moments(seed, singles, max_delay)] + [(m, 2) for m in moments(seed + 1, doubles,
                                                                                        max_delay)]
    for i, ((phase, delay, gap), count) in enumerate(plan):
        out = tmp_path / f"run{i}"
        before = prepare_outputs(out, RUN_PNGS)
        args = [*job, "--json", str(out / "r.json"), "--html", str(out / "r.html"), "--png-dir", str(out / "figs")]
        outcome = drive(args, cwd, at=phase, signals=[signal.SIGINT] * count, delay=delay, gap=gap)
        truth = judge(outcome, out, before)
        told[truth] += 1
        reached = outcome.phases[-1] if outcome.phases else "-"
        print(f"soak | {i} | {phase} | {delay:.3f} | {count}x SIGINT (gap {gap:.3f}) | {outcome.code} | {reached} "
              f"| {truth}", flush=True)
    return told


def test_soak_short(workspace, tmp_path):
    told = soak(USER_JOB, workspace, tmp_path, seed=17, singles=3, doubles=1, max_delay=0.4)
    assert sum(told.values()) == 4


@pytest.mark.slow
def test_soak_full_default_run(workspace, tmp_path):
    told = soak(DEFAULT_JOB, workspace, tmp_path, seed=1700, singles=30, doubles=10, max_delay=3.0)
    assert sum(told.values()) == 40 and told["none"] > 0 and told["all"] > 0
