"""`hessdiag track` on a real training run that reaches the edge of stability (Cohen et al., 2021).

An MLP 4-32-32-1 (tanh, d = 1249) is trained by full-batch GD on ½‖f − y‖² (mean over 256 seeded
samples) at step size η = 0.4. Its sharpness λ_max starts at about half of 2/η = 5, rises (progressive
sharpening), overshoots once (the catapult Cohen et al. describe at the onset), and from about step
400 on hovers at 2/η: sampled every 40 steps up to step 1400 with power iteration while choosing the
run, λ_max·η/2 stayed in [0.969, 1.079]. Fifteen checkpoints 80 steps apart are diagnosed by `hessdiag
track` (`--only spectrum`, top-1, float64). The test asserts what the issue asks: λ_max starts far below
2/η, rises to within 10 % of it and stays there to the last checkpoint — |λ_max − 2/η| + residual ≤
0.1·2/η on at least the last five checkpoints, none outside after — certified residual included; a
second run diagnoses nothing; one added checkpoint is the only one diagnosed. It fails if sharpening is
lost, if the tracked λ_max is off by more than the band's margin, or if the cache misses.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

from helpers import chromium as browser
from hessdiag.cli import app
from hessdiag.track import discover, track
from hessdiag.track.run import TrackInterrupted
from hessdiag.track.schema import track_schema

LR, SPACING, CHECKPOINTS, SAMPLES, WIDTH = 0.4, 80, 15, 256, 32
MODELS = """
from torch import nn


def mlp():
    return nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
"""
CONFIG = """
model = "eosmodels:mlp"
data = "data.pt"
loss = "mse"
only = ["spectrum"]
top_k = 1
max_matvecs = 60
exact_max_d = 0
trace_matvecs = 8
slq_probes = 2
slq_steps = 4
"""


def _train(root, steps: int) -> dict[int, dict]:
    """Full-batch GD on ½‖f − y‖² (mean over samples): state dicts every SPACING steps up to `steps`."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(SAMPLES, 4, generator=g, dtype=torch.float64)
    y = torch.sin(2 * x @ torch.randn(4, 1, generator=g, dtype=torch.float64))
    torch.save({"x": x, "y": y}, root / "data.pt")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        f64 = {"dtype": torch.float64}
        model = nn.Sequential(nn.Linear(4, WIDTH, **f64), nn.Tanh(), nn.Linear(WIDTH, WIDTH, **f64), nn.Tanh(),
                              nn.Linear(WIDTH, 1, **f64))
    states = {}
    for step in range(steps + 1):
        if step % SPACING == 0:
            states[step] = {k: v.clone() for k, v in model.state_dict().items()}
        loss = 0.5 * (model(x) - y).pow(2).sum(1).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= LR * p.grad
    return states


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("eos")
    (root / "eosmodels.py").write_text(MODELS)
    (root / "run.toml").write_text(CONFIG)
    states = _train(root, SPACING * CHECKPOINTS)
    (root / "ckpts").mkdir()
    for step, state in states.items():
        if step < SPACING * CHECKPOINTS:
            torch.save(state, root / "ckpts" / f"step_{step}.pt")
    out = root / "out"
    out.mkdir()
    result = CliRunner().invoke(app, ["track", str(root / "ckpts"), str(root / "run.toml"), "--lr", str(LR),
                                      "--json", str(out / "t.json"), "--html", str(out / "t.html"),
                                      "--png-dir", str(out / "figs"), "--quiet"])
    assert result.exit_code == 0, result.output
    return root, states


def test_sharpness_reaches_and_stays_at_the_edge_of_stability(run):
    root, _ = run
    doc = json.loads((root / "out" / "t.json").read_text())
    edge = 2 / LR
    points = doc["points"]
    assert len(points) == CHECKPOINTS and doc["diagnosed"] == CHECKPOINTS
    lmax = [(p["lambda_max"]["value"], p["lambda_max"]["error"]) for p in points]
    assert all(p["two_over_lr"] == edge for p in points)
    assert lmax[0][0] + lmax[0][1] < 0.6 * edge  # starts far below the edge
    inside = [abs(v - edge) + r <= 0.1 * edge for v, r in lmax]
    settled = len(inside) - inside[::-1].index(False) if False in inside else 0  # in the band from here on
    assert settled <= CHECKPOINTS - 5, [round(v * LR / 2, 3) for v, _ in lmax]
    assert max(v for v, _ in lmax[:settled]) > 0.9 * edge  # it rose to the edge before settling there
    assert [p["warm_start"] for p in points] == [False] + [True] * (CHECKPOINTS - 1)


def test_json_validates_and_schema_command(run):
    root, _ = run
    doc = json.loads((root / "out" / "t.json").read_text())
    jsonschema.validate(doc, track_schema())
    printed = CliRunner().invoke(app, ["schema", "--track"])
    assert printed.exit_code == 0 and json.loads(printed.output) == track_schema()
    assert sorted(p.name for p in (root / "out" / "figs").iterdir()) == [
        "track_call.png", "track_sharpness.png", "track_trace_noise.png"]


def test_rerun_is_cached_and_one_added_checkpoint_is_diagnosed(run, tmp_path):
    root, states = run
    ckpts = tmp_path / "ckpts"
    shutil.copytree(root / "ckpts", ckpts)
    args = ["track", str(ckpts), str(root / "run.toml"), "--lr", str(LR), "--cache-dir",
            str(root / "out" / ".hessdiag-track-cache"), "--json", str(tmp_path / "t.json"), "--quiet"]
    assert CliRunner().invoke(app, args).exit_code == 0
    again = json.loads((tmp_path / "t.json").read_text())
    assert (again["diagnosed"], again["cached"]) == (0, CHECKPOINTS)
    first = json.loads((root / "out" / "t.json").read_text())
    assert [p["lambda_max"] for p in again["points"]] == [p["lambda_max"] for p in first["points"]]

    last = SPACING * CHECKPOINTS
    torch.save(states[last], ckpts / f"step_{last}.pt")
    assert CliRunner().invoke(app, args).exit_code == 0
    grown = json.loads((tmp_path / "t.json").read_text())
    assert (grown["diagnosed"], grown["cached"], grown["points"][-1]["step"]) == (1, CHECKPOINTS, last)
    assert grown["points"][-1]["warm_start"] and not grown["points"][-1]["cached"]


def test_fail_if_on_last_or_any(run, tmp_path):
    root, _ = run
    base = ["track", str(root / "ckpts"), str(root / "run.toml"), "--lr", str(LR), "--cache-dir",
            str(root / "out" / ".hessdiag-track-cache"), "--quiet"]
    # the first checkpoint is far below the edge, the last one at it
    low = CliRunner().invoke(app, [*base, "--fail-if", "track.sharpness_over_edge < 0.6", "--fail-on", "any"])
    assert low.exit_code == 3 and "step 0:" in low.stderr
    assert CliRunner().invoke(app, [*base, "--fail-if", "track.sharpness_over_edge < 0.6"]).exit_code == 0
    bad = CliRunner().invoke(app, [*base, "--fail-if", "nosuch.value > 1"])
    assert bad.exit_code == 1 and "no section" in bad.stderr


def test_interrupt_keeps_the_finished_checkpoints(run, tmp_path):
    from hessdiag.load import make_settings

    root, _ = run
    settings = make_settings(root / "run.toml")
    cache = tmp_path / "cache"
    three = discover(root / "ckpts")[:3]
    for c in three:
        shutil.copy(c.path, tmp_path / c.path.name)

    def stop_after_two(point):
        if point.step == three[1].step:
            raise KeyboardInterrupt

    with pytest.raises(TrackInterrupted, match="2 checkpoint"):
        track(str(tmp_path / "step_*.pt"), settings, cache_dir=cache, on_point=stop_after_two)
    rerun = track(str(tmp_path / "step_*.pt"), settings, cache_dir=cache)
    assert (rerun.timeline.diagnosed, rerun.timeline.cached) == (1, 2)


@pytest.fixture(scope="module")
def chromium():
    return browser.find()


def test_html_timeline_renders_in_chromium(run, chromium, tmp_path):
    root, _ = run
    url = (root / "out" / "t.html").resolve().as_uri()
    dom = browser.browse(chromium, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for marker in ('id="summary"', 'id="figures"', 'id="fig-sharpness"', 'id="fig-trace_noise"', 'id="fig-call"',
                   'id="points"', "data:image/png;base64,"):
        assert marker in dom.stdout, marker
    assert dom.stdout.count("<tr>") == CHECKPOINTS + 1
    assert not browser.console_errors(dom.stderr)


def test_ctrl_c_exits_130_and_keeps_the_cache(run, tmp_path):
    """SIGINT when the third checkpoint's diagnosis starts (its `gradient` phase, HESSDIAG_PHASE_LOG):
    exit 130, one line naming the cache, the two finished checkpoints cached, no temp files."""
    import os
    import signal
    import sys

    root, _ = run
    for c in discover(root / "ckpts")[:4]:
        shutil.copy(c.path, tmp_path / c.path.name)
    cache = tmp_path / "cache"
    env = {**os.environ, "HESSDIAG_PHASE_LOG": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "hessdiag", "track", str(tmp_path / "step_*.pt"),
                             str(root / "run.toml"), "--cache-dir", str(cache), "--quiet"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    seen, started = [], 0
    for line in proc.stderr:
        seen.append(line)
        started += line.strip() == "hessdiag-phase: gradient"
        if started == 3:
            proc.send_signal(signal.SIGINT)
            break
    _, rest = proc.communicate(timeout=300)
    stderr = "".join(seen) + rest
    assert proc.returncode == 130, stderr
    messages = [line for line in stderr.splitlines() if line.strip() and not line.startswith("hessdiag-phase:")]
    assert len(messages) == 1 and "the 2 checkpoint(s) diagnosed in this run are cached" in messages[0], messages
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".json", ".pt", ".pt"]


@pytest.mark.parametrize("flag, want", [([], 0), (["--race-steps", "7"], 7)])
def test_race_steps_reaches_every_checkpoint_only_when_asked(run, monkeypatch, tmp_path, flag, want):
    """`track --race-steps N` sets the race of each checkpoint; without it the timeline turns the race off."""
    import hessdiag.track.command as command
    from hessdiag.track.run import timeline_settings

    seen = {}

    def fake_run_track(source, settings, **kwargs):
        seen["race_steps"] = timeline_settings(settings).race_steps
        return 0

    monkeypatch.setattr(command, "run_track", fake_run_track)
    root, _ = run
    result = CliRunner().invoke(app, ["track", str(root / "ckpts"), str(root / "run.toml"), *flag,
                                      "--json", str(tmp_path / "t.json"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert seen == {"race_steps": want}
