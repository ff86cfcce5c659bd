"""Choosing a run's exact paths by cost, and fitting it to `--budget`.

`plan_run` prices the steps `steps.expected_steps` lists, chooses the exact path and, with a budget, cuts
what only tightens error bars. The exact path (the dense Hessian, d ≤ `--exact-max-d`) is chosen by
cost under `--budget` (taken when its d products and the work on the matrix fit in half the budget);
without a budget it stays the deterministic d ≤ `--exact-max-d`, and the plan says when it is
predicted to dominate.
The cuts change the run's `Settings` and `Plan` (returned), and the
report records them (`CostPlan.cuts`) with their effect on the error bars.
"""

from __future__ import annotations

import dataclasses
import math

from ..load import Settings
from .cost import BUDGET_MARGIN, EXACT_AFFORDABLE_S, CostPlan, UnitCosts, expected_lanczos
from .plan import Plan
from .steps import ModelShape, dense_steps, expected_steps, price, race_steps

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


def _memory(units: UnitCosts, d: int, settings: Settings, exact: bool) -> int:
    basis = 8 * d * (expected_lanczos(settings.top_k, settings.max_matvecs, "smallest") + 2)  # the longer run
    dense = 8 * d * d * 2 if exact else 0
    return units.graph_bytes + basis + dense


def plan_run(units: UnitCosts, d: int, settings: Settings, plan: Plan, only: tuple[str, ...],
             shape: ModelShape = ModelShape(), exact: bool | None = None,
             done: frozenset[tuple[str, str]] = frozenset()) -> tuple[CostPlan, Settings, Plan]:
    """The priced plan, with the exact path chosen by cost (or as given: `exact`, a re-fit keeps the
    run's) and the budget's cuts applied; the steps in `done` are not priced."""
    budget = settings.budget
    if exact is None:
        exact, reason = _choose_exact(units, d, settings, plan, only, budget, shape)
    else:
        reason = "as the run's plan chose"
    if not exact and d <= plan.dense_hessian_max_d:
        plan = dataclasses.replace(plan, dense_hessian_max_d=d - 1)
    steps = price(expected_steps(d, settings, plan, only, exact, shape, done), units)
    cost = CostPlan(units, steps, _memory(units, d, settings, exact), exact, reason, budget)
    if budget is not None and cost.seconds > BUDGET_MARGIN * budget:
        settings, plan = _cut(cost, d, settings, plan, only, shape, done)
        cost.steps = price(expected_steps(d, settings, plan, only, exact, shape, done), units)
    return cost, settings, plan


def _choose_exact(units: UnitCosts, d: int, settings: Settings, plan: Plan, only: tuple[str, ...],
                  budget: float | None, shape: ModelShape) -> tuple[bool, str]:
    if d > plan.dense_hessian_max_d:
        return False, f"d = {d} > --exact-max-d {plan.dense_hessian_max_d}"
    dense = sum(s.seconds for s in price(dense_steps(d, settings, plan, only, shape), units))
    replaced = sum(s.seconds for s in price(expected_steps(d, settings, plan, only, False, shape), units)
                   if s.what in ("trace", "density (SLQ)", "sampled columns", "sign ascent"))
    if budget is not None:
        if dense <= budget / 2:
            return True, f"the dense Hessian (~{dense:.3g} s) fits in half the budget"
        return False, (f"the dense Hessian (~{dense:.3g} s: d = {d} products and the work on it) exceeds half the "
                       f"{budget:g} s budget")
    # Without a budget the choice stays d ≤ --exact-max-d, so that a report never depends on the machine's
    # speed or load (golden reports); the plan says when the dense Hessian is predicted to dominate the run.
    if dense <= max(EXACT_AFFORDABLE_S, replaced):
        return True, (f"d = {d} ≤ --exact-max-d; its d products and the work on it (~{dense:.3g} s) ≤ "
                      f"max({EXACT_AFFORDABLE_S:g} s, the ~{replaced:.3g} s of the estimates it replaces)")
    return True, (f"d = {d} ≤ --exact-max-d, but its d products and the work on it are predicted to take "
                  f"~{dense:.3g} s, more than {EXACT_AFFORDABLE_S:g} s and the ~{replaced:.3g} s of the stochastic "
                  "estimates they replace: "
                  "--budget SECONDS (or a smaller --exact-max-d) skips it")


def _cut(cost: CostPlan, d: int, settings: Settings, plan: Plan,
         only: tuple[str, ...], shape: ModelShape, done: frozenset[tuple[str, str]]) -> tuple[Settings, Plan]:
    """Fit the plan to BUDGET_MARGIN of the budget: first scale every count that only tightens error bars,
    and that the run makes, by the largest one factor that fits (each down to its floor); if the rest
    still does not fit, skip the preconditioning section (evidence the rule does not use), then cap the
    Lanczos runs and CG solves on Σ, GGN, F_mc, EF and Ĥ, then H's own."""
    target = BUDGET_MARGIN * (cost.budget or 0.0)
    made = {s.what for s in cost.steps}

    def seconds(s: Settings, p: Plan) -> float:
        return sum(step.seconds for step in price(expected_steps(d, s, p, only, cost.exact, shape, done),
                                                  cost.units))

    def scaled(factor: float) -> tuple[Settings, Plan, dict[str, dict]]:
        values: dict[str, dict] = {"settings": {}, "plan": {}}
        cuts: dict[str, dict] = {}
        for where, name, floor, _ in CUTTABLE:
            if not made & set(_COUNTED[name]):
                continue
            before = (race_steps(settings, plan, d) if name == "race_steps"
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
    lanczos = expected_lanczos(settings.top_k, settings.max_matvecs, "smallest")  # the longer of H's runs
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
