"""One plan of every threshold a run uses: the "exact up to d" limits, probe counts, race limits.

Each limit is defined once, here (or as the default of the estimator it tunes, which the plan names),
and the report records the whole plan under `settings.plan`. The four "exact up to d" limits are
different decisions, each with its own cost:
- `dense_hessian_max_d` (`--exact-max-d`): the dense Hessian from d products gives the exact trace,
  density, λ̄, ρ_diag and the column bounds on L∞;
- `dense_curvature_max_d`: the noise and fisher sections form GGN, EF, Σ and F_mc densely (exact
  eigenpairs, traces, distances and damped solves; d products each, in vmapped blocks);
- `eigendecomposition_max_d`: with the dense Hessian, a full eigendecomposition (Prop. 6.5, exact L2);
- `linf_enumeration_max_d`: L∞ exactly, by enumerating 2^{d−1} sign vectors.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..estimators.geometry.linf import ENUMERATION_MAX_D
from ..estimators.geometry.rho_diag import LEVEL, RESAMPLES
from ..load import Settings


@dataclass(frozen=True)
class Plan:
    # "exact up to d"
    dense_hessian_max_d: int = 4096
    dense_curvature_max_d: int = 256
    eigendecomposition_max_d: int = 1024
    linf_enumeration_max_d: int = ENUMERATION_MAX_D
    # Lanczos blocks (issue 14). Two vectors per block are the fewest that tell an eigenvalue from a cluster
    # narrower than its residual (a single vector sees both as one Ritz value: gap bounds from single vectors
    # failed in 111 of 200 seeded clustered spectra, from blocks of 2 in 1 of 200), so gap bounds are used
    # from blocks of 2 only, which also show repeated eigenvalues up to two copies. Blocks cost products: the
    # default problem's top-5 took 16.4 products with single vectors, 18.4 with blocks of 2 (gap bounds
    # included), 21.0 with blocks of 3; the bench CNN's λ_max 18 and 7 against 24 and 10. So a block of 2
    # is used where a batched pass pays for that: on a CPU when the first batch's graph is at most
    # `lanczos_block_cpu_graph_bytes` (batched/single throughput 2.2× at 0.7 MB, 1.3× at 1.9 MB, 1.0× at
    # 5 MB: scripts/bench_batched_probes.py), and always on a GPU, where a block of up to
    # `lanczos_block_gpu` vectors costs about one product.
    lanczos_block_cpu_graph_bytes: int = 2 * 1024**2
    lanczos_block_gpu: int = 8
    # memory (issue 18; set by the memory plan, `work.memory`, from --memory): the most rows a Lanczos basis
    # holds before it thick-restarts (None: it grows to max_matvecs), the bytes of the SLQ bases run at once
    # (None: linalg.quadrature.BASIS_BYTES), Hutch++'s sketch size and the most probes per product call
    # (None: the trace's own defaults)
    lanczos_capacity: int | None = None
    slq_basis_bytes: int | None = None
    trace_sketch: int | None = None
    trace_block: int | None = None
    per_sample_rows: int | None = None  # rows of a batch whose per-sample gradients are formed at once (None: all)
    ascent_columns: int | None = None  # float64 columns per product call of the sign ascent (None: a whole round)
    # geometry (large d): columns for ρ_diag and the sign ascent through products
    sampled_columns: int = 512
    restarts_dense: int = 32
    restarts_operator: int = 6
    ascent_iterations_operator: int = 30
    ascent_products_operator: int = 300
    separable_steps: int = 15
    resamples: int = RESAMPLES
    level: float = LEVEL
    # fisher
    fisher_probes: int = 32
    # diag(GGN) and tr(GGN) exactly from C per-sample backward passes per batch (C outputs per sample) up to
    # this C: a GGN product costs a jvp and a vjp (≈ 2 passes), so C passes cost at most half of the
    # fisher_probes products that a Hutchinson trace would take (32 probes: 13.55 ± 0.32 for a true 13.71).
    ggn_exact_max_outputs: int = 32
    mc_samples: int = 1
    damping_factor: float = 1e-3  # λ = damping_factor · λ_max(F) unless --damping
    # CG stops at ‖r‖ ≤ rtol‖∇R‖: the solution is then within rtol·(λ_max + λ)/λ ≈ 1e-3 (float64) of
    # itself, so the cosine within ≈ 2e-3 — certified by the reported bound, and usually far better.
    cg_rtol: float = 1e-6
    cg_rtol_float32: float = 1e-4
    # preconditioning: exact (dense eigenvalues of P^{-1/2}HP^{-1/2}) up to this d, else Lanczos for λ_max
    # and stochastic Lanczos quadrature for λ̄ with these probes and steps on the scaled map
    precondition_exact_max_d: int = 1024
    precondition_probes: int = 4
    precondition_steps: int = 24
    precondition_tol: float = 1e-3  # Lanczos for λ_max(Ĥ): residual ≤ this·λ_max, at most the products below
    precondition_max_matvecs: int = 100
    # --budget's cap on the products of each Lanczos run and CG solve on a matrix other than H (Σ, GGN,
    # F_mc, EF, Ĥ), applied before H's own runs are capped (None: --max-matvecs)
    curvature_max_matvecs: int | None = None
    # above the dense limit the Jacobi diagonal is diag(GGN) exactly (up to `ggn_exact_max_outputs` outputs),
    # else diag(F_mc) with `mc_samples` labels per row (one pass per label set)
    # blocks: H_BB per parameter tensor; exact from the dense Hessian or from |B| columns when
    # |B| ≤ probes·steps, else `block_probes` Lanczos recurrences of `block_steps` steps per block
    block_steps: int = 20
    block_probes: int = 2
    # recommendation and race
    reference_batch: int = 128  # mini-batch size the sign-agreement and variance-adaptation evidence refer to,
    # and the race's batch size
    # The tuned race (experiments.race): per family `race_points` learning rates `race_spacing` decades apart
    # around hessdiag's measured step, extended up to `race_extend` points per side, `race_seeds` seeds each.
    race_steps_auto: int = 200
    race_seeds: int = 2
    race_points: int = 3
    race_spacing: float = 0.5
    race_extend: int = 3
    # Default on only while one run's steps·batch·d stays below this (a run of 200 steps of 128 rows costs
    # about 200·128/N full-data gradients; the spectrum alone spends hundreds of full-data products).
    race_auto_max_work: float = 1e11

    def ascent_starts(self, k: int) -> int:
        """Start vectors of the L∞ sign ascent on products: all-ones, the 2k Ritz vectors' signs, the
        gradient's sign and `restarts_operator` random ones (`sections.geometry`)."""
        return 2 * k + 2 + self.restarts_operator

    def curvature_matvecs(self, max_matvecs: int) -> int:
        """Products allowed to one Lanczos run or CG solve on Σ, GGN, F_mc, EF or Ĥ under --max-matvecs."""
        return max_matvecs if self.curvature_max_matvecs is None else min(max_matvecs, self.curvature_max_matvecs)

    def lanczos_block_size(self, k: int, device_type: str, graph_bytes: int | None) -> int:
        """Vectors per Lanczos block for k wanted eigenvalues (see `lanczos_block_cpu_graph_bytes`);
        `graph_bytes`: the first batch's gradient graph, None when unknown (no block on a CPU)."""
        if device_type == "cuda":
            return max(2, min(k, self.lanczos_block_gpu))
        return 2 if graph_bytes is not None and graph_bytes <= self.lanczos_block_cpu_graph_bytes else 1

    @classmethod
    def for_settings(cls, settings: Settings) -> "Plan":
        return cls(dense_hessian_max_d=settings.exact_max_d)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
