"""The cost plan: counts per section, the exact path chosen by cost, `--budget`'s cuts, and the report.

Counts and prices are plain arithmetic on given unit costs (exact comparisons). The run-level tests
check what the report records and that a budget's cuts are the settings the run used — never timings.
"""

from __future__ import annotations

import math

import pytest

from helpers.cases import CASES
from hessdiag import api
from hessdiag.load import make_settings
from hessdiag.work import Plan
from hessdiag.work.budget import plan_run
from hessdiag.work.cost import (
    BUDGET_MARGIN,
    EXACT_AFFORDABLE_S,
    UnitCosts,
    expected_curvature_lanczos,
    expected_lanczos,
)
from hessdiag.work.steps import ModelShape

UNITS = UnitCosts(gradient=0.01, hvp=0.02, hvp_setup=0.05, curvature=0.04, graph_bytes=10**6, hvp_mode="retained")
ALL = ("spectrum", "geometry", "noise", "fisher")


def test_the_dense_hessian_is_chosen_by_cost():
    s = make_settings()
    cheap, _, plan = plan_run(UNITS, 2000, s, Plan.for_settings(s), ALL)
    assert cheap.exact and plan.dense_hessian_max_d == 4096
    slow = UnitCosts(1.0, 0.3, 1.0, 0.6, 0, "retained")  # 2646 products at 0.3 s: the transformer
    kept, _, plan = plan_run(slow, 2646, s, Plan.for_settings(s), ALL)  # no budget: d alone decides
    assert kept.exact and plan.dense_hessian_max_d == 4096 and "--budget SECONDS" in kept.exact_reason
    assert "~794 s" in kept.exact_reason and 2646 * 0.3 > EXACT_AFFORDABLE_S  # what the dense path would take
    b = make_settings(budget=600.0)
    costly, _, plan = plan_run(slow, 2646, b, Plan.for_settings(b), ALL)
    assert not costly.exact and plan.dense_hessian_max_d == 2645
    assert "exceeds half the 600 s budget" in costly.exact_reason
    cheap, _, plan = plan_run(UNITS, 2646, b, Plan.for_settings(b), ALL)
    assert cheap.exact and plan.dense_hessian_max_d == 4096


def test_a_budget_cuts_what_only_tightens_error_bars():
    s = make_settings(budget=20.0)
    cost, cut, plan = plan_run(UNITS, 50_000, s, Plan.for_settings(s), ALL)
    assert cost.seconds <= BUDGET_MARGIN * 20.0 + 1e-9
    assert cut.trace_matvecs < s.trace_matvecs and plan.sampled_columns < Plan().sampled_columns
    assert cost.cuts["trace_matvecs"]["to"] == cut.trace_matvecs
    ratio = math.sqrt(s.trace_matvecs / cut.trace_matvecs)
    assert f"×{ratio:.2f}" in cost.cuts["trace_matvecs"]["effect"]
    assert cut.slq_probes >= 2 and plan.fisher_probes >= 4  # floors


def test_a_budget_cuts_block_steps_to_zero_below_the_usable_minimum():
    s = make_settings(budget=1.0)
    shape = ModelShape(blocks=(5000,) * 100, outputs=10)
    cost, _, plan = plan_run(UNITS, 500_000, s, Plan.for_settings(s), ("spectrum", "blocks"), shape)
    assert plan.block_steps == 0 and cost.cuts["block_steps"] == {**cost.cuts["block_steps"], "from": 20, "to": 0}
    assert not any(step.section == "blocks" for step in cost.steps)
    roomy = make_settings(budget=1e6)
    _, _, plan = plan_run(UNITS, 500_000, roomy, Plan.for_settings(roomy), ("spectrum", "blocks"), shape)
    assert plan.block_steps == 20


def test_a_budget_too_small_caps_lanczos_and_says_so():
    s = make_settings(budget=1.0)
    cost, cut, _ = plan_run(UnitCosts(0.1, 0.1, 0.0, 0.2, 0, "fwd-rev"), 10**6, s, Plan(), ALL)
    assert cut.max_matvecs == 2 * s.top_k + 2 and "max_matvecs" in cost.cuts and "unmet" in cost.cuts


def test_a_budget_cuts_only_what_the_run_makes_and_then_fits():
    """Under --only spectrum no race or block steps are cut; after the cuts the plan fits BUDGET_MARGIN."""
    s = make_settings(budget=10.0, only=["spectrum"])
    cost, cut, plan = plan_run(UNITS, 10**6, s, Plan.for_settings(s), ("spectrum",))
    assert set(cost.cuts) <= {"trace_matvecs", "slq_probes", "slq_steps"} and cost.cuts
    assert "race_steps" not in cost.cuts and plan.block_steps == Plan().block_steps
    assert cost.seconds <= BUDGET_MARGIN * 10.0 and cut.max_matvecs == s.max_matvecs
    fitted = {"slq_probes": cut.slq_probes, "slq_steps": cut.slq_steps, "trace_matvecs": cut.trace_matvecs}
    assert all(cost.cuts[name]["to"] == value for name, value in fitted.items() if name in cost.cuts)


def test_the_budget_caps_the_other_matrices_lanczos_before_the_hessians():
    s = make_settings(budget=60.0, top_k=5)
    units = UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained", hvp_single=0.02, curvature_single=0.5)
    cost, cut, plan = plan_run(units, 10**6, s, Plan.for_settings(s), ALL)
    assert "curvature_max_matvecs" in cost.cuts and "max_matvecs" not in cost.cuts
    assert cut.max_matvecs == s.max_matvecs
    assert 2 * 5 + 2 <= plan.curvature_max_matvecs < expected_curvature_lanczos(5, 300)
    assert plan.curvature_matvecs(s.max_matvecs) == plan.curvature_max_matvecs
    steps = {step.what: step.count for step in cost.steps}
    assert steps["Lanczos top-k"] == expected_lanczos(5, 300)
    assert steps["Lanczos top-k of Σ"] == expected_curvature_lanczos(5, plan.curvature_max_matvecs)
    assert cost.seconds <= BUDGET_MARGIN * 60.0


def test_a_tight_budget_skips_preconditioning_before_capping_lanczos():
    """At the floors the plan is over the budget by less than the preconditioned spectra: they go (the rule
    does not use them), and no Lanczos run loses products."""
    s = make_settings(budget=16.0)  # the floors with preconditioning: 14.7 s > 0.85 · 16; without: 13.1 s
    units = UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained", hvp_single=0.02, curvature_single=0.04)
    only = (*ALL, "preconditioning")
    cost, cut, plan = plan_run(units, 10**6, s, Plan.for_settings(s), only, ModelShape(outputs=10))
    assert plan.precondition_probes == 0 and cost.cuts["precondition_probes"]["to"] == 0
    assert "precondition_steps" not in cost.cuts and plan.precondition_steps == Plan().precondition_steps
    assert not any(step.section == "preconditioning" for step in cost.steps)
    assert "max_matvecs" not in cost.cuts and "curvature_max_matvecs" not in cost.cuts
    assert cost.seconds <= BUDGET_MARGIN * 16.0


def test_the_report_records_the_plan_and_what_the_run_took():
    model, x, y = CASES[0].build()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", only=["spectrum"], top_k=2)
    cost = report.settings["cost"]
    assert cost["exact"] and cost["units"]["hessian_product_s"] > 0 and cost["expected_seconds"] > 0
    assert cost["measured"]["seconds"] > 0 and cost["measured"]["peak_memory_bytes"] > 2**20
    assert set(cost["by_section"]) == {"spectrum"}
    assert cost["units"]["dense_eigensolve_s"] > 0 and cost["units"]["dense_pass_s"] > 0  # the exact path's units
    assert any(step["what"] == "dense eigenvalues" and step["seconds"] > 0 for step in cost["steps"])


def test_a_budget_changes_the_settings_the_run_uses():
    model, x, y = CASES[0].build()
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", only=["spectrum"], top_k=2,
                          exact_max_d=0, budget=1e-6)
    cost, settings = report.settings["cost"], report.settings
    assert cost["budget"] == 1e-6 and "unmet" in cost["cuts"]
    assert settings["trace_matvecs"] == cost["cuts"]["trace_matvecs"]["to"] == 8
    assert report.spectrum.trace.matvecs <= 8 and report.spectrum.top.matvecs <= settings["max_matvecs"]


def test_the_plan_is_printed_before_the_work_unless_quiet(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from hessdiag.cli import app

    monkeypatch.chdir(tmp_path)
    small = ["run", "--only", "spectrum", "--top-k", "1", "--exact-max-d", "0", "--trace-matvecs", "8",
             "--slq-probes", "2", "--slq-steps", "8", "--samples", "200"]
    loud = CliRunner().invoke(app, [*small, "--json", "a.json"])
    assert loud.exit_code == 0 and "cost plan: one gradient pass" in loud.stderr
    assert "took" in loud.stderr and "planned" in loud.stderr
    assert loud.stderr.index("cost plan") < loud.stderr.index("took")
    quiet = CliRunner().invoke(app, [*small, "--quiet", "--json", "b.json"])
    assert quiet.exit_code == 0 and "cost plan" not in quiet.stderr


@pytest.mark.parametrize("value", [0, -1, float("inf")])
def test_budget_must_be_positive(value):
    from hessdiag.errors import ConfigError

    with pytest.raises(ConfigError, match="budget"):
        make_settings(budget=value)
