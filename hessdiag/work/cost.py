"""The time-cost plan of a run: what it will compute, what that costs here, and what a budget cuts.

Before the work, `units.measure_units` times what every section is made of, on this model and these data:
one gradient pass (∇R over the selection), one round of Hessian–vector products (the per-vector cost
in a batched round, and the one-time cost of the first product: retained graphs or linearisation),
and, when the noise or fisher section runs, one round of GGN products (the price of the EF, F_mc and Σ
products too: a `jvp` and a `vjp` of the same forward pass), and when the race runs, its units per run
(a lone and a batched mini-batch step, a full-data loss) and whether its rounds batch
(`units.measure_race`). `expected_steps` counts the products and
passes each chosen section makes under the run's settings and plan (a Lanczos run is counted at
`expected_lanczos` products on H or Ĥ, `expected_curvature_lanczos` on Σ, GGN, F_mc and EF, the trace
and the density at their budgets, the per-sample pass at `PER_SAMPLE_PASSES` gradient passes; a Lanczos
run also reads its basis once per step to re-orthogonalise, `swept_rows` rows at the measured seconds per
row), and the plan is their sum in
seconds, with the peak memory of the retained graphs and the Lanczos bases.

The exact paths are chosen by cost, not by d alone, under `--budget`: the dense Hessian (d products;
exact trace, density, λ̄, ρ_diag and column bounds on L∞) is built when d ≤ `--exact-max-d` and its
products fit in half the budget. Without a budget the choice stays d ≤ `--exact-max-d`, so that no
report depends on the machine's speed or load; when the dense Hessian is predicted to take more than
`EXACT_AFFORDABLE_S` and more than the stochastic estimates it replaces, the plan and a warning say
so (`exact_reason`, not a warning: the warnings too must not depend on timings) and name
`--budget`. `fit_to_budget` then scales the products that only tighten error bars (trace probes, SLQ
probes, sampled columns, sign-ascent products, fisher probes, race steps) down to what the budget
leaves, keeping floors, and records every cut with its effect on the error bars (a standard error
grows as 1/√(probes): ×√(before/after)). The plan is printed before the work (not with --quiet) and
recorded in the report under `settings.cost`, with the measured wall time and peak memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

from .resident import max_resident_bytes

# Without --budget, a dense Hessian predicted to take longer than this (and longer than the estimates it
# replaces) is still built (d ≤ --exact-max-d: reports never depend on timings); the plan says so.
EXACT_AFFORDABLE_S = 300.0
# one per-sample pass ≈ this many gradient passes (BackPACK ≈ 1.5–2, torch.func's vmap 2–4); where the model
# cannot run one row at a time, torch.func's Jacobian costs a backward pass per row (`per_sample_passes`)
PER_SAMPLE_PASSES = 3.0
# products of each damped CG solve (F and EF), typical at rtol 1e-6: medians 54 per solve, F's 57–81 and EF's
# 11–67 over 14 checkpoints (`scripts/calibrate_lanczos_counts.py`)
CG_PRODUCTS = 60
BUDGET_MARGIN = 0.85  # plan to this share of --budget (loading, rendering and estimation error need the rest)


def swept_rows(steps: int) -> float:
    """Basis rows read by the re-orthogonalisation of a Lanczos run of `steps` steps: step i sweeps the
    i rows before it, once (the second Gram–Schmidt pass is rare: `linalg.basis`)."""
    return steps * (steps - 1) / 2


# products of a Lanczos run for the k extreme eigenvalues of H (or Ĥ): a·k + b, the top-k runs' and the
# bottom-k runs' (`expected_lanczos`)
LANCZOS_COUNTS = {"largest": (5, 10), "smallest": (10, 50)}


def expected_lanczos(top_k: int, max_matvecs: int, which: str = "largest") -> int:
    """Products a Lanczos run for the k largest (or smallest) eigenvalues of H (or Ĥ) typically makes before
    every bound < tol, capped by its budget: 5k + 10 for the top, 10k + 50 for the bottom (LANCZOS_COUNTS).
    Over 14 checkpoints of 7 networks (`scripts/calibrate_lanczos_counts.py`) the top-k runs took medians
    10, 24, 45 products for k = 1, 5, 10 (75th percentiles 16, 32, 61) and the bottom-k runs 42, 84, 104
    (72, 113, 144): the bottom is crowded near 0 and converges later. The bottom's count is the larger, and
    the one a Lanczos basis is sized by. λ_max of Ĥ (k = 1, both diagonals, tol 1e-3) took a median of 9
    (75th percentile 13, at most 22) against the 15 priced."""
    a, b = LANCZOS_COUNTS[which]
    return min(max_matvecs, a * top_k + b)


def expected_curvature_lanczos(top_k: int, max_matvecs: int) -> int:
    """Products a top-k Lanczos run on a positive semi-definite curvature matrix (Σ, GGN, F_mc, EF)
    typically makes, capped by its budget: ⌊3k/2⌋ + 10, the 75th percentile of 42 runs per k (GGN, F_mc
    and EF on 14 checkpoints: medians 8, 15, 22 and 75th percentiles 10, 16, 25 for k = 1, 5, 10; at most
    32; `scripts/calibrate_lanczos_counts.py`). Their spectra fall off fast, unlike H's bottom."""
    return min(max_matvecs, (3 * top_k) // 2 + 10)


@dataclass(frozen=True)
class UnitCosts:
    """Seconds of one gradient pass; of one Hessian product per vector in a batched round (`hvp`: trace,
    density, columns) and alone (`hvp_single`: a Lanczos step); the one-time cost of the first Hessian
    product; of one GGN product per vector (in a round); and the bytes of the retained graphs."""

    gradient: float
    hvp: float
    hvp_setup: float
    curvature: float
    graph_bytes: int
    hvp_mode: str
    hvp_single: float = math.nan
    curvature_single: float = math.nan
    product_bytes: int = 0  # memory a product takes above the resident set, per vector of a round (measured)
    gram_schmidt_row: float = 0.0  # one Gram–Schmidt pass against one basis row: Q w and Qᵀ c (measured)
    earlier_peak_bytes: int = 0  # the process's peak before that measurement (it resets the high-water mark)
    hessian_alone: bool = False  # rounds of Hessian products are made one vector at a time (`rounds_by_speed`)
    curvature_alone: bool = False  # the same for GGN, EF, F_mc and Σ products
    per_sample_passes: float = PER_SAMPLE_PASSES  # gradient passes one per-sample pass costs (`per_sample_passes`)
    race_step: float = math.nan  # a mini-batch step of the race, per run (`measure_race`; NaN: not measured)
    full_loss: float = math.nan  # one full-data loss R(θ) without gradient, the race's checkpoints (the same)
    race_batched: bool = False  # the race runs each round as one batched group (measured to pay: `measure_race`)
    dense_eig: float = math.nan  # one symmetric eigensolve of a d×d matrix (`units.measure_dense`; NaN: not measured)
    dense_pass: float = math.nan  # one pass over a d×d matrix, a matrix–vector product (the same)

    @property
    def single(self) -> float:
        return self.hvp_single if math.isfinite(self.hvp_single) else self.hvp

    @property
    def hvp_in_round(self) -> float:
        """Seconds per Hessian product in a round, as the run makes it."""
        return self.single if self.hessian_alone else self.hvp

    @property
    def curvature_in_round(self) -> float:
        """Seconds per curvature product in a round, as the run makes it."""
        if self.curvature_alone:
            return self.curvature_single
        return self.curvature if math.isfinite(self.curvature) else 2 * self.hvp_in_round

    @property
    def curvature_one(self) -> float:
        """Seconds of one curvature product alone (a Lanczos step or a CG iteration)."""
        if math.isfinite(self.curvature_single):
            return self.curvature_single
        return self.curvature if math.isfinite(self.curvature) else 2 * self.single

    def as_dict(self) -> dict[str, Any]:
        return {"gradient_pass_s": self.gradient, "hessian_product_s": self.hvp,
                "hessian_product_single_s": self.hvp_single, "hessian_setup_s": self.hvp_setup,
                "curvature_product_s": self.curvature, "curvature_product_single_s": self.curvature_single,
                "retained_graph_bytes": self.graph_bytes, "product_bytes": self.product_bytes,
                "gram_schmidt_row_s": self.gram_schmidt_row, "hvp_mode": self.hvp_mode,
                "hessian_products_alone": self.hessian_alone, "curvature_products_alone": self.curvature_alone,
                "per_sample_pass_gradients": self.per_sample_passes, "race_step_s": self.race_step,
                "race_runs_batched": self.race_batched,
                "full_data_loss_s": self.full_loss, "dense_eigensolve_s": self.dense_eig,
                "dense_pass_s": self.dense_pass}


@dataclass
class Step:
    section: str
    what: str
    count: float  # products (kind H or F) or passes (kind grad, ps)
    # "H" Hessian products, "F" GGN/EF/F_mc/Σ products, "grad" gradient passes, "ps" per-sample passes, "step"
    # the race's mini-batch optimiser steps, "loss" full-data losses without gradient, "eig" symmetric
    # eigensolves and "pass" passes over the dense d×d Hessian (counts may be fractions)
    kind: str
    alone: bool = False  # one vector per product call (a Lanczos step, a CG iteration), not a round of them
    seconds: float = 0.0
    rows: float = 0.0  # basis rows its Gram–Schmidt passes read (Lanczos with full re-orthogonalisation)


@dataclass
class CostPlan:
    """The plan of a run: its steps, their expected seconds, memory, the exact-path choice and any cuts."""

    units: UnitCosts
    steps: list[Step]
    memory_bytes: int
    exact: bool
    exact_reason: str
    budget: float | None = None
    cuts: dict[str, dict[str, Any]] = field(default_factory=dict)
    measure_seconds: float = 0.0  # timing the unit costs
    spent_before: float = 0.0  # seconds gone before the work: loading, the gradient, timing the units
    measured: dict[str, Any] = field(default_factory=dict)
    memory: Any = None  # the memory plan (`memory.MemoryPlan`), beside the time plan
    refits: list[Any] = field(default_factory=list)  # `refit.Refit`s: --budget re-fitted between sections

    def expected_memory(self) -> int:
        return self.memory.peak if self.memory is not None else self.memory_bytes

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def by_section(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for s in self.steps:
            out[s.section] = out.get(s.section, 0.0) + s.seconds
        return out

    def gradient_equivalents(self) -> float:
        return self.seconds / self.units.gradient if self.units.gradient > 0 else math.nan

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected_seconds": self.seconds, "gradient_pass_equivalents": self.gradient_equivalents(),
            "by_section": self.by_section(),
            "steps": [{"section": s.section, "what": s.what, "count": s.count, "kind": s.kind, "seconds": s.seconds}
                      for s in self.steps],
            "units": self.units.as_dict(), "expected_memory_bytes": self.expected_memory(), "exact": self.exact,
            "exact_reason": self.exact_reason, "budget": self.budget, "cuts": self.cuts,
            "measure_seconds": self.measure_seconds, "spent_before_work_seconds": self.spent_before,
            "measured": self.measured,
            "memory": None if self.memory is None else self.memory.as_dict(),
            "refits": [r.as_dict() for r in self.refits],
        }

    def lines(self) -> list[str]:
        """The plan as the command line prints it before the work."""
        u = self.units
        head = (f"cost plan: one gradient pass {u.gradient:.3g} s, one Hessian product {u.single:.3g} s alone, "
                f"{u.hvp:.3g} s in a round ({u.hvp_mode}; the first {u.hvp_setup:.3g} s more), one GGN product "
                f"{u.curvature_single:.3g} s alone, {u.curvature:.3g} s in a round")
        slower = [name for name, alone in (("Hessian", u.hessian_alone), ("GGN", u.curvature_alone)) if alone]
        if slower:
            head += f"; {' and '.join(slower)} products go one vector at a time (faster here than in rounds)"
        rows = [head]
        for section, seconds in self.by_section().items():
            parts = [f"{s.what} {s.count:g}" for s in self.steps if s.section == section]
            rows.append(f"  {section:<15} ~{seconds:8.1f} s  ({', '.join(parts)})")
        budget = (f" of a {self.budget:g} s budget ({self.spent_before:.1f} s spent before the work)"
                  if self.budget else "")
        rows.append(f"  expected {self.seconds:.1f} s{budget} (≈ {self.gradient_equivalents():.0f} gradient passes), "
                    f"peak memory ≈ {self.expected_memory() / 2**20:.0f} MiB; "
                    f"exact paths: {'yes' if self.exact else 'no'} ({self.exact_reason})")
        for name, cut in self.cuts.items():
            rows.append(f"  budget cut {name}: {cut['from']} → {cut['to']} ({cut['effect']})")
        return rows + ([] if self.memory is None else self.memory.lines())


def peak_memory_bytes(device: torch.device, earlier: int = 0) -> int:
    """Peak resident memory of this process (and peak CUDA allocation on a GPU); `earlier`: a peak seen
    before the high-water mark was reset (`resident.peak_above`)."""
    rss = max(max_resident_bytes(), earlier)
    if device.type == "cuda":
        rss += torch.cuda.max_memory_allocated(device)
    return int(rss)
