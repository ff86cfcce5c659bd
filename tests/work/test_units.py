"""`work.units`: the unit costs measured before the work, and how they choose the products' grouping and
price a per-sample pass (prices are exact arithmetic on given units; the runs check what the report
records, never timings)."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from helpers.cases import CASES
from hessdiag import api
from hessdiag.work import units as units_module
from hessdiag.work.cost import PER_SAMPLE_PASSES, Step, UnitCosts
from hessdiag.work.steps import price
from hessdiag.work.units import rounds_by_speed


@pytest.mark.parametrize("round_s, budget, alone", [(2.7, 600.0, True), (0.5, 600.0, False), (1.2, 600.0, False),
                                                    (2.7, None, False)])
def test_rounds_go_one_vector_at_a_time_where_they_are_slower(round_s, budget, alone):
    """all-MiniLM-L6-v2 on a CPU: 2.7 s per vector in a round, 1.46 s alone; under --budget rounds then cost
    single products. Without a budget the grouping never depends on timings (nor do the report's digits)."""
    units = rounds_by_speed(UnitCosts(0.5, round_s, 0.0, round_s, 0, "retained", hvp_single=1.0,
                                      curvature_single=1.0), budget)
    assert units.hessian_alone is alone and units.curvature_alone is alone
    assert units.hvp_in_round == (1.0 if alone else round_s) and units.curvature_in_round == units.hvp_in_round
    step = price([Step("geometry", "sampled columns", 10, "H")], units)[0]
    assert step.seconds == pytest.approx(10 * (1.0 if alone else round_s))


@pytest.mark.parametrize("budget, alone", [(None, False), (1e6, True)])
def test_slow_rounds_go_one_vector_at_a_time_only_under_a_budget(monkeypatch, budget, alone):
    """Rounds measured 3× slower per vector than single products (as on a loaded machine): only a budget
    lets that timing change how products are grouped; without one the report's digits cannot depend on it."""
    import hessdiag.work as work

    measured = work.measure_units

    def slow_rounds(*args, **kwargs):
        units = measured(*args, **kwargs)
        return dataclasses.replace(units, hvp=3 * units.single)

    monkeypatch.setattr(work, "measure_units", slow_rounds)
    model, x, y = CASES[0].build()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", only=["spectrum"], top_k=2,
                          budget=budget)
    assert report.settings["cost"]["units"]["hessian_products_alone"] is alone


class RowsTogether(nn.Module):
    """A linear classifier whose forward reads a Python number from its batch: vmap cannot run it one
    row at a time, so torch.func's per-sample gradients are rows of the loss Jacobian."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * (1.0 + 0.0 * float(x.abs().sum()))


@pytest.mark.parametrize("rows_alone", [True, False])
def test_a_per_sample_pass_is_priced_by_the_path_it_takes(rows_alone):
    """Where vmap runs rows alone a per-sample pass costs PER_SAMPLE_PASSES gradient passes; where it
    cannot, the Jacobian's backward pass per row of the largest batch (12): the plan prices the noise
    section's pass at that many gradient passes, and the report records the path that ran."""
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(20, 4, generator=gen), torch.randint(0, 3, (20,), generator=gen)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 3)) if rows_alone else RowsTogether()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", only=["noise"], exact_max_d=0,
                          batch_size=12, per_sample="func", race_steps=0)
    cost = report.settings["cost"]
    passes = cost["units"]["per_sample_pass_gradients"]
    assert passes == (PER_SAMPLE_PASSES if rows_alone else 12.0)
    assert report.settings["per_sample_mode"] == ("func-vmap" if rows_alone else "func-jacobian")
    step = next(s for s in cost["steps"] if s["what"] == "per-sample pass")
    assert step["seconds"] == pytest.approx(passes * cost["units"]["gradient_pass_s"], rel=1e-12)


@pytest.mark.parametrize("d", [100, 1024, 2410])
def test_dense_units_are_timed_at_most_at_1024_rows_and_scaled_to_d(monkeypatch, d):
    """Every timing 1 s (patched): the units are the scaling alone, (d/m)^EIGENSOLVE_GROWTH and (d/m)²
    with m = min(d, DENSE_TIMED_MAX)."""
    calls = []

    def timed(fn):
        calls.append(fn)
        return 1.0

    monkeypatch.setattr(units_module, "_timed", timed)
    eig, sweep = units_module.dense_unit_seconds(d)
    m = min(d, units_module.DENSE_TIMED_MAX)
    assert eig == pytest.approx((d / m) ** units_module.EIGENSOLVE_GROWTH) and sweep == pytest.approx((d / m) ** 2)
    assert len(calls) == 4  # two tries of each


@pytest.mark.parametrize("width, first, second, seconds, products", [
    (8, 0.08, 0.04, 0.04 / 8, 16),  # cheap: timed again, the faster kept (the first also warmed the width up)
    (8, 0.08, 0.12, 0.08 / 8, 16),  # the faster of the two, whichever it is
    (8, 0.8, None, 0.8 / 8, 8),  # at or above WARM_ROUND_S: the first round alone
    (1, 0.0049, 0.0009, 0.0009, 2),  # a single product that read 5× high: the second timing is kept
])
def test_a_cheap_first_round_is_timed_again(monkeypatch, width, first, second, seconds, products):
    times, calls = iter([first, second]), []

    class Counting:
        def matmat(self, block):
            calls.append(block.shape[1])
            return block

    monkeypatch.setattr(units_module, "_timed", lambda fn: (fn(), next(times))[1])
    measured, spent = units_module._round_seconds(Counting(), torch.zeros(5, width))
    assert measured == pytest.approx(seconds) and spent == products == sum(calls)


def test_timing_the_units_spends_products_that_count_in_no_result():
    from hessdiag.load import problem_from_objects
    from hessdiag.operators import GGNOperator, HessianOperator

    model, x, y = CASES[0].build()
    problem = problem_from_objects(model, x, y, "ce", dtype="float64")
    hessian, ggn = HessianOperator(problem, mode="retained"), GGNOperator(problem)
    units = units_module.measure_units(problem, hessian, ggn, gradient_seconds=0.01)
    assert hessian.matvecs == 0 and ggn.matvecs == 0
    assert 0 < units.hvp_single < 10 and 0 < units.curvature_single < 10 and 0 < units.hvp < 10
