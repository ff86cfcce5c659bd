"""Measuring a run's unit costs on this model and these data, before the work (`cost.UnitCosts`).

`measure_units` times one gradient pass, the first Hessian product, a second one alone, a round of
ROUND products (twice where it is cheap: `_round_seconds`) and (when the noise or fisher section runs)
the same for GGN products, and a Gram–Schmidt pass per basis row; `measure_race` one mini-batch step
of the race and one full-data loss; `measure_dense` a symmetric eigensolve and a pass over a dense d×d
matrix; `per_sample_passes` prices a per-sample pass by the path it takes; `rounds_by_speed` decides,
under `--budget` only, whether rounds of products go one vector at a time. Every rank of a data-parallel
run plans with the slowest rank's figures (`_slowest`).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import torch

from ..load import Problem
from .cost import PER_SAMPLE_PASSES, UnitCosts
from .resident import peak_above

DENSE_TIMED_MAX = 1024  # rows of the matrix the dense units are timed on (`dense_unit_seconds`)
# How an eigensolve's time grows past DENSE_TIMED_MAX rows: as d^2.5, not d³, because LAPACK grows more
# efficient with size (measured on 2 CPU cores from 1,024 rows: 0.29 s at 2,410, 0.84 s at 3,310, growth
# 2.2–2.5; the cube over-priced them 1.8× and 1.7×: scripts/calibrate_dense_prices.py).
EIGENSOLVE_GROWTH = 2.5
ROUND = 8  # vectors in the timed round of products
WARM_ROUND_S = 0.5  # a first round faster than this is timed again (`_round_seconds`)
# Under --budget, a round measured slower per vector than this many single products: the run makes its
# products one vector at a time (all-MiniLM-L6-v2 on a CPU: 2.7 s per vector in a round of 8, 1.46 s alone).
ROUND_SLOWER = 1.25


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _round_seconds(operator, block: torch.Tensor) -> tuple[float, int]:
    """Seconds per vector of a round of products (`block`'s columns; one column: a single product), and the
    products spent. A width's first round also warms it up: in 10 runs (the built-in default 3 times, six
    MLPs, a CNN) it took 1.0–2.5× (median 1.3×) the per-vector time of the three rounds after it, which the
    plan then charged every product made in rounds; and a single product timed once read 5× high in 2 of
    30 timings (4.8–4.9 ms against 0.8–2.0 ms). Where it took under WARM_ROUND_S on the slowest rank, it is
    timed again and the faster kept; the ranks decide alike (under torchrun each product is a collective)."""
    n = block.shape[1]
    seconds = _timed(lambda: operator.matmat(block))
    if _slowest([seconds])[0] >= WARM_ROUND_S:
        return seconds / n, n
    return min(seconds, _timed(lambda: operator.matmat(block))) / n, 2 * n


def measure_units(problem: Problem, hessian_operator, curvature_operator=None,
                  gradient_seconds: float | None = None) -> UnitCosts:
    """Time the first Hessian product, one alone (twice where cheap: `_round_seconds`), a round of ROUND
    Hessian products and (given a curvature operator, after one warm-up product) one of its products and a
    round; the gradient pass is the run's own (`gradient_seconds`), else timed here. The products are
    spent; they count in no result."""
    from ..operators import loss_and_gradient

    gradient = gradient_seconds if gradient_seconds is not None else _timed(lambda: loss_and_gradient(problem))
    v = torch.zeros(problem.d, 1, dtype=problem.dtype, device=problem.device)
    first = _timed(lambda: hessian_operator.matmat(v))
    single, single_spent = _round_seconds(hessian_operator, v)
    block = torch.zeros(problem.d, ROUND, dtype=problem.dtype, device=problem.device)
    rise: list[int] = []
    with peak_above(problem.device, rise):
        hvp, hessian_spent = _round_seconds(hessian_operator, block)
    gram_schmidt = _gram_schmidt_row_seconds(problem)
    curvature = curvature_single = math.nan
    if curvature_operator is not None:
        curvature_operator.matmat(v)  # warm-up: first calls of torch.func's transforms
        curvature_single, alone_spent = _round_seconds(curvature_operator, v)
        curvature, curvature_spent = _round_seconds(curvature_operator, block)
        curvature_operator.matvecs -= 1 + alone_spent + curvature_spent
    graph = int(getattr(hessian_operator, "_graph_bytes", 0) or 0) * len(problem.batches)
    hessian_operator.matvecs -= 1 + single_spent + hessian_spent
    mode = getattr(hessian_operator, "mode", "?")
    # every rank of a data-parallel run plans with the slowest rank's times and the largest rank's memory
    # (the same plan, and so the same Lanczos capacity and probe blocks, on every rank)
    gradient, first, single, hvp, curvature, curvature_single, graph, product, earlier, gram_schmidt = _slowest(
        [gradient, first, single, hvp, curvature, curvature_single, float(graph), float(rise[0] // ROUND),
         float(rise[1]), gram_schmidt])
    return UnitCosts(gradient, hvp, max(0.0, first - single), curvature, int(graph) if mode != "fwd-rev" else 0,
                     mode, hvp_single=single, curvature_single=curvature_single, product_bytes=int(product),
                     earlier_peak_bytes=int(earlier), gram_schmidt_row=gram_schmidt)


def measure_race(units: UnitCosts, problem: Problem, batch_size: int, seeds: int, points: int) -> UnitCosts:
    """The race's units per run, a mini-batch step (min(`batch_size`, N) rows) and a full-data loss, and whether its
    rounds run batched (`experiments.race_units`: batched where measured to pay; every rank decides on the
    slowest rank's times). Before they were measured the race was priced as 2·steps gradient passes: 0.75 s
    for the built-in default's 2.0 s race (5,600 steps of 128 rows, 0.36 ms each: overhead-bound)."""
    from ..experiments.race_units import RaceUnits, unit_seconds

    measured = unit_seconds(problem, batch_size, seeds, points)
    race = RaceUnits(*_slowest([measured.step_batched, measured.step_alone, measured.loss_batched,
                                measured.loss_alone]))
    return dataclasses.replace(units, race_step=race.step, full_loss=race.loss, race_batched=race.batched)


def dense_unit_seconds(d: int, repeats: int = 2) -> tuple[float, float]:
    """Seconds of one symmetric eigensolve of a d×d float64 matrix (NumPy's `eigvalsh`, as the sections
    call it on the dense Hessian) and of one pass over it (a matrix–vector product), timed on a random
    symmetric matrix of m = min(d, DENSE_TIMED_MAX) rows (the faster of `repeats`) and scaled to d by
    (d/m)^EIGENSOLVE_GROWTH and (d/m)²."""
    m = min(d, DENSE_TIMED_MAX)
    matrix = np.random.default_rng(0).standard_normal((m, m))
    matrix += matrix.T
    vector = np.ones(m)
    eig = min(_timed(lambda: np.linalg.eigvalsh(matrix)) for _ in range(repeats))
    sweep = min(_timed(lambda: matrix @ vector) for _ in range(repeats))
    return eig * (d / m) ** EIGENSOLVE_GROWTH, sweep * (d / m) ** 2


def measure_dense(units: UnitCosts, d: int) -> UnitCosts:
    """The dense units at this d (`dense_unit_seconds`; the slowest rank's)."""
    eig, sweep = _slowest(list(dense_unit_seconds(d)))
    return dataclasses.replace(units, dense_eig=eig, dense_pass=sweep)


def per_sample_passes(problem: Problem, preference: str) -> float:
    """Gradient passes one per-sample pass costs: PER_SAMPLE_PASSES on BackPACK's path and where torch.func
    maps the model over rows; where the model cannot run one row at a time (tried on the first batch's
    leading rows), torch.func forms rows of the per-sample losses' Jacobian, one backward pass of the
    batch per row: the largest batch's rows (all-MiniLM-L6-v2 with fused attention: 45 s for 64 sentences
    against a 0.59 s gradient pass). Every rank plans with the largest figure."""
    from .. import distributed
    from ..operators.per_sample import FuncPerSample, why_not_backpack

    passes = PER_SAMPLE_PASSES
    if why_not_backpack(problem, preference) is not None:
        if not FuncPerSample(problem).rows_alone(problem.batches[0]):
            passes = float(max(PER_SAMPLE_PASSES, max(b.size for b in problem.batches)))
    return distributed.agree_max([passes])[0]


def rounds_by_speed(units: UnitCosts, budget: float | None) -> UnitCosts:
    """Whether rounds of products go one vector at a time: under `--budget`, where the measured round
    costs more than ROUND_SLOWER single products per vector (a large model on a CPU, whose batched double
    backward copies activations per vector), single products are faster. They are the same products up to
    rounding (a round's batched kernels round differently in the last bits), so without a budget rounds
    stay rounds: no report depends on timings (the choice flipped on a loaded machine and changed the
    last digit of a dense Hessian's eigenvalues)."""
    if budget is None:
        return units
    hessian = math.isfinite(units.hvp_single) and units.hvp > ROUND_SLOWER * units.hvp_single
    curvature = (math.isfinite(units.curvature) and math.isfinite(units.curvature_single)
                 and units.curvature > ROUND_SLOWER * units.curvature_single)
    return dataclasses.replace(units, hessian_alone=hessian, curvature_alone=curvature)


def _gram_schmidt_row_seconds(problem: Problem) -> float:
    """Seconds of one Gram–Schmidt pass per basis row: Q w and Qᵀ c on a basis of two rows in the
    products' dtype, halved (the faster of two tries)."""
    from ..linalg.basis import Basis

    basis = Basis(problem.d, problem.dtype, problem.device)
    basis.append(torch.zeros(2, problem.d, dtype=problem.dtype, device=problem.device))
    w = torch.zeros(problem.d, 1, dtype=torch.float64, device=problem.device)
    return min(_timed(lambda: basis.expand(basis.project(w))) for _ in range(2)) / 2


def _slowest(values: list[float]) -> list[float]:
    """The element-wise maximum over the ranks (NaN, a unit not measured, stays NaN on every rank)."""
    from .. import distributed

    agreed = distributed.agree_max([-1.0 if math.isnan(v) else v for v in values])
    return [math.nan if math.isnan(v) else a for v, a in zip(values, agreed)]
