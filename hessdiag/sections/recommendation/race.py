"""The tuned race of the recommendation stage: when it runs, how its grids are centred, what it reports.

Each family's learning-rate grid is centred on the step hessdiag measured for it (SPEC §7):
- sgdm: (1 − β)/λ_max(H) with β = 0.9 its momentum: heavy-ball momentum multiplies the step by
  1/(1 − β), so this is the GD step 1/λ_max (stable with a margin of 2 on the local quadratic);
- adam: 1/(√B·λ_max(P^{-1/2} H P^{-1/2})) with P = √diag(EF) + ε: the same step for the preconditioned
  problem (Adam's lr plays the role of GD's step in the coordinates P^{1/2}θ), with Adam's second
  moment at batch B, v ≈ ∇R² + diag(Σ)/B ≈ diag(EF)/B where the noise dominates (so P_B ≈ P/√B); without the
  preconditioning section, the norm-scaled sign step ‖∇R‖₁/L∞ (its per-coordinate size, Eq. 6.10);
- a fixed 1e-3 (Adam's default) only when neither is measured.
The grids are extended where their best lies at an edge (`experiments.race.tuned_race`).
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ... import distributed
from ...experiments.race import RaceResult, expected_runs, label, race_checkpoints, tuned_race
from ...load.batch import input_tensors
from ...load.problem import Problem
from ...operators.gradient import loss_and_gradient
from ...recommend import Measurements
from ...work import Plan, Work
from ...work.steps import race_steps as planned_race_steps
from ...work.steps import race_work

ADAM_DEFAULT_LR = 1e-3
MOMENTUM = 0.9  # sgdm's, as in experiments.race


def race_steps(work: Work) -> int:
    """The race's steps as the cost plan counted them (`work.steps.race_steps`); the automatic race skipped
    for its size is warned about."""
    settings, plan, d = work.settings, work.plan, work.problem.d
    steps = planned_race_steps(settings, plan, d)
    if steps == 0 and settings.race_steps is None and settings.only is None:
        work.log.warn(f"race skipped: its {plan.race_steps_auto} steps of batch {plan.reference_batch} on "
                      f"d = {d:,} parameters are large (steps·batch·d = {race_work(plan, d):.3g} per run); "
                      "ask for it with --race-steps")
    return steps


def centres(m: Measurements, grad_l1: float | None, batch: int) -> tuple[dict[str, float], list[str]]:
    """Grid centres per family and a note on where each came from."""
    notes = []
    if m.lambda_max is not None and m.lambda_max.value and m.lambda_max.value > 0:
        sgdm = (1 - MOMENTUM) / m.lambda_max.value
        notes.append("sgdm grid centred on (1 − β)/λ_max(H), β = 0.9")
    elif m.L2 is not None and m.L2.value:
        sgdm = (1 - MOMENTUM) / m.L2.value
        notes.append("sgdm grid centred on (1 − β)/L2, β = 0.9")
    else:
        sgdm = 1e-2
        notes.append("sgdm grid centred on 1e-2 (no curvature measured)")
    if m.adam_lambda_max:
        adam = 1.0 / (math.sqrt(batch) * m.adam_lambda_max)
        notes.append(f"adam grid centred on 1/(√B·λ_max(P^{{-1/2}}HP^{{-1/2}})), P = √diag(EF)+ε, B = {batch}")
    elif grad_l1 and m.Linf is not None and m.Linf.hi and m.d:
        adam = grad_l1 / m.Linf.hi / m.d
        notes.append("adam grid centred on the per-coordinate norm-scaled sign step ‖∇R‖₁/(d·L∞)")
    else:
        adam = ADAM_DEFAULT_LR
        notes.append(f"adam grid centred on {ADAM_DEFAULT_LR:g} (no preconditioned curvature measured)")
    return {"sgdm": sgdm, "adam": adam}, notes


def race_for(problem: Problem, m: Measurements, steps: int, plan: Plan, seed: int,
             progress: Callable[[], None] | None = None, batched: bool = True) -> RaceResult:
    """The race exactly as a run makes it (the benchmark's race study calls this too; `batched` False: its
    runs one at a time, as `scripts/bench_race.py` compares)."""
    grad_l1 = float(loss_and_gradient(problem).gradient.abs().sum()) if m.adam_lambda_max is None else None
    where, notes = centres(m, grad_l1, plan.reference_batch)
    marks = race_checkpoints(steps)
    result = tuned_race(problem, steps, where, batch_size=plan.reference_batch, seeds=plan.race_seeds,
                        points=plan.race_points, spacing=plan.race_spacing, extend=plan.race_extend,
                        checkpoints=marks, seed=seed, progress=progress, batched=batched)
    result.notes.extend(notes)
    return result


def _uniform_rows(problem) -> bool:
    """Whether every batch's inputs share their shapes past the sample dimension (the race pools all rows),
    over every rank's batches: the ranks decide alike (one that raced alone waited for the others forever
    in the gathering of the rows: a DataLoader padding each batch to its own length under torchrun)."""
    shapes = {tuple((name, tuple(t.shape[1:])) for name, t in input_tensors(b.x)) for b in problem.iter_batches()}
    return len(set().union(*distributed.all_gather_object(shapes))) <= 1


def run_race(work: Work, m: Measurements) -> RaceResult | None:
    steps = race_steps(work)
    if steps == 0:
        return None
    if not _uniform_rows(work.problem):
        work.log.warn("race: not run, the data's batches have different shapes (a DataLoader padding each batch "
                      "to its own length) and the race draws its own mini-batches from all rows")
        return None
    plan = work.plan
    runs = expected_runs(plan.race_seeds, plan.race_points)
    update = work.log.tick("race: SGD+momentum vs Adam", runs)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if update is not None:
            update(min(done, runs), runs)

    with work.log.timer("race"):
        batched = work.cost is None or work.cost.units.race_batched  # as measured to pay (`measure_race`)
        result = race_for(work.problem, m, steps, plan, work.settings.seed, advance, batched)
    for name, fam in result.families.items():
        if fam.edge:
            work.log.warn(f"race: {name}'s best learning rate is at the {fam.edge} end of its extended grid; "
                          "its tuned loss may be better than the race found")
    check = result.rounding
    if check is not None and not check.settled:
        before, after = check.ratios()
        work.log.warn(f"race: chaotic at the best learning rates: seed 0's ratio {before:.3g} ({label(before)}) became "
                      f"{after:.3g} ({label(after)}) from θ perturbed by {check.perturbation:.1g} relatively (rounding "
                      "level): the race does not settle the winner")
    return result


def race_json(result: RaceResult | None, call: str) -> dict[str, Any] | None:
    if result is None:
        return None
    doc = result.as_dict()
    winner = doc["winner"]
    doc["agrees"] = None if call == "inconclusive" or winner == "tie" else winner == call
    return doc
