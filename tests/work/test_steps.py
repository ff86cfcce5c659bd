"""`work.steps`: what each chosen section computes (counted from the settings and the plan) and its price
at the measured unit costs, with the probes the memory plan sends one at a time priced as single products."""

from __future__ import annotations

import pytest

from hessdiag.experiments.race import expected_runs, race_checkpoints
from hessdiag.load import make_settings
from hessdiag.work import Plan
from hessdiag.work.cost import UnitCosts, expected_lanczos, swept_rows
from hessdiag.work.steps import DENSE_GEOMETRY, DENSE_MAP_PASSES, ModelShape, expected_steps, price, race_steps
from hessdiag.work.units import EIGENSOLVE_GROWTH

ALL = ("spectrum", "geometry", "noise", "fisher")


def test_counts_follow_the_settings():
    s = make_settings(top_k=5, max_matvecs=300, trace_matvecs=100, slq_probes=4, slq_steps=10, only=["spectrum"])
    steps = {step.what: step.count for step in expected_steps(10_000, s, Plan(), ("spectrum",), False)}
    top, bottom = expected_lanczos(5, 300), expected_lanczos(5, 300, "smallest")
    assert (top, bottom) == (35, 100)  # 5k + 10 and 10k + 50 (LANCZOS_COUNTS)
    assert steps == {"Lanczos top-k": top, "Lanczos bottom-k": bottom, "trace": 100, "density (SLQ)": 40}
    exact = {step.what: step.count for step in expected_steps(100, s, Plan(), ALL, True)}
    assert exact["dense Hessian"] == 100 and "trace" not in exact and "sampled columns" not in exact
    assert exact["Lanczos top-k of Σ"] == 100  # d ≤ dense_curvature_max_d: dense Σ (d products)


@pytest.mark.parametrize("outputs", [10, 40])
def test_evidence_sections_are_counted(outputs):
    """Preconditioning (λ_max and λ̄ of Ĥ for two diagonals, the diagonal's passes), blocks (columns of blocks
    of ≤ probes·steps entries, lockstep Lanczos of the others) and per-class gradients, as the sections run."""
    s, plan = make_settings(max_matvecs=300), Plan()
    shape = ModelShape(blocks=(10, 5000, 40, 41), outputs=outputs)
    only = ("spectrum", "preconditioning", "blocks", "imbalance")
    steps = {step.what: step.count for step in expected_steps(10_000, s, plan, only, False, shape)}
    m, top = plan.precondition_steps, expected_lanczos(1, plan.precondition_max_matvecs)
    assert steps["λ_max of Ĥ (Lanczos)"] == 2 * top and steps["λ̄ of Ĥ (SLQ)"] == 2 * plan.precondition_probes * m
    assert "λ̄ of H (SLQ)" not in steps  # the spectrum section's λ̄ serves
    diagonal = "diag(GGN)" if outputs <= plan.ggn_exact_max_outputs else "diag(F_mc)"
    assert steps[diagonal] == (outputs if outputs <= plan.ggn_exact_max_outputs else plan.mc_samples)
    assert steps["per-sample pass (Adam's diagonal)"] == 1
    assert steps["columns of small blocks"] == 10 + 40 and plan.block_probes * plan.block_steps == 40
    assert steps["lockstep Lanczos of large blocks"] == 2 * plan.block_probes * plan.block_steps
    assert steps["per-class gradients"] == outputs
    exact = {step.what for step in expected_steps(1000, s, plan, only, True, shape)}
    assert not exact & {"λ_max of Ĥ (Lanczos)", "columns of small blocks"}  # dense Hessian: no products


@pytest.mark.parametrize("setup", [0.0, 1.5])
def test_lanczos_runs_are_priced_with_their_gram_schmidt_passes(setup):
    """The first product's setup (`hvp_setup`, paid while the units were measured, before the work) is not
    priced again: the prices are the same whatever it was (it added 1.4 s to every forecast, 3× the work
    of a 1e4-parameter `--only spectrum` run)."""
    s = make_settings(top_k=5, max_matvecs=300, trace_matvecs=100, slq_probes=4, slq_steps=10)
    units = UnitCosts(0.01, 0.02, setup, 0.04, 0, "retained", hvp_single=0.03, gram_schmidt_row=0.5)
    priced = {step.what: step.seconds for step in price(expected_steps(10_000, s, Plan(), ("spectrum",), False),
                                                         units)}
    n = expected_lanczos(5, 300)
    assert swept_rows(n) == n * (n - 1) / 2 and swept_rows(1) == 0  # step i reads the i rows before it
    assert priced["Lanczos top-k"] == pytest.approx(n * 0.03 + swept_rows(n) * 0.5)
    assert priced["density (SLQ)"] == pytest.approx(40 * 0.02 + 4 * swept_rows(10) * 0.5)  # 4 probes of 10 steps
    assert priced["trace"] == pytest.approx(100 * 0.02)  # probes, no basis


@pytest.mark.parametrize("trace_block, basis_bytes, d, trace_alone, slq_alone", [
    (None, None, 10_000, False, False),  # the defaults: rounds of probes, 4 bases of 10 steps in 512 MiB
    (1, None, 10_000, True, False),  # the memory plan sends the trace's probes one at a time
    (None, 10 * 10_000 * 8, 10_000, False, True),  # its SLQ bytes hold one probe's basis
    (None, None, 5_000_000, False, True),  # 2 bases of 10 float64 vectors of 5e6 exceed the default 512 MiB
])
def test_probes_sent_one_at_a_time_are_priced_as_single_products(trace_block, basis_bytes, d, trace_alone,
                                                                 slq_alone):
    """The plan, not a patch after it, says which probes go alone: every re-fit prices them the same way."""
    s = make_settings(top_k=5, max_matvecs=300, trace_matvecs=100, slq_probes=4, slq_steps=10)
    plan = Plan(trace_block=trace_block, slq_basis_bytes=basis_bytes)
    units = UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained", hvp_single=0.07)
    priced = {step.what: step for step in price(expected_steps(d, s, plan, ("spectrum",), False), units)}
    assert (priced["trace"].alone, priced["density (SLQ)"].alone) == (trace_alone, slq_alone)
    assert priced["trace"].seconds == pytest.approx(100 * (0.07 if trace_alone else 0.02))
    assert priced["density (SLQ)"].seconds == pytest.approx(40 * (0.07 if slq_alone else 0.02))


@pytest.mark.parametrize("given, plan, steps", [
    ({}, Plan(), 200),  # the whole diagnosis: the automatic race
    ({"only": ["spectrum"]}, Plan(), 0),  # a restricted run races only when asked
    ({"only": ["spectrum"], "race_steps": 7}, Plan(), 7),
    ({"race_steps": 0}, Plan(), 0),
    ({}, Plan(race_auto_max_work=1.0), 0),  # steps·batch·d over the limit
])
def test_the_race_is_counted_as_the_section_runs_it_and_priced_at_its_own_units(given, plan, steps):
    """The race's steps are the recommendation section's (`race_steps`, read by both), counted per run of a
    typical race and priced at the measured mini-batch step and full-data loss (it was priced as 2·steps
    gradient passes, 0.75 s for the built-in default's 2.0 s race)."""
    s = make_settings(**given)
    assert race_steps(s, plan, 10_000) == steps
    units = UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained", race_step=0.003, full_loss=0.007)
    priced = {step.what: step for step in price(expected_steps(10_000, s, plan, ALL, False), units)}
    runs = expected_runs(plan.race_seeds, plan.race_points)
    if steps == 0:
        assert "race" not in priced and "race: full-data losses" not in priced
        return
    assert priced["race"].count == runs * steps and priced["race"].seconds == pytest.approx(runs * steps * 0.003)
    losses = priced["race: full-data losses"]
    assert losses.count == runs * len(race_checkpoints(steps)) and losses.seconds == pytest.approx(losses.count * 0.007)


@pytest.mark.parametrize("d, eigensolves_of_h_hat", [(1000, 2), (2410, 0)])
def test_the_work_on_the_dense_hessian_is_counted_in_eigensolves_and_passes(d, eigensolves_of_h_hat):
    """With the dense Hessian: one eigensolve for its eigenvalues, the geometry's fitted count, the
    preconditioned spectra (two eigensolves up to precondition_exact_max_d, else DENSE_MAP_PASSES passes per
    product of Lanczos and SLQ on the scaled map), one eigensolve per block at its share (b/d)^2.5, and
    Adam's diagonal still needs its per-sample pass; priced at the measured units, nothing when not measured."""
    s, plan = make_settings(top_k=5, max_matvecs=300), Plan()
    shape = ModelShape(blocks=(d - 10, 10), outputs=10)
    only = ("spectrum", "geometry", "preconditioning", "blocks")
    units = UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained", dense_eig=3.0, dense_pass=0.5)
    steps = {step.what: step for step in price(expected_steps(d, s, plan, only, True, shape), units)}
    assert steps["dense eigenvalues"].count == 1 and steps["dense eigenvalues"].seconds == 3.0
    assert steps["dense L∞ bounds (eigensolves)"].count == DENSE_GEOMETRY[0]
    assert steps["dense L∞ bounds, ρ_diag (passes)"].seconds == pytest.approx(DENSE_GEOMETRY[1] * 0.5)
    if eigensolves_of_h_hat:
        assert steps["dense eigenvalues of Ĥ"].count == 2 and "λ_max and λ̄ of Ĥ (dense map)" not in steps
    else:
        top = expected_lanczos(1, plan.precondition_max_matvecs)
        products = 2 * (top + plan.precondition_probes * plan.precondition_steps)
        assert steps["λ_max and λ̄ of Ĥ (dense map)"].count == DENSE_MAP_PASSES * products
    share = ((d - 10) / d) ** EIGENSOLVE_GROWTH + (10 / d) ** EIGENSOLVE_GROWTH
    assert steps["dense block eigenvalues"].seconds == pytest.approx(3.0 * share)
    assert steps["per-sample pass (Adam's diagonal)"].count == 1
    unmeasured = price(expected_steps(d, s, plan, only, True, shape), UnitCosts(0.01, 0.02, 0.0, 0.04, 0, "retained"))
    assert all(step.seconds == 0 for step in unmeasured if step.kind in ("eig", "pass"))
    assert not any(step.kind in ("eig", "pass") for step in expected_steps(d, s, plan, only, False, shape))
