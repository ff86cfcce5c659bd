"""`hessdiag.Tracker` inside a training loop: it changes nothing the loop owns, and measures right.

The loop trains an MLP with dropout (which draws from the global RNG) by SGD with momentum (an
optimizer with state), twice: with a Tracker diagnosing every 3rd step and without. Weights, .grad,
the train mode, the momentum buffers and `torch.get_rng_state()` must be bit-identical, which fails if
the Tracker touched any of them (a single draw from the global RNG changes every later dropout mask).
The recorded λ_max is checked against the dense Hessian of the final weights (eval mode): it must lie
within its certified residual (plus float64 rounding of the dense eigensolver, 1e-10 relative).
"""

from __future__ import annotations

import copy
import json

import jsonschema
import torch
from torch import nn

import hessdiag
from helpers.dense import Dense
from hessdiag.track.schema import track_schema


def _data():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(24, 4, generator=g, dtype=torch.float64)
    return x, torch.sin(x @ torch.randn(4, 1, generator=g, dtype=torch.float64))


def _train(track: bool, tmp_path):
    x, y = _data()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Dropout(0.2), nn.Linear(6, 1)).double()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        tracker = hessdiag.Tracker(model, (x, y), "mse", every=3, only="spectrum", top_k=1, lr=0.05,
                                   path=tmp_path / "timeline.json") if track else None
        for step in range(7):
            model.train()
            loss = 0.5 * (model(x) - y).pow(2).sum(1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if tracker is not None:
                tracker.step(step)
        rng = torch.get_rng_state()
    return model, optimizer, rng, tracker


def test_tracker_changes_nothing_and_records_the_timeline(tmp_path):
    plain_model, plain_opt, plain_rng, _ = _train(False, tmp_path)
    model, opt, rng, tracker = _train(True, tmp_path)
    assert torch.equal(rng, plain_rng)
    assert model.training and plain_model.training
    for (name, a), (_, b) in zip(model.state_dict().items(), plain_model.state_dict().items()):
        assert torch.equal(a, b), name
    for a, b in zip(model.parameters(), plain_model.parameters()):
        assert torch.equal(a.grad, b.grad)
    state, plain_state = opt.state_dict(), plain_opt.state_dict()
    assert state["param_groups"] == plain_state["param_groups"]
    for key in plain_state["state"]:
        assert torch.equal(state["state"][key]["momentum_buffer"], plain_state["state"][key]["momentum_buffer"])

    doc = json.loads((tmp_path / "timeline.json").read_text())
    jsonschema.validate(doc, track_schema())
    assert [p["step"] for p in doc["points"]] == [0, 3, 6] and not doc["complete"]
    assert [p["warm_start"] for p in doc["points"]] == [False, True, True]
    assert tracker.close().complete and json.loads((tmp_path / "timeline.json").read_text())["complete"]

    last = tracker.timeline.points[-1]
    x, y = _data()
    evaluated = copy.deepcopy(model).eval()
    truth = float(torch.linalg.eigvalsh(Dense(evaluated, x, y, "mse").hessian())[-1])
    assert abs(last.lambda_max.value - truth) <= last.lambda_max.error + 1e-10 * abs(truth)
    assert last.edge_of_stability == 2 / 0.05 and last.step_source == "tracker"


def test_tracker_skips_steps_between(tmp_path):
    x, y = _data()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(4, 1)).double()
    tracker = hessdiag.Tracker(model, (x, y), "mse", every=5, only="spectrum", top_k=1)
    assert tracker.step(3) is None and tracker.step(5) is not None
    assert [p.step for p in tracker.timeline.points] == [5]
