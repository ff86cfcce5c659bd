"""What a run computes, counted and priced: `expected_steps` lists the products (H, F) and passes (grad, ps)
each chosen section makes under the settings and the plan, and `price` turns them into seconds at the
measured unit costs (`cost.py`). The plan says which probes the memory plan sends one at a time
(`trace_block`, the SLQ bases' bytes): those are priced as single products, in the first plan and in
every `--budget` re-fit alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..experiments.race import expected_runs, race_checkpoints
from ..linalg.quadrature import BASIS_BYTES, probes_at_once
from ..load import Settings
from .cost import CG_PRODUCTS, Step, UnitCosts, expected_curvature_lanczos, expected_lanczos, swept_rows
from .plan import Plan
from .units import EIGENSOLVE_GROWTH

# The geometry's work on the dense Hessian (ρ_diag from the columns; the full eigendecomposition up to
# d = 1,024, else a certified ‖H‖₂; the separable bound's 15 reweighted top eigenvalues; the sign ascent):
# (eigensolves, passes), fitted to the seconds taken on MLPs of d = 160 to 3,310 on 2 CPU cores
# (scripts/calibrate_dense_prices.py; three runs fitted 0.84–1.41 eigensolves and 2,677–3,038 passes):
# planned/taken 0.81–1.57 from d = 1,210, 0.21–1.67 below, where ARPACK's convergence makes it erratic
# and it takes under 0.4 s (scripts/results/calibrate_dense_prices.txt).
DENSE_GEOMETRY = (0.84, 2850.0)
# Passes per product of the preconditioned dense map s⊙(H(s⊙v)) in Lanczos and SLQ (the scalings, the
# conversions): 248 products took 0.243 s at d = 2,410, 2.05 passes of 4.78e-4 s each.
DENSE_MAP_PASSES = 2


@dataclass(frozen=True)
class ModelShape:
    """What the per-block and per-output steps need of the model: its parameter blocks' sizes and its
    outputs per sample C (the backward passes per batch of an exact diagonal, the per-class gradients)."""

    blocks: tuple[int, ...] = ()
    outputs: int = 1


def race_work(plan: Plan, d: int) -> float:
    """steps·batch·d of one run of the automatic race, the size `plan.race_auto_max_work` limits."""
    return plan.race_steps_auto * plan.reference_batch * d


def race_steps(settings: Settings, plan: Plan, d: int) -> int:
    """Mini-batch steps of each race run: --race-steps; else none under `--only` (a restricted run asks for
    its sections alone); else the plan's default while `race_work` stays within its limit. The cost plan
    and the recommendation section both read it here."""
    if settings.race_steps is not None:
        return settings.race_steps
    if settings.only is not None:
        return 0
    return plan.race_steps_auto if race_work(plan, d) <= plan.race_auto_max_work else 0


def expected_steps(d: int, settings: Settings, plan: Plan, only: tuple[str, ...], exact: bool,
                   shape: ModelShape = ModelShape(), done: frozenset[tuple[str, str]] = frozenset()) -> list[Step]:
    """The products (H, F) and passes (grad, ps) each chosen section makes, but for the steps in `done`
    ((section, what) pairs: a re-fit during the run, `refit`, prices only what is still to make)."""
    top = expected_lanczos(settings.top_k, settings.max_matvecs, "largest")
    bottom = expected_lanczos(settings.top_k, settings.max_matvecs, "smallest")
    most = plan.curvature_matvecs(settings.max_matvecs)  # each run on Σ, GGN, F_mc, EF, Ĥ
    other = expected_curvature_lanczos(settings.top_k, most)
    steps = [Step("spectrum", "Lanczos top-k", top, "H", True, rows=swept_rows(top)),
             Step("spectrum", "Lanczos bottom-k", bottom, "H", True, rows=swept_rows(bottom))]
    if not exact and {"spectrum", "noise", "fisher"} & set(only):  # the memory plan may send probes one at a time
        steps.append(Step("spectrum", "trace", settings.trace_matvecs, "H", plan.trace_block == 1))
    if "spectrum" in only and not exact:
        m = min(settings.slq_steps, d)
        alone = probes_at_once(settings.slq_probes, m, d, plan.slq_basis_bytes or BASIS_BYTES) == 1
        steps.append(Step("spectrum", "density (SLQ)", settings.slq_probes * m, "H", alone,
                          rows=settings.slq_probes * swept_rows(m)))
    if "geometry" in only and not exact:
        steps += [Step("geometry", "sampled columns", min(plan.sampled_columns, d), "H"),
                  Step("geometry", "Ritz images", 2 * settings.top_k, "H"),
                  Step("geometry", "sign ascent", ascent_products(settings, plan), "H")]
    curvature_exact = d <= plan.dense_curvature_max_d
    if "noise" in only or "fisher" in only:
        steps += [Step("noise", "per-sample pass", 1, "ps"),
                  Step("noise", "Lanczos top-k of Σ", d if curvature_exact else other, "F", not curvature_exact,
                       rows=0.0 if curvature_exact else swept_rows(other))]
    if "fisher" in only:
        per_matrix = d if curvature_exact else other
        steps += [Step("fisher", "top-k of GGN, F_mc, EF", 3 * per_matrix, "F", not curvature_exact,
                       rows=0.0 if curvature_exact else 3 * swept_rows(other)),
                  Step("fisher", "per-sample pass (F_mc trace)", 0 if curvature_exact else 1, "ps")]
        if not curvature_exact:
            steps += [Step("fisher", "fisher probes", plan.fisher_probes * 3, "F"),
                      Step("fisher", "damped CG (F, EF)", 2 * min(CG_PRODUCTS, most), "F", True)]
    steps += _evidence_steps(d, settings, plan, only, exact, shape)
    if exact:
        steps += dense_steps(d, settings, plan, only, shape)
    race = race_steps(settings, plan, d)
    runs = expected_runs(plan.race_seeds, plan.race_points)
    losses = runs * len(race_checkpoints(race)) if race else 0
    steps += [Step("recommendation", "race", runs * race, "step"),
              Step("recommendation", "race: full-data losses", losses, "loss")]
    return [s for s in steps if s.count > 0 and (s.section, s.what) not in done]


def ascent_products(settings: Settings, plan: Plan) -> int:
    """Products of the L∞ sign ascent: whole rounds of its 2k + 2 + restarts starts (all-ones, the 2k Ritz
    vectors' signs, the gradient's, random ones) until `ascent_products_operator` is reached (at most)."""
    starts = plan.ascent_starts(settings.top_k)
    rounds = min(plan.ascent_iterations_operator, -(-plan.ascent_products_operator // starts))
    return rounds * starts


def _evidence_steps(d: int, settings: Settings, plan: Plan, only: tuple[str, ...], exact: bool,
                    shape: ModelShape) -> list[Step]:
    """The preconditioned spectra (Lanczos λ_max and SLQ λ̄ of Ĥ under Adam's and Jacobi's diagonal, and
    the diagonal's own passes), the block spectra (columns of small blocks, lockstep Lanczos of large
    ones) and the per-class gradients. With the dense Hessian these sections make no Hessian products."""
    steps = []
    if "preconditioning" in only and plan.precondition_probes > 0:
        if not exact:
            top, m = _preconditioned_runs(settings, plan, d)
            probes = plan.precondition_probes
            steps += [Step("preconditioning", "λ_max of Ĥ (Lanczos)", 2 * top, "H", True, rows=2 * swept_rows(top)),
                      Step("preconditioning", "λ̄ of Ĥ (SLQ)", 2 * probes * m, "H", rows=2 * probes * swept_rows(m))]
            if "spectrum" not in only:
                steps.append(Step("preconditioning", "λ̄ of H (SLQ)", probes * m, "H", rows=probes * swept_rows(m)))
            exact_diagonal = shape.outputs <= plan.ggn_exact_max_outputs
            steps.append(Step("preconditioning", "diag(GGN)" if exact_diagonal else "diag(F_mc)",
                              shape.outputs if exact_diagonal else plan.mc_samples, "ps"))
        if "noise" not in only and "fisher" not in only:
            steps.append(Step("preconditioning", "per-sample pass (Adam's diagonal)", 1, "ps"))
    if "blocks" in only and not exact:
        largest = plan.block_probes * plan.block_steps
        large = sum(1 for b in shape.blocks if b > largest)
        steps += [Step("blocks", "columns of small blocks", sum(b for b in shape.blocks if b <= largest), "H"),
                  Step("blocks", "lockstep Lanczos of large blocks", large * plan.block_probes * plan.block_steps,
                       "H", rows=large * plan.block_probes * swept_rows(plan.block_steps))]
    if "imbalance" in only and shape.outputs > 1:
        steps.append(Step("imbalance", "per-class gradients", shape.outputs, "grad"))
    return steps


def _preconditioned_runs(settings: Settings, plan: Plan, d: int) -> tuple[int, int]:
    """Products of each preconditioned Lanczos run for λ_max(Ĥ), and the steps of each SLQ probe for λ̄(Ĥ)."""
    top = expected_lanczos(1, min(plan.precondition_max_matvecs, plan.curvature_matvecs(settings.max_matvecs)))
    return top, min(plan.precondition_steps, d)


def dense_steps(d: int, settings: Settings, plan: Plan, only: tuple[str, ...], shape: ModelShape) -> list[Step]:
    """The dense Hessian's d column products, and the work on it in symmetric eigensolves ("eig") and
    passes ("pass") over a d×d matrix (`units.measure_dense`): its eigenvalues; the geometry's (DENSE_GEOMETRY); the
    preconditioned spectra (two eigensolves up to `precondition_exact_max_d`, else Lanczos and SLQ
    products of the scaled dense map, DENSE_MAP_PASSES each); one eigensolve per parameter block."""
    steps = [Step("spectrum", "dense Hessian", d, "H"), Step("spectrum", "dense eigenvalues", 1, "eig")]
    if "geometry" in only:
        eigensolves, passes = DENSE_GEOMETRY
        steps += [Step("geometry", "dense L∞ bounds (eigensolves)", eigensolves, "eig"),
                  Step("geometry", "dense L∞ bounds, ρ_diag (passes)", passes, "pass")]
    if "preconditioning" in only and plan.precondition_probes > 0:
        if d <= plan.precondition_exact_max_d:
            steps.append(Step("preconditioning", "dense eigenvalues of Ĥ", 2, "eig"))
        else:
            top, m = _preconditioned_runs(settings, plan, d)
            products = 2 * (top + plan.precondition_probes * m)
            steps.append(Step("preconditioning", "λ_max and λ̄ of Ĥ (dense map)", DENSE_MAP_PASSES * products, "pass"))
    if "blocks" in only:
        share = sum((b / d) ** EIGENSOLVE_GROWTH for b in shape.blocks)
        steps.append(Step("blocks", "dense block eigenvalues", share, "eig"))
    return steps


def price(steps: list[Step], units: UnitCosts) -> list[Step]:
    """Seconds of each step: Lanczos steps and CG iterations (one vector at a time) at the single-product
    cost, other products (rounds of probes, columns, dense blocks) at the cost per vector in a round;
    curvature products (GGN, EF, F_mc, Σ) at the GGN's; plus the Gram–Schmidt passes of Lanczos runs
    (`Step.rows` basis rows at the measured seconds per row). The first product's extra cost
    (`units.hvp_setup`: the process's first double backward, 1.4–1.7 s on a CPU, and building the retained
    or linearised graphs, which are kept) was paid while measuring, before the work, and is not priced
    again. The race's mini-batch steps and full-data losses, and the eigensolves and passes over the dense
    Hessian, are priced at their measured units (nothing where a unit was not measured)."""
    per = {"H": units.hvp_in_round, "F": units.curvature_in_round, "grad": units.gradient,
           "ps": units.per_sample_passes * units.gradient,
           # not measured (no race planned at the first plan): a mini-batch step at most a gradient pass
           "step": units.race_step if math.isfinite(units.race_step) else units.gradient,
           "loss": units.full_loss if math.isfinite(units.full_loss) else units.gradient,
           "eig": units.dense_eig if math.isfinite(units.dense_eig) else 0.0,
           "pass": units.dense_pass if math.isfinite(units.dense_pass) else 0.0}
    alone = {"H": units.single, "F": units.curvature_one}
    for step in steps:
        step.seconds = step.count * (alone[step.kind] if step.alone else per[step.kind])
        step.seconds += step.rows * units.gram_schmidt_row
    return steps
