"""`--budget` re-fitted during the run, at the speed the run has measured so far.

The cost plan prices the run from products timed once before the work. On a large model a long run's
products cost more than that (all-MiniLM-L6-v2 on 2 CPU cores: 3.8 s per Lanczos step against 1.46 s
for the product timed alone; the whole run took 2.03× its plan and 18.5 min under `--budget 600`). So
under `--budget`, at each checkpoint (before each section after the first, and between the long steps
of a section: `Work.step_made`), the run compares the seconds its work has taken with the seconds the
plan priced the steps made so far at,

    r = max(1, (measured + P₀) / (planned + P₀)),   P₀ = RATIO_PRIOR_S,

and fits the steps still to make into what is left of BUDGET_MARGIN · budget after every second spent
so far (loading, the gradient and the timed products included), at r times the plan's prices: the
first plan's cuts (`budget.plan_run`), from the counts the run has now, so that a count is only ever
lowered. When even the floors do not fit, whole sections are skipped in SKIP_ORDER (the evidence the
recommendation uses least, first). The spectrum (H's certified eigenvalues, shared by every section)
and the geometry (the gradient density, the deployed rule's one feature) are never skipped. A skipped
section's keys are null as under `--only`; it is listed under `settings.cost.cuts` ("section NAME")
with a warning, and every re-fit is recorded under `settings.cost.refits`.

Without `--budget` nothing here runs: a report never depends on timings.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from .. import distributed
from ..load import Settings
from .budget import CUTTABLE, cut_effect, plan_run
from .cost import BUDGET_MARGIN, CostPlan, Step, UnitCosts
from .plan import Plan
from .steps import ModelShape

# Seconds of work assumed to have run at the plan's speed before the first measurement. Fixed costs per call
# (the first calls of torch.func's transforms, Python and dispatch) make little work look slow: MiniLM's head
# under --budget 60 measured r = 4.5 on 0.19 s of planned Lanczos products, priced the rest at 4.5× and, in
# 1 of 4 runs, skipped the fisher section of a run that then took 4 s. With P₀ = 1 s that reading gives 1.6,
# while a long slow run keeps its ratio (MiniLM's 45 s of Lanczos priced at 17 s: 2.56 against 2.65).
RATIO_PRIOR_S = 1.0
# sections a budget may skip during the run, the one the recommendation uses least first
SKIP_ORDER = ("blocks", "preconditioning", "imbalance", "fisher", "noise")
_COUNTS = {name for _, name, _, _ in CUTTABLE}
StepKey = tuple[str, str]  # (section, what) of a `cost.Step`
H_LANCZOS = {("spectrum", "Lanczos top-k"), ("spectrum", "Lanczos bottom-k")}


def speed_ratio(measured: float, planned: float, prior: float = RATIO_PRIOR_S) -> float:
    """r = max(1, (measured + prior)/(planned + prior)): the run only ever assumes it is slower than planned,
    never faster, and a ratio measured on little planned work is pulled toward 1 (`RATIO_PRIOR_S`)."""
    return max(1.0, (measured + prior) / (planned + prior)) if planned > 0 else 1.0


@dataclass(frozen=True)
class Refit:
    """One re-fit: at which checkpoint, the seconds spent and left, the speed ratio r, the planned seconds
    of the steps left (at the plan's prices, after the cuts), and what it cut or skipped."""

    at: str
    spent_s: float
    left_s: float
    speed_ratio: float
    planned_s: float
    cuts: tuple[str, ...]
    skipped: tuple[str, ...]
    unmet: bool
    priced: dict[StepKey, float] = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "spent_s": self.spent_s, "left_s": self.left_s, "speed_ratio": self.speed_ratio,
                "planned_s": self.planned_s, "cuts": list(self.cuts), "skipped": list(self.skipped),
                "unmet": self.unmet}


class BudgetClock:
    """Under --budget: the seconds the (re-fitted) plan priced each step at, the steps made, the sections
    still to run and the seconds spent. `spent`: the seconds before the work (loading, the gradient, the
    timed products); `sections`: the chosen sections in the order they run."""

    def __init__(self, steps: list[Step], spent: float, sections: tuple[str, ...]) -> None:
        self.priced: dict[StepKey, float] = {(s.section, s.what): s.seconds for s in steps}
        self.origin = time.perf_counter() - spent
        self.work_origin = time.perf_counter()
        self.made: set[StepKey] = set()
        self.remaining = list(sections)

    def spent(self) -> float:
        return time.perf_counter() - self.origin

    def ratio(self) -> float:
        """r over the work so far: its seconds against the plan's prices of the steps made."""
        planned = sum(self.priced.get(key, 0.0) for key in self.made)
        return speed_ratio(time.perf_counter() - self.work_origin, planned)

    def step_made(self, section: str, what: str) -> None:
        self.made.add((section, what))

    def section_made(self, section: str) -> None:
        self.made.update(key for key in self.priced if key[0] == section)
        if section in self.remaining:
            self.remaining.remove(section)

    def skip(self, sections: tuple[str, ...]) -> None:
        self.remaining = [name for name in self.remaining if name not in sections]

    def replanned(self, record: Refit) -> None:
        self.priced.update(record.priced)


def what_is_left(settings: Settings, spent: float, ratio: float = 1.0) -> Settings:
    """The settings with the budget `plan_run` is to fit once `spent` seconds are gone, at `ratio` times
    the plan's prices: it fits BUDGET_MARGIN of the budget it is given, so it gets (BUDGET_MARGIN · budget
    − spent) / (ratio · BUDGET_MARGIN); without a budget, the settings as they are."""
    if settings.budget is None:
        return settings
    left = max(BUDGET_MARGIN * settings.budget - spent, 1e-3)
    return dataclasses.replace(settings, budget=left / ratio / BUDGET_MARGIN)


def fit_or_skip(units: UnitCosts, d: int, settings: Settings, plan: Plan, sections: tuple[str, ...],
                shape: ModelShape, exact: bool | None, done: frozenset[StepKey] = frozenset(),
                ) -> tuple[CostPlan, Settings, Plan, tuple[str, ...]]:
    """`budget.plan_run` on `sections`; while even its floors do not fit (an "unmet" cut), the next section
    of SKIP_ORDER is skipped and the plan is made again from the given counts (so that the sections kept
    get back what the skipped ones took, H's own Lanczos products first). One section always stays."""
    running, skipped = list(sections), []
    while True:
        fitted, new_settings, new_plan = plan_run(units, d, settings, plan, tuple(running), shape, exact=exact,
                                                  done=done)
        victim = next((name for name in SKIP_ORDER if name in running), None)
        if "unmet" not in fitted.cuts or victim is None or len(running) == 1:
            return fitted, new_settings, new_plan, tuple(skipped)
        running.remove(victim)
        skipped.append(victim)


def skip_cut(section: str, why: str) -> dict[str, Any]:
    """The `settings.cost.cuts` entry of a section the budget skipped."""
    return {"from": 1, "to": 0, "effect": f"the {section} section is not measured: {why}"}


def refit(cost: CostPlan, d: int, settings: Settings, plan: Plan, shape: ModelShape, clock: BudgetClock,
          at: str) -> tuple[Settings, Plan, Refit]:
    """Fit the steps left (of `clock.remaining`) into BUDGET_MARGIN · budget − the seconds spent, at
    `clock.ratio()` times the plan's prices; records the cuts (each from the count the first plan started
    from) and the skipped sections in `cost.cuts`, and the re-fit in `cost.refits`."""
    budget = settings.budget
    assert budget is not None
    # every rank of a data-parallel run re-fits with the slowest rank's figures (the same cuts everywhere)
    spent, ratio = distributed.agree_max([clock.spent(), clock.ratio()])
    left = BUDGET_MARGIN * budget - spent
    # `max_matvecs` caps the other matrices' runs explicitly from here on (a cut of H's own is H's alone)
    plan = dataclasses.replace(plan, curvature_max_matvecs=plan.curvature_matvecs(settings.max_matvecs))
    trial = what_is_left(settings, spent, ratio)
    fitted, new_settings, new_plan, skipped = fit_or_skip(cost.units, d, trial, plan, tuple(clock.remaining),
                                                          shape, cost.exact, frozenset(clock.made))
    unmet = fitted.cuts.pop("unmet", None) is not None
    if new_plan.trace_sketch is not None:  # the memory plan sized Hutch++'s sketch for the uncut probes
        new_plan = dataclasses.replace(new_plan, trace_sketch=min(new_plan.trace_sketch,
                                                                  max(1, new_settings.trace_matvecs // 6)))
    if H_LANCZOS <= clock.made:  # H's own runs are made: their cap stays what they ran with
        fitted.cuts.pop("max_matvecs", None)
        new_settings = dataclasses.replace(new_settings, max_matvecs=settings.max_matvecs)
    for name, cut in fitted.cuts.items():
        first = cost.cuts.get(name, cut)["from"]
        effect = cut_effect(name, first, cut["to"]) if name in _COUNTS else cut["effect"]
        cost.cuts[name] = {"from": first, "to": cut["to"], "effect": effect}
    for name in skipped:
        cost.cuts[f"section {name}"] = skip_cut(name, f"at {ratio:.2f}× the plan's prices (the speed measured so "
                                                      f"far) the steps left need more than the {max(left, 0.0):.0f} s "
                                                      "the budget leaves")
    record = Refit(at, round(spent, 1), round(left, 1), round(ratio, 3), round(fitted.seconds, 1),
                   tuple(fitted.cuts), tuple(skipped), unmet, {(s.section, s.what): s.seconds for s in fitted.steps})
    cost.refits.append(record)
    clock.skip(tuple(skipped))
    clock.replanned(record)
    return dataclasses.replace(new_settings, budget=budget), new_plan, record
