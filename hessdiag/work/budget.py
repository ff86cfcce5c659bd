"""Counting a run's products, choosing its exact paths by cost, and fitting it to `--budget`.

`expected_steps` lists what each chosen section computes under the settings and the plan (see
`cost.py` for the units); `plan_run` prices them, chooses the exact path and, with a budget, cuts
what only tightens error bars. The exact path (the dense Hessian, d ≤ `--exact-max-d`) is chosen by
cost under `--budget` (taken when its d products fit in half the budget); without a budget it stays
the deterministic d ≤ `--exact-max-d`, and the plan says when it is predicted to dominate.
The cuts change the run's `Settings` and `Plan` (returned), and the
report records them (`CostPlan.cuts`) with their effect on the error bars.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..linalg.quadrature import BASIS_BYTES, probes_at_once
from ..load import Settings
from .cost import (
    BUDGET_MARGIN,
    CG_PRODUCTS,
    EXACT_AFFORDABLE_S,
    CostPlan,
    Step,
    UnitCosts,
    expected_lanczos,
    swept_rows,
)
from .plan import Plan

# what a budget may cut: (where it lives, name, floor, what fewer of them does to the error bars)
CUTTABLE = (
    ("settings", "trace_matvecs", 8, "trace stderr ×√(before/after)"),
    ("settings", "slq_probes", 2, "density and λ̄ stderr ×√(before/after)"),
    ("settings", "slq_steps", 16, "each density probe's Gauss rule has fewer nodes (a coarser density)"),
    ("plan", "sampled_columns", 32, "rho_diag interval width ×√(before/after)"),
    ("plan", "ascent_products_operator", 20, "L∞ lower bound from fewer sign-ascent products (looser, still proven)"),
    ("plan", "fisher_probes", 4, "fisher trace and distance stderr ×√(before/after)"),
    ("plan", "precondition_probes", 2, "λ̄(Ĥ) stderr ×√(before/after)"),
    ("plan", "precondition_steps", 8, "fewer Gauss nodes per λ̄(Ĥ) probe (a coarser λ̄, its stderr still measured)"),
    ("settings", "race_steps", 0, "the race runs fewer steps (0: no race)"),
    ("plan", "block_steps", 0, "fewer Lanczos steps per parameter block (coarser block densities, looser tops); "
                               "0: the blocks section is not measured"),
)
_EFFECTS = {name: effect for _, name, _, effect in CUTTABLE}


def cut_effect(name: str, before: int, after: int) -> str:
    """What cutting the count `name` from `before` to `after` does to the error bars (CUTTABLE)."""
    return _EFFECTS[name].replace("√(before/after)", f"{math.sqrt(before / after):.2f}" if after > 0 else "∞")


# Fewer Lanczos steps than this per block give no usable block density: a cut below it skips the section.
MIN_BLOCK_STEPS = 4
# the steps each cuttable count prices: a count whose steps the run does not make is never cut
_COUNTED = {"trace_matvecs": ("trace",), "slq_probes": ("density (SLQ)",), "slq_steps": ("density (SLQ)",),
            "sampled_columns": ("sampled columns",), "ascent_products_operator": ("sign ascent",),
            "fisher_probes": ("fisher probes",), "race_steps": ("race",),
            "precondition_probes": ("λ̄ of Ĥ (SLQ)", "λ̄ of H (SLQ)"),
            "precondition_steps": ("λ̄ of Ĥ (SLQ)", "λ̄ of H (SLQ)"),
            "block_steps": ("lockstep Lanczos of large blocks", "columns of small blocks")}
# the Lanczos runs and CG solves on matrices other than H, which `curvature_max_matvecs` caps first
_CURVATURE_RUNS = ("Lanczos top-k of Σ", "top-k of GGN, F_mc, EF", "damped CG (F, EF)", "λ_max of Ĥ (Lanczos)")


@dataclass(frozen=True)
class ModelShape:
    """What the per-block and per-output steps need of the model: its parameter blocks' sizes and its
    outputs per sample C (the backward passes per batch of an exact diagonal, the per-class gradients)."""

    blocks: tuple[int, ...] = ()
    outputs: int = 1


def _race_steps(settings: Settings, plan: Plan, n: int, d: int) -> int:
    if settings.race_steps is not None:
        return settings.race_steps
    return plan.race_steps_auto if n * d <= plan.race_auto_max_work else 0


def expected_steps(d: int, n: int, settings: Settings, plan: Plan, only: tuple[str, ...], exact: bool,
                   shape: ModelShape = ModelShape(), done: frozenset[tuple[str, str]] = frozenset()) -> list[Step]:
    """The products (H, F) and passes (grad, ps) each chosen section makes, but for the steps in `done`
    ((section, what) pairs: a re-fit during the run, `refit`, prices only what is still to make)."""
    lanczos = expected_lanczos(settings.top_k, settings.max_matvecs)
    swept = swept_rows(lanczos)
    most = plan.curvature_matvecs(settings.max_matvecs)  # each run on Σ, GGN, F_mc, EF, Ĥ
    other = expected_lanczos(settings.top_k, most)
    steps = [Step("spectrum", "Lanczos top-k", lanczos, "H", True, rows=swept),
             Step("spectrum", "Lanczos bottom-k", lanczos, "H", True, rows=swept)]
    if exact:
        steps.append(Step("spectrum", "dense Hessian", d, "H"))
    elif "spectrum" in only or "noise" in only or "fisher" in only:  # the memory plan may send probes one at a time
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
    if "geometry" in only:  # the race needs L∞ for its sign step
        steps.append(Step("recommendation", "race", 2 * _race_steps(settings, plan, n, d), "grad"))
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
    if "preconditioning" in only and not exact and plan.precondition_probes > 0:
        top = expected_lanczos(1, min(plan.precondition_max_matvecs, plan.curvature_matvecs(settings.max_matvecs)))
        m = min(plan.precondition_steps, d)
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


def price(steps: list[Step], units: UnitCosts) -> list[Step]:
    """Seconds of each step: Lanczos steps and CG iterations (one vector at a time) at the single-product
    cost, other products (rounds of probes, columns, dense blocks) at the cost per vector in a round;
    curvature products (GGN, EF, F_mc, Σ) at the GGN's; plus the Gram–Schmidt passes of Lanczos runs
    (`Step.rows` basis rows at the measured seconds per row)."""
    per = {"H": units.hvp_in_round, "F": units.curvature_in_round, "grad": units.gradient,
           "ps": units.per_sample_passes * units.gradient}
    alone = {"H": units.single, "F": units.curvature_one}
    for step in steps:
        step.seconds = step.count * (alone[step.kind] if step.alone else per[step.kind])
        step.seconds += step.rows * units.gram_schmidt_row
    if any(s.kind == "H" for s in steps):
        steps[0].seconds += units.hvp_setup
    return steps


def _memory(units: UnitCosts, d: int, settings: Settings, exact: bool) -> int:
    basis = 8 * d * (expected_lanczos(settings.top_k, settings.max_matvecs) + 2)
    dense = 8 * d * d * 2 if exact else 0
    return units.graph_bytes + basis + dense


def plan_run(units: UnitCosts, d: int, n: int, settings: Settings, plan: Plan, only: tuple[str, ...],
             shape: ModelShape = ModelShape(), exact: bool | None = None,
             done: frozenset[tuple[str, str]] = frozenset()) -> tuple[CostPlan, Settings, Plan]:
    """The priced plan, with the exact path chosen by cost (or as given: `exact`, a re-fit keeps the
    run's) and the budget's cuts applied; the steps in `done` are not priced."""
    budget = settings.budget
    if exact is None:
        exact, reason = _choose_exact(units, d, n, settings, plan, only, budget, shape)
    else:
        reason = "as the run's plan chose"
    if not exact and d <= plan.dense_hessian_max_d:
        plan = dataclasses.replace(plan, dense_hessian_max_d=d - 1)
    steps = price(expected_steps(d, n, settings, plan, only, exact, shape, done), units)
    cost = CostPlan(units, steps, _memory(units, d, settings, exact), exact, reason, budget)
    if budget is not None and cost.seconds > BUDGET_MARGIN * budget:
        settings, plan = _cut(cost, d, n, settings, plan, only, shape, done)
        cost.steps = price(expected_steps(d, n, settings, plan, only, exact, shape, done), units)
    return cost, settings, plan


def _choose_exact(units: UnitCosts, d: int, n: int, settings: Settings, plan: Plan, only: tuple[str, ...],
                  budget: float | None, shape: ModelShape) -> tuple[bool, str]:
    if d > plan.dense_hessian_max_d:
        return False, f"d = {d} > --exact-max-d {plan.dense_hessian_max_d}"
    dense = d * units.hvp_in_round
    replaced = sum(s.seconds for s in price(expected_steps(d, n, settings, plan, only, False, shape), units)
                   if s.what in ("trace", "density (SLQ)", "sampled columns", "sign ascent"))
    if budget is not None:
        if dense <= budget / 2:
            return True, f"the dense Hessian (~{dense:.3g} s) fits in half the budget"
        return False, f"the dense Hessian (~{dense:.3g} s for d = {d} products) exceeds half the {budget:g} s budget"
    # Without a budget the choice stays d ≤ --exact-max-d, so that a report never depends on the machine's
    # speed or load (golden reports); the plan says when the dense Hessian is predicted to dominate the run.
    if dense <= max(EXACT_AFFORDABLE_S, replaced):
        return True, f"d = {d} ≤ --exact-max-d; its d products (~{dense:.3g} s) ≤ max({EXACT_AFFORDABLE_S:g} s, " \
                     f"the ~{replaced:.3g} s of the estimates it replaces)"
    return True, (f"d = {d} ≤ --exact-max-d, but its d products are predicted to take ~{dense:.3g} s, more than "
                  f"{EXACT_AFFORDABLE_S:g} s and the ~{replaced:.3g} s of the stochastic estimates they replace: "
                  "--budget SECONDS (or a smaller --exact-max-d) skips it")


def _cut(cost: CostPlan, d: int, n: int, settings: Settings, plan: Plan,
         only: tuple[str, ...], shape: ModelShape, done: frozenset[tuple[str, str]]) -> tuple[Settings, Plan]:
    """Fit the plan to BUDGET_MARGIN of the budget: first scale every count that only tightens error bars,
    and that the run makes, by the largest one factor that fits (each down to its floor); if the rest
    still does not fit, skip the preconditioning section (evidence the rule does not use), then cap the
    Lanczos runs and CG solves on Σ, GGN, F_mc, EF and Ĥ, then H's own."""
    target = BUDGET_MARGIN * (cost.budget or 0.0)
    made = {s.what for s in cost.steps}

    def seconds(s: Settings, p: Plan) -> float:
        return sum(step.seconds for step in price(expected_steps(d, n, s, p, only, cost.exact, shape, done),
                                                  cost.units))

    def scaled(factor: float) -> tuple[Settings, Plan, dict[str, dict]]:
        values: dict[str, dict] = {"settings": {}, "plan": {}}
        cuts: dict[str, dict] = {}
        for where, name, floor, _ in CUTTABLE:
            if not made & set(_COUNTED[name]):
                continue
            before = (_race_steps(settings, plan, n, d) if name == "race_steps"
                      else getattr(settings if where == "settings" else plan, name))
            after = max(floor, int(before * factor)) if factor < 1 else before
            if name == "block_steps" and after < MIN_BLOCK_STEPS:
                after = 0
            if after < before:
                values[where][name] = after
                cuts[name] = {"from": before, "to": after, "effect": cut_effect(name, before, after)}
        return (dataclasses.replace(settings, **values["settings"]), dataclasses.replace(plan, **values["plan"]),
                cuts)

    factor = _largest_fitting(0, 1000, lambda f: seconds(*scaled(f / 1000)[:2]) <= target) / 1000
    settings, plan, cuts = scaled(factor)
    cost.cuts.update(cuts)
    if seconds(settings, plan) > target and plan.precondition_probes > 0 and "λ̄ of Ĥ (SLQ)" in made:
        before = cost.cuts.get("precondition_probes", {}).get("from", plan.precondition_probes)
        cost.cuts["precondition_probes"] = {"from": before, "to": 0, "effect": (
            "the preconditioning section is not measured (its evidence is not used by the recommendation's rule)")}
        steps = cost.cuts.pop("precondition_steps", {}).get("from", plan.precondition_steps)  # moot: not run
        plan = dataclasses.replace(plan, precondition_probes=0, precondition_steps=steps)
    if seconds(settings, plan) > target:
        settings, plan = _cap_lanczos(cost, settings, plan, target, seconds)
    return settings, plan


def _largest_fitting(low: int, high: int, fits) -> int:
    """The largest integer in [low, high] for which the monotone test `fits` holds (low when none does)."""
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _cap_lanczos(cost: CostPlan, settings: Settings, plan: Plan, target: float, seconds) -> tuple[Settings, Plan]:
    """Cap the products of each Lanczos run and CG solve so that the plan fits, down to 2k + 2: first the
    runs on Σ, GGN, F_mc, EF and Ĥ (`plan.curvature_max_matvecs`), then H's own (`--max-matvecs`), so that
    the certified eigenvalues of H are the last to lose products."""
    floor = 2 * settings.top_k + 2
    lanczos = expected_lanczos(settings.top_k, settings.max_matvecs)
    effect = ("each Lanczos run stops after at most this many products: its residual bars stay certified but "
              "may not reach --tol (converged: false)")
    if any(s.what in _CURVATURE_RUNS for s in cost.steps):
        most = plan.curvature_matvecs(settings.max_matvecs)
        capped = _largest_fitting(floor, max(floor, most), lambda m: seconds(
            settings, dataclasses.replace(plan, curvature_max_matvecs=m)) <= target)
        fewer = dataclasses.replace(plan, curvature_max_matvecs=capped)
        if capped < most and seconds(settings, fewer) < seconds(settings, plan):
            plan = fewer
            cost.cuts["curvature_max_matvecs"] = {"from": most, "to": capped, "effect": effect.replace(
                "each Lanczos run", "each Lanczos run and CG solve on Σ, GGN, F_mc, EF and Ĥ")}
    if seconds(settings, plan) > target:
        capped = _largest_fitting(floor, max(floor, lanczos), lambda m: seconds(
            dataclasses.replace(settings, max_matvecs=m), plan) <= target)
        fewer_h = dataclasses.replace(settings, max_matvecs=capped)
        if capped < settings.max_matvecs and capped < lanczos and seconds(fewer_h, plan) < seconds(settings, plan):
            cost.cuts["max_matvecs"] = {"from": settings.max_matvecs, "to": capped, "effect": effect}
            settings = fewer_h
    if seconds(settings, plan) > target:
        cost.cuts["unmet"] = {"from": round(cost.seconds, 1), "to": round(seconds(settings, plan), 1),
                              "effect": "the budget is below what the chosen sections need at the smallest plan; "
                                        "the run goes on and takes longer (--only fewer sections, --samples)"}
    return settings, plan
