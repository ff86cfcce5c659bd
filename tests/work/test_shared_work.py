"""Shared work is computed once and shared; the plan of thresholds is recorded in every report."""

from __future__ import annotations

import torch

from helpers.cases import CASES
from helpers.dense import Dense, rel_err
from helpers.problems import problem_for
from hessdiag.api import diagnose
from hessdiag.load import make_settings
from hessdiag.work import Plan, Work


def _work(**settings) -> Work:
    s = make_settings(loss=CASES[0].loss, top_k=2, **settings)
    return Work(problem_for(CASES[0]), s, Plan.for_settings(s))


def test_the_hessian_work_is_computed_once_and_shared_with_the_family():
    work = _work()
    top = work.hessian.top
    products = work.hessian.operator.matvecs
    assert work.hessian.top is top and work.curvature.top("H") is top
    assert work.curvature.operator("H") is work.hessian.operator
    assert work.hessian.operator.matvecs == products  # nothing recomputed
    model, x, y = CASES[0].build()
    assert rel_err(work.curvature.dense("H"), Dense(model, x, y, "ce").hessian()) < 1e-10
    assert work.curvature.dense("GGN") is work.curvature.dense("GGN")


def test_the_family_uses_dense_matrices_up_to_the_plan_and_lanczos_beyond():
    work = _work()
    assert work.curvature.exact and work.curvature.top("GGN").matvecs == work.problem.d
    s = make_settings(loss=CASES[0].loss, top_k=2, tol=1e-10)
    lanczos = Work(problem_for(CASES[0]), s, Plan(dense_curvature_max_d=0))
    exact = torch.tensor([r.value for r in work.curvature.top("GGN").values])
    iterative = torch.tensor([r.value for r in lanczos.curvature.top("GGN").values])
    assert not lanczos.curvature.exact and torch.allclose(exact, iterative, rtol=1e-8)


def test_the_report_records_the_plan_and_the_choices_made():
    model, x, y = CASES[0].build()
    settings = diagnose(model, (x, y), "ce", only="spectrum", top_k=1, exact_max_d=7).to_dict()["settings"]
    plan = settings["plan"]
    assert plan["dense_hessian_max_d"] == 7 and settings["exact_max_d"] == 7
    for limit in ("dense_curvature_max_d", "eigendecomposition_max_d", "linf_enumeration_max_d", "race_auto_max_work"):
        assert limit in plan
    assert settings["hvp_mode_used"] in ("retained", "fwd-rev") and settings["only"] == ["spectrum"]
