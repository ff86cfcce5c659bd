"""One streaming pass of per-sample gradients → the sums every noise statistic needs (SPEC §5).

With weights w_n = 1/N for the N real rows (0 for padding rows), each batch contributes
    Σ_n w_n g_n  and  Σ_n w_n g_n²  per coordinate (the mean ∇R and the second moment), and
    Σ_n w_n u_n u_nᵀ  (4×4) for the per-sample features u_n = (1, ℓ_n, ‖g_n‖², g_nᵀ∇R),
from the path's `batch_sums` (BackPACK forms them without per-sample gradients of linear layers).
The variance per coordinate is Σ w g² − (Σ w g)² (1/N, population on the selection); its rounding
error relative to itself is about ε·(1 + 1/η_i²) (ε the dtype's unit roundoff), negligible for
the noisy coordinates of a single sample. The feature moments give the delta-method variances of
tr Σ̂, ‖ḡ‖² and R̂ (`noise_scalars`); the per-row ‖g_n‖² and g_nᵀ∇R cost an extra extension and a
forward-mode pass on the BackPACK path and are only needed for intervals on a subset
(`projections=True`); without them the loss moments are still exact.
Memory: two d-vectors and one batch at a time whatever N is; the sum goes through
`operators.reduction.accumulate` (one reduction point).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ...load.problem import Batch
from ...operators.per_sample import BatchSums, PerSampleGradients, PerSamplePath

N_FEATURES = 4  # (1, ℓ_n, ‖g_n‖², g_nᵀ∇R)


@dataclass
class GradientMoments:
    """Sums over the selection of per-sample gradient statistics (1/N weights), float64.

    `mean` = Σ w g = ∇R; `second` = Σ w g²; `variance` = second − mean² per coordinate;
    `features` = Σ w u uᵀ with u = (1, ℓ, ‖g‖², gᵀ∇R) (the last two rows/columns NaN without
    projections: they only serve intervals on a subset).
    """

    mean: Tensor
    second: Tensor
    features: Tensor
    n_samples: int
    reference_gradient: Tensor
    has_projections: bool

    @property
    def variance(self) -> Tensor:
        return (self.second - self.mean**2).clamp_min(0.0)

    @property
    def grad_norm_sq(self) -> float:
        return float(self.mean @ self.mean)

    @property
    def trace_sigma(self) -> float:
        """tr Σ = Σ_i Var_n[g_ni] with the 1/N convention on the selection."""
        return float(self.variance.sum())

    @property
    def trace_ef(self) -> float:
        """tr EF = (1/N) Σ_n ‖g_n‖² = tr Σ + ‖∇R‖² (Eq. 7.22)."""
        return float(self.second.sum())

    @property
    def loss(self) -> float:
        return float(self.features[0, 1])

    @property
    def mean_gap(self) -> float:
        """‖Σ w g − ∇R‖ / ‖∇R‖: the per-sample pass against the context's gradient (rounding only)."""
        ref = self.reference_gradient.to(self.mean)
        gap, scale = float((self.mean - ref).norm()), float(ref.norm())
        return gap / scale if scale > 0 else gap


def _common_weight(batch: Batch) -> float:
    real = batch.w[batch.w > 0]
    if real.numel() and not torch.all(real == real[0]):
        raise ValueError("the noise statistics assume equal weights 1/N for all real rows")
    return float(real[0]) if real.numel() else 0.0


def _batch_vector(batch: Batch, sums: BatchSums) -> Tensor:
    w = _common_weight(batch)
    mask = (batch.w > 0).to(torch.float64)
    missing = torch.full_like(mask, torch.nan)
    norms = missing if sums.norms_sq is None else sums.norms_sq.to(torch.float64)
    projections = missing if sums.projections is None else sums.projections.to(torch.float64)
    u = torch.stack([mask, sums.losses.to(torch.float64), norms, projections], dim=1)
    features = (u * (w * mask)[:, None]).T @ u
    vectors = torch.cat([torch.cat(sums.total), torch.cat(sums.squares)]).to(torch.float64) * w
    return torch.cat([vectors, features.reshape(-1)])


def gradient_moments(per_sample: PerSampleGradients, mean_gradient: Tensor, *,
                     projections: bool = True) -> GradientMoments:
    """Stream the per-sample statistics once over all batches and return their `GradientMoments`."""
    problem = per_sample.problem
    layout = problem.layout
    g = mean_gradient.to(device=problem.device, dtype=problem.dtype)
    direction = tuple(g[b.offset : b.offset + b.numel] for b in layout.blocks) if projections else None

    def per_batch(_: int, batch: Batch, path: PerSamplePath) -> Tensor:
        return _batch_vector(batch, path.batch_sums(batch, direction))

    total = per_sample.accumulate(per_batch)
    d = layout.d
    return GradientMoments(
        mean=total[:d], second=total[d : 2 * d], features=total[2 * d :].reshape(N_FEATURES, N_FEATURES),
        n_samples=problem.n_samples, reference_gradient=mean_gradient, has_projections=projections,
    )
