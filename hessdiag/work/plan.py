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
    # above the dense limit the Jacobi diagonal is diag(GGN) exactly (one reverse pass per output and row)
    # up to this many outputs, else diag(F_mc) with `mc_samples` labels per row (one pass per label set)
    jacobi_exact_max_outputs: int = 16
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

    @classmethod
    def for_settings(cls, settings: Settings) -> "Plan":
        return cls(dense_hessian_max_d=settings.exact_max_d)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
