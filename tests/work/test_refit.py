"""`--budget` re-fitted during the run: cuts from the first plan's counts, sections skipped in order.

The clock's measured speed is given (a subclass), so that every assertion is plain arithmetic on the
plan's prices; the run-level tests force a slow clock and check the report, never timings.
"""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest

from helpers.cases import CASES
from hessdiag import api, sections
from hessdiag.load import make_settings
from hessdiag.work import Plan
from hessdiag.work.budget import plan_run
from hessdiag.work.cost import BUDGET_MARGIN, UnitCosts
from hessdiag.work.refit import SKIP_ORDER, BudgetClock, fit_or_skip, refit, speed_ratio
from hessdiag.work.steps import ModelShape

UNITS = UnitCosts(gradient=0.01, hvp=0.02, hvp_setup=0.05, curvature=0.04, graph_bytes=10**6, hvp_mode="retained",
                  hvp_single=0.02, curvature_single=0.04, race_step=0.0005, full_loss=0.005)
ALL = ("spectrum", "geometry", "noise", "fisher", "imbalance")
D = 10_000


class GivenClock(BudgetClock):
    """A clock whose seconds spent and speed ratio are given, not measured."""

    def __init__(self, steps, sections, spent: float, ratio: float) -> None:
        super().__init__(steps, 0.0, sections)
        self.given = (spent, ratio)

    def spent(self) -> float:
        return self.given[0]

    def ratio(self) -> float:
        return self.given[1]


def _first_plan(budget: float = 100.0):
    settings = make_settings(budget=budget, top_k=5, max_matvecs=300)
    cost, settings, plan = plan_run(UNITS, D, settings, Plan(), ALL)
    assert not cost.cuts  # the first plan fits: every later cut is the re-fit's
    return cost, settings, plan


def _left_after(cost, made: tuple[str, ...]) -> float:
    return sum(s.seconds for s in cost.steps if s.section not in made)


@pytest.mark.parametrize("measured, planned, ratio", [
    (2.0, 1.0, 1.5),  # (2 + 1)/(1 + 1)
    (0.5, 1.0, 1.0),  # faster than planned: never assumed
    (1.0, 0.0, 1.0),  # nothing planned yet
    (0.87, 0.19, 1.87 / 1.19),  # MiniLM's head: 4.5× on 0.19 s of planned work becomes 1.6×
    (45.0, 17.0, 46.0 / 18.0),  # a long slow run keeps its ratio (2.65 unshrunk)
])
def test_the_speed_ratio_never_assumes_a_faster_run_and_trusts_little_work_less(measured, planned, ratio):
    assert speed_ratio(measured, planned) == pytest.approx(ratio)
    assert speed_ratio(measured, planned, prior=0.0) == (max(1.0, measured / planned) if planned else 1.0)


@pytest.mark.parametrize("share", [0.6, 0.3])
def test_a_slow_run_cuts_what_is_left_to_fit_at_the_measured_speed(share):
    """At r = 3 and a plan that priced the rest at 1/share of what is left, the counts shrink until the
    rest, priced at r times the plan, fits; each cut counts from the first plan's value."""
    cost, settings, plan = _first_plan()
    clock = GivenClock(cost.steps, ALL, spent=10.0, ratio=3.0)
    clock.section_made("spectrum")
    rest = _left_after(cost, ("spectrum",))
    budget = (10.0 + 3.0 * share * rest) / BUDGET_MARGIN  # what is left fits `share` of the rest at r = 3
    fitted, new_plan, record = refit(cost, D, dataclasses.replace(settings, budget=budget), plan, ModelShape(),
                                     clock, "before geometry")
    assert record.speed_ratio == 3.0 and record.left_s == pytest.approx(3.0 * share * rest, abs=0.1)
    assert record.planned_s * 3.0 <= record.left_s + 0.1 and not record.unmet and not record.skipped
    assert new_plan.sampled_columns < plan.sampled_columns
    assert cost.cuts["sampled_columns"]["from"] == plan.sampled_columns
    assert fitted.max_matvecs == settings.max_matvecs  # H's runs are made: their cap is not re-cut
    for name in ("sampled_columns", "fisher_probes", "ascent_products_operator"):
        assert getattr(new_plan, name) <= getattr(plan, name)
    assert fitted.budget == budget and cost.refits == [record]


def test_floors_that_do_not_fit_skip_sections_in_order_never_the_spectrum_or_the_geometry():
    cost, settings, plan = _first_plan()
    clock = GivenClock(cost.steps, ALL, spent=84.0, ratio=50.0)
    clock.section_made("spectrum")
    fitted, new_plan, record = refit(cost, D, settings, plan, ModelShape(outputs=3), clock, "before geometry")
    assert record.skipped == tuple(name for name in SKIP_ORDER if name in ALL) == ("imbalance", "fisher", "noise")
    assert record.unmet and clock.remaining == ["geometry"]
    for name in record.skipped:
        assert cost.cuts[f"section {name}"]["to"] == 0
    assert new_plan.sampled_columns == 32  # the geometry runs at its floors


@pytest.mark.parametrize("made, capped", [(("Lanczos top-k",), True), (("Lanczos top-k", "Lanczos bottom-k"), False)])
def test_h_lanczos_cap_is_cut_only_while_a_run_of_h_is_still_to_make(made, capped):
    cost, settings, plan = _first_plan()
    clock = GivenClock(cost.steps, ALL, spent=1.0, ratio=1000.0)
    for what in made:
        clock.step_made("spectrum", what)
    fitted, _, _ = refit(cost, D, settings, plan, ModelShape(), clock, "spectrum")
    assert (fitted.max_matvecs < settings.max_matvecs) is capped
    assert ("max_matvecs" in cost.cuts) is capped


def _slow_clock(monkeypatch, ratio: float) -> None:
    monkeypatch.setattr(BudgetClock, "ratio", lambda self: ratio)


def test_a_run_that_falls_behind_skips_sections_and_says_so(monkeypatch):
    """A clock 10⁹× slower than the plan: the checkpoint after H's top-k skips every skippable section;
    their keys are null, each is warned and cut, the geometry and the recommendation still run."""
    _slow_clock(monkeypatch, 1e9)
    model, x, y = CASES[0].build()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", exact_max_d=0, budget=60.0,
                          only=["spectrum", "geometry", "noise", "fisher"])
    doc = report.to_dict()
    cost = doc["settings"]["cost"]
    assert cost["refits"][0]["at"] == "spectrum, after Lanczos top-k"
    assert cost["refits"][0]["skipped"] == ["fisher", "noise"]
    assert report.noise is None and report.fisher is None and doc["grad_density"] is not None
    assert doc["recommendation"] is not None
    for name in ("noise", "fisher"):
        assert cost["cuts"][f"section {name}"]["to"] == 0
        assert any(w.startswith(f"{name}: not measured: --budget") for w in doc["warnings"])
    jsonschema.validate(doc, sections.schema(), cls=jsonschema.Draft202012Validator)


def test_without_a_budget_nothing_is_re_fitted(monkeypatch):
    _slow_clock(monkeypatch, 1e9)
    model, x, y = CASES[0].build()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", exact_max_d=0,
                          only=["spectrum", "noise"])
    assert report.settings["cost"]["refits"] == [] and report.noise is not None


def test_the_first_plan_skips_sections_so_that_h_keeps_its_products():
    """A budget below every section's floors: plan_run alone caps H's Lanczos runs to fit them all;
    fit_or_skip skips sections in order first, so H's runs keep more products (and one section stays)."""
    settings = make_settings(budget=4.0, top_k=5, max_matvecs=300)
    alone, kept, _ = plan_run(UNITS, D, settings, Plan(), ALL, ModelShape(outputs=3))
    assert "unmet" in alone.cuts
    fitted, fewer, _, skipped = fit_or_skip(UNITS, D, settings, Plan(), ALL, ModelShape(outputs=3), None)
    assert skipped and skipped == tuple(name for name in SKIP_ORDER if name in ALL)[:len(skipped)]
    assert fewer.max_matvecs > kept.max_matvecs
    assert not {step.section for step in fitted.steps} & set(skipped)
    single, _, _, none = fit_or_skip(UNITS, D, make_settings(budget=1e-6), Plan(), ("noise",), ModelShape(), None)
    assert none == () and "unmet" in single.cuts
