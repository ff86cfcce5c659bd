"""One streaming pass of per-sample gradients → the sums every noise statistic needs (SPEC §5).

The samples of the noise statistics are the N rows of the selection (sequences, for the token
losses), drawn uniformly by a mini-batch. With the objective R = Σ_n w_n ℓ_n (every real row weighs
the same w, 0 for padding rows) and c = N·w (`Problem.sample_scale`: 1 for the mean losses, N/M for
the token losses), the per-sample gradient is ğ_n = c·g_n, the unbiased one-sample estimate of ∇R
(E_n ğ_n = Σ_n w_n g_n = ∇R), and the per-sample loss c·ℓ_n. Each batch contributes
    Σ_n w_n g_n = (1/N) Σ_n ğ_n  and  (1/N) Σ_n ğ_n² = c·w Σ_n g_n²  per coordinate (the mean ∇R and
    the second moment), and (1/N) Σ_n u_n u_nᵀ (4×4) for u_n = (1, c·ℓ_n, ‖ğ_n‖², ğ_nᵀ∇R),
from the path's `batch_sums` (BackPACK forms them without per-sample gradients of linear layers). For
the mean losses c = 1 and these are the plain 1/N moments of g_n. A mini-batch of B sequences whose
summed token loss is divided by B·M/N (the expected token count) has covariance Σ/B; Hugging Face
divides by the realised count, a ratio estimator whose covariance differs from Σ/B by a term of the
order of the spread of the sequences' token counts (it vanishes when every sequence has as many
labelled tokens). The sums need one weight per batch (BackPACK sums rows unweighted): rows of unequal
weight in one batch are refused (`_common_weight`); no loss hessdiag supports produces them.
The variance per coordinate is (1/N)Σ ğ² − ∇R² (population on the selection); its rounding
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
    """Sums over the selection of per-sample gradient statistics (1/N over the rows), float64.

    `mean` = (1/N) Σ ğ = ∇R; `second` = (1/N) Σ ğ²; `variance` = second − mean² per coordinate;
    `features` = (1/N) Σ u uᵀ with u = (1, c·ℓ, ‖ğ‖², ğᵀ∇R) (the last two rows/columns NaN without
    projections: they only serve intervals on a subset); ğ = c·g, c = `sample_scale`.
    """

    mean: Tensor
    second: Tensor
    features: Tensor
    n_samples: int
    reference_gradient: Tensor
    has_projections: bool
    sample_scale: float = 1.0

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
        """tr EF = Σ_n w_n ‖g_n‖² = (tr Σ + ‖∇R‖²)/c (Eq. 7.22; c = 1 for the mean losses)."""
        return float(self.second.sum()) / self.sample_scale

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
        raise ValueError("the noise statistics need one weight for all real rows of a batch (the sums of "
                         "per-sample gradients are unweighted); this loss weighs rows unequally")
    return float(real[0]) if real.numel() else 0.0


def _batch_vector(batch: Batch, sums: BatchSums, scale: float) -> Tensor:
    w = _common_weight(batch)
    uniform = w / scale  # 1/N
    mask = (batch.w > 0).to(torch.float64)
    missing = torch.full_like(mask, torch.nan)
    norms = missing if sums.norms_sq is None else sums.norms_sq.to(torch.float64) * scale**2
    projections = missing if sums.projections is None else sums.projections.to(torch.float64) * scale
    u = torch.stack([mask, sums.losses.to(torch.float64) * scale, norms, projections], dim=1)
    features = (u * (uniform * mask)[:, None]).T @ u
    total = torch.cat(sums.total).to(torch.float64) * w
    squares = torch.cat(sums.squares).to(torch.float64) * (w * scale)
    return torch.cat([total, squares, features.reshape(-1)])


def gradient_moments(per_sample: PerSampleGradients, mean_gradient: Tensor, *,
                     projections: bool = True) -> GradientMoments:
    """Stream the per-sample statistics once over all batches and return their `GradientMoments`."""
    problem = per_sample.problem
    layout = problem.layout
    g = mean_gradient.to(device=problem.device, dtype=problem.dtype)
    direction = tuple(g[b.offset : b.offset + b.numel] for b in layout.blocks) if projections else None

    def per_batch(_: int, batch: Batch, path: PerSamplePath) -> Tensor:
        return _batch_vector(batch, path.batch_sums(batch, direction), problem.sample_scale)

    total = per_sample.accumulate(per_batch)
    d = layout.d
    return GradientMoments(
        mean=total[:d], second=total[d : 2 * d], features=total[2 * d :].reshape(N_FEATURES, N_FEATURES),
        n_samples=problem.n_samples, reference_gradient=mean_gradient, has_projections=projections,
        sample_scale=problem.sample_scale,
    )
