"""The race's runs batched into groups against the same runs one at a time with torch.optim."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from helpers.cases import CASES, LAYER_CASES
from hessdiag.experiments import race_runs, race_units
from hessdiag.experiments.race import _rows, race_checkpoints, tuned_race
from hessdiag.experiments.race_runs import RaceData, RunSpec, batchable, group_width, run_group, run_one
from hessdiag.experiments.race_units import RaceUnits, _interpolate, unit_seconds
from hessdiag.load import problem_from_objects
from hessdiag.load.problem import Batch

SPECS = [RunSpec("adam", 3e-3, 0), RunSpec("sgdm", 0.05, 1), RunSpec("adam", 1e-2, 1), RunSpec("sgdm", 0.01, 0)]


class _ItemScale(nn.Module):
    """Divides by max |x| read as a Python float: fine alone, refused by vmap (`.item()` of a batched tensor)."""

    def forward(self, x):
        return x / (1.0 + float(x.detach().abs().max()))


def _mlp_problem(seed: int = 0, vmappable: bool = True):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(40, 5, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (40,), generator=gen)
    layers = [nn.Linear(5, 6, device="meta"), nn.Tanh(), nn.Linear(6, 3, device="meta")]
    model = nn.Sequential(*layers, *([] if vmappable else [_ItemScale()])).to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
    return problem_from_objects(model, x, y, "ce", dtype="float64", device="cpu")


def _quadratic_problem():
    """R(w) = ½ Σ h_i w_i² with h = (1, 100): plain SGD diverges above lr 0.02."""
    model = nn.Linear(2, 1, bias=False, device="meta").to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        model.weight.fill_(1.0)
    x = torch.diag(torch.tensor([2.0, 200.0], dtype=torch.float64).sqrt())
    return problem_from_objects(model, x, torch.zeros(2, 1, dtype=torch.float64), "mse", dtype="float64")


def _data(problem, steps: int = 30, batch: int = 8) -> RaceData:
    x, y = next(iter(problem.iter_batches())).x, next(iter(problem.iter_batches())).y
    return RaceData(x, y, steps, batch, tuple(race_checkpoints(steps)), 0)


def _close(a: list[float], b: list[float], rel: float) -> bool:
    return all((u == v) if math.isinf(u) or math.isinf(v) else u == pytest.approx(v, rel=rel) for u, v in zip(a, b))


@pytest.mark.parametrize("width", [2, 3, 4])
def test_a_batched_group_equals_its_runs_one_at_a_time(width):
    problem = _mlp_problem()
    data = _data(problem)
    batched = run_group(problem, SPECS, data, width)
    alone = [run_one(problem, spec, data) for spec in SPECS]
    assert len(batched) == len(SPECS) and all(len(b) == len(data.checkpoints) for b in batched)
    for b, a in zip(batched, alone):
        assert _close(b, a, 1e-12), (b, a)
    assert len({round(b[-1], 12) for b in batched}) == len(SPECS)  # the runs do differ


def test_a_diverging_run_leaves_its_group_and_the_others_are_unchanged():
    problem = _quadratic_problem()
    data = _data(problem, steps=40, batch=2)
    specs = [RunSpec("sgdm", 1e4, 0), RunSpec("adam", 3e-3, 0), RunSpec("sgdm", 0.005, 1)]
    batched = run_group(problem, specs, data, 3)
    alone = [run_one(problem, spec, data) for spec in specs]
    assert math.isinf(batched[0][-1]) and _close(batched[0], alone[0], 1e-12)
    assert all(math.isfinite(v) for b in batched[1:] for v in b)
    for b, a in zip(batched[1:], alone[1:]):
        assert _close(b, a, 1e-12)


def test_a_group_whose_runs_all_diverge_ends_with_infinite_losses():
    problem = _quadratic_problem()
    data = _data(problem, steps=40, batch=2)
    specs = [RunSpec("sgdm", 1e4, 0), RunSpec("sgdm", 1e5, 1)]
    batched = run_group(problem, specs, data, 2)
    assert all(math.isinf(b[-1]) for b in batched)
    for b, a in zip(batched, [run_one(problem, spec, data) for spec in specs]):
        assert _close(b, a, 1e-12)


def test_groups_split_at_the_width_and_keep_the_order(monkeypatch):
    problem = _mlp_problem()
    data = _data(problem, steps=5)
    widths: list[int] = []
    original = race_runs._batched
    monkeypatch.setattr(race_runs, "_batched", lambda p, specs, d: widths.append(len(specs)) or original(p, specs, d))
    done: list[int] = []
    out = run_group(problem, SPECS + SPECS[:1], data, 2, done.append)
    assert widths == [2, 2] and done == [0, 1, 2, 3, 4]  # the fifth run alone, with torch.optim
    assert _close(out[4], out[0], 1e-12)
    monkeypatch.setattr(race_runs, "BATCHED_MAX_WORK", 3 * 8 * problem.d)
    assert group_width(problem, data) == 3


def test_a_model_vmap_cannot_batch_races_one_run_at_a_time():
    problem = _mlp_problem(vmappable=False)
    data = _data(problem, steps=4)
    assert not batchable(problem, data)
    assert batchable(_mlp_problem(), data)
    centres, kwargs = {"sgdm": 0.05, "adam": 3e-3}, dict(batch_size=8, seeds=1, points=1, extend=0)
    assert tuned_race(problem, 4, centres, **kwargs).as_dict() == \
        tuned_race(problem, 4, centres, batched=False, **kwargs).as_dict()


def test_the_tuned_race_batched_equals_the_race_one_run_at_a_time():
    problem = _mlp_problem(seed=1)
    kwargs = dict(batch_size=8, seeds=2, points=3, spacing=0.5, extend=2, checkpoints=race_checkpoints(25))
    centres = {"sgdm": 0.05, "adam": 3e-3}
    ticks: list[int] = []
    batched = tuned_race(problem, 25, centres, progress=lambda: ticks.append(1), **kwargs)
    alone = tuned_race(problem, 25, centres, batched=False, **kwargs)
    for name, fam in batched.families.items():
        assert fam.lrs == alone.families[name].lrs and fam.edge == alone.families[name].edge
        for runs, other in zip(fam.losses, alone.families[name].losses):
            assert all(_close(a, b, 1e-10) for a, b in zip(runs, other))
    assert batched.minibatch_steps == alone.minibatch_steps
    assert len(ticks) == 2 * sum(len(f.lrs) for f in batched.families.values()) + 2  # one tick per run


def test_step_prices_interpolate_linearly_in_the_width():
    assert _interpolate({1: 0.3, 4: 0.9, 12: 1.3}, 8) == pytest.approx(1.1)
    assert _interpolate({1: 0.3, 4: 0.9, 12: 1.3}, 1) == 0.3
    assert _interpolate({4: 0.9}, 4) == 0.9


@pytest.mark.parametrize("vmappable, batched, loss, timed", [
    (True, 5 / 30, 1 / 12, [2, 12]),  # groups of 12, 4, 4, 8, 2 runs: 5 steps' times for 30; one probe a width
    (False, math.nan, math.nan, []),  # not batchable: one Adam step per run-step
])
def test_unit_seconds_price_each_group_of_a_typical_race(monkeypatch, vmappable, batched, loss, timed):
    widths: list[int] = []
    original = race_units._probe_group
    monkeypatch.setattr(race_units, "_fastest", lambda fn, repeats, device: (fn(), 1.0)[1])
    monkeypatch.setattr(race_units, "_probe_group", lambda p, d, w: widths.append(w) or original(p, d, w))
    units = unit_seconds(_mlp_problem(vmappable=vmappable), 8, seeds=2, points=3)
    assert units.step_alone == 1.0 and units.loss_alone == 1.0 and sorted(widths) == timed
    assert units.step_batched == pytest.approx(batched, nan_ok=True)
    assert units.loss_batched == pytest.approx(loss, nan_ok=True)
    assert units.batched == vmappable and units.step == (batched if vmappable else 1.0)


@pytest.mark.parametrize("batch_size, problem_batch, scale", [
    (8, None, 1.0),  # 40 rows in one batch: 8-row steps timed on 8 rows
    (128, None, 1.0),  # the race's mini-batch is all 40 rows (128/40 = 3.2× over-priced before)
    (128, 10, 4.0),  # timed on the first batch's 10 rows, priced for the race's 40
    (8, 5, 1.6),  # timed on 5 rows, priced for 8
])
def test_a_step_is_priced_for_the_race_s_mini_batch_of_at_most_all_rows(monkeypatch, batch_size, problem_batch,
                                                                         scale):
    monkeypatch.setattr(race_units, "_fastest", lambda fn, repeats, device: (fn(), 1.0)[1])
    problem = _mlp_problem(vmappable=False)
    if problem_batch is not None:
        problem.batches = [b for start in range(0, 40, problem_batch)
                           for b in [Batch(problem.batches[0].x[start:start + problem_batch],
                                           problem.batches[0].y[start:start + problem_batch],
                                           problem.batches[0].w[start:start + problem_batch])]]
    units = unit_seconds(problem, batch_size, seeds=2, points=3)
    assert units.step_alone == pytest.approx(scale) and units.loss_alone == 1.0


@pytest.mark.parametrize("step_batched, batched", [(0.5, True), (0.8, True), (0.81, False), (2.0, False),
                                                   (math.nan, False)])
def test_rounds_are_batched_only_where_measured_to_pay(step_batched, batched):
    units = RaceUnits(step_batched, 1.0, 0.1, 0.3)
    assert units.batched == batched and units.step == (step_batched if batched else 1.0)
    assert units.loss == (0.1 if batched else 0.3)


# torch 2.13's vmap cannot take these: no batching rule for aten::lstm.input / aten::gru.input, and
# MultiheadAttention (also inside TransformerEncoderLayer) takes its fused path, which has no derivative
NOT_BATCHABLE = {"lstm", "gru", "multihead_attention", "transformer_encoder_layer"}


@pytest.mark.parametrize("case", CASES + LAYER_CASES, ids=str)
def test_every_layer_form_races_batched_as_it_races_alone_or_falls_back(case):
    model, x, y = case.build()
    problem = problem_from_objects(model, x, y, case.loss, dtype="float64")
    pooled = _rows(problem)
    data = RaceData(pooled[0], pooled[1], 6, 4, (3, 6), 0)
    assert batchable(problem, data) == (case.name not in NOT_BATCHABLE)
    specs = [RunSpec("sgdm", 0.05, 0), RunSpec("adam", 0.01, 1)]
    alone = [run_one(problem, spec, data) for spec in specs]
    if case.name in NOT_BATCHABLE:
        with pytest.raises(RuntimeError):
            run_group(problem, specs, data, 2)
        return
    for b, a in zip(run_group(problem, specs, data, 2), alone):
        assert _close(b, a, 1e-12)
