"""Shared work of one diagnosis, split into what it is.

- `log.RunLog`: warnings, timings, the settings the run chose, progress;
- `plan.Plan`: every threshold (the "exact up to d" limits, probe counts, race limits);
- `hessian.HessianWork`: the Hessian's operator, extreme eigenpairs, dense matrix, spectrum, trace;
- `curvature.CurvatureFamily`: the other curvature matrices and the per-sample gradient pass;
- `cost` and `budget`: the time-cost plan measured before the work, the exact paths chosen by cost,
  and `--budget`'s cuts (`plan_cost`); `memory`: the memory plan within `--memory` beside it.
`Work` bundles them with the problem, the settings and the gradient ∇R for the report's sections,
which read what they need from it and never write into each other's results.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch

from ..load import Problem, Settings
from ..operators import LossAndGradient, loss_and_gradient
from ..operators.ggn_diagonal import output_count
from ..operators.registry import GGN
from ..rng import generator, numpy_generator
from .cost import CostPlan, peak_memory_bytes
from .curvature import CurvatureFamily
from .hessian import HessianWork
from .log import ProgressFactory, RunLog, Timer
from .memory import plan_memory
from .plan import Plan
from .refit import BudgetClock, Refit, fit_or_skip, refit, skip_cut, what_is_left
from .steps import ModelShape, expected_steps, price, race_steps
from .units import measure_dense, measure_race, measure_units, per_sample_passes, rounds_by_speed

__all__ = ["CostPlan", "CurvatureFamily", "HessianWork", "Plan", "ProgressFactory", "Refit", "RunLog",
           "Timer", "Work", "peak_memory_bytes"]


@dataclass
class Work:
    problem: Problem
    settings: Settings
    plan: Plan
    log: RunLog = field(default_factory=RunLog)
    warm_start: dict[str, torch.Tensor] | None = None  # earlier Ritz vectors for the Hessian's Lanczos runs

    def __post_init__(self) -> None:
        self.hessian = HessianWork(self.problem, self.settings, self.plan, self.log, self.warm_start)
        self.shape = ModelShape()  # the model's blocks and outputs, as the cost plan measured them
        self.cost: CostPlan | None = None
        self.clock: BudgetClock | None = None  # under --budget, from the first section on (`start_budget`)
        self.skipped: list[str] = []  # sections a re-fit skipped

    @cached_property
    def loss_and_gradient(self) -> LossAndGradient:
        """R(θ) and ∇R(θ) over the selection (one pass; SPEC §1)."""
        with self.log.timer("gradient"):
            return loss_and_gradient(self.problem)

    @property
    def gradient(self) -> torch.Tensor:
        return self.loss_and_gradient.gradient

    @cached_property
    def curvature(self) -> CurvatureFamily:
        return CurvatureFamily(self.problem, self.settings, self.plan, self.log, self.hessian, self.gradient)

    def replan(self, settings: Settings, plan: Plan) -> None:
        """Run with these settings and plan from now on (the cost plan's choices and cuts)."""
        self.settings, self.plan = settings, plan
        self.hessian.settings, self.hessian.plan = settings, plan
        if "curvature" in self.__dict__:
            self.curvature.settings, self.curvature.plan = settings, plan

    def plan_cost(self, only: tuple[str, ...]) -> CostPlan:
        """Measure the unit costs, price the chosen sections, choose the exact paths, apply --budget."""
        curvature = self.curvature.operator(GGN.name) if {"noise", "fisher"} & set(only) else None
        started = time.perf_counter()
        units = rounds_by_speed(measure_units(self.problem, self.hessian.operator, curvature,
                                              self.log.timings.get("gradient")), self.settings.budget)
        if {"noise", "fisher", "preconditioning"} & set(only):
            units = dataclasses.replace(units, per_sample_passes=per_sample_passes(self.problem,
                                                                                   self.settings.per_sample))
        if race_steps(self.settings, self.plan, self.problem.d) > 0:
            units = measure_race(units, self.problem, self.plan.reference_batch, self.plan.race_seeds,
                                 self.plan.race_points)
        if self.problem.d <= self.plan.dense_hessian_max_d:
            units = measure_dense(units, self.problem.d)
        self.hessian.operator.vectors_per_call = 1 if units.hessian_alone else None
        if curvature is not None:
            self.curvature.products_one_at_a_time(units.curvature_alone)
        problem = self.problem
        shape = ModelShape(tuple(b.numel for b in problem.layout.blocks),
                           output_count(problem) if {"preconditioning", "imbalance"} & set(only) else 1)
        self.shape = shape
        measuring = time.perf_counter() - started
        spent = self.log.timings.get("load", 0.0) + self.log.timings.get("gradient", 0.0) + measuring
        cost, settings, plan, skipped = fit_or_skip(units, problem.d, what_is_left(self.settings, spent), self.plan,
                                                    only, shape, None)
        settings = dataclasses.replace(settings, budget=self.settings.budget)
        cost.budget, cost.measure_seconds, cost.spent_before = self.settings.budget, measuring, spent
        if skipped:
            self._skip(cost, skipped, f"the floors of the chosen sections need more than the {settings.budget:g} s "
                                      f"budget leaves after the {spent:.0f} s before the work")
        only = tuple(name for name in only if name not in skipped)
        block = plan.lanczos_block_size(settings.top_k, problem.device.type, self.hessian.operator.graph_bytes)
        cost.memory, settings, plan = plan_memory(units, problem.d, problem.device, problem.dtype, settings, plan, only,
                                                  cost.exact, block, max(b.size for b in problem.batches))
        # what the memory plan changed: fewer SLQ steps, and probes one at a time (priced as single products,
        # here and in every re-fit: `expected_steps` reads them from the plan)
        cost.steps = price(expected_steps(problem.d, settings, plan, only, cost.exact, shape), units)
        self.replan(settings, plan)
        self.cost = cost
        return cost

    def start_budget(self, spent: float, sections: tuple[str, ...]) -> None:
        """Under --budget, before the first section: from here on the run re-fits itself at checkpoints
        (`refit`); `spent`: the seconds before the work (loading, the gradient, the timed products)."""
        if self.settings.budget is not None and self.cost is not None:
            self.clock = BudgetClock(self.cost.steps, spent, tuple(s for s in sections if s not in self.skipped))

    def checkpoint(self, at: str) -> None:
        """Under --budget, once some work is made: fit the steps left to what the budget leaves, at the
        speed measured so far (`refit`); the sections it skips are warned and listed in `skipped`."""
        if self.clock is None or self.cost is None:
            return
        self.clock.made.update(self.hessian.made_steps())  # shared work, whichever section made it
        if not self.clock.made:
            return
        settings, plan, record = refit(self.cost, self.problem.d, self.settings, self.plan, self.shape, self.clock,
                                       at)
        self.replan(settings, plan)
        for name in record.skipped:
            self.log.warn(f"{name}: not measured: --budget {settings.budget:g} s leaves {record.left_s:.0f} s, and "
                          f"the steps left need more at {record.speed_ratio:.2f}× the plan's prices "
                          "(settings.cost.refits)")
        self.skipped += record.skipped

    def _skip(self, cost: CostPlan, sections: tuple[str, ...], why: str) -> None:
        """Sections the first plan skips (`refit.fit_or_skip`): each cut, warned and listed in `skipped`."""
        for name in sections:
            cost.cuts[f"section {name}"] = skip_cut(name, why)
            self.log.warn(f"{name}: not measured: {why} (settings.cost.cuts)")
        self.skipped += sections

    def step_made(self, section: str, what: str) -> None:
        """A checkpoint between the long steps of a section (a cost-plan step: section, what)."""
        if self.clock is not None:
            self.clock.step_made(section, what)
            self.checkpoint(f"{section}, after {what}")

    def section_made(self, section: str) -> None:
        if self.clock is not None:
            self.clock.section_made(section)

    def generator(self, stream: str) -> torch.Generator:
        return generator(self.settings.seed, stream)

    def numpy_generator(self, stream: str) -> np.random.Generator:
        return numpy_generator(self.settings.seed, stream)
