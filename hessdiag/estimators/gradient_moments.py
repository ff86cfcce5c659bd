"""One streaming pass of per-sample gradients → the sums every noise statistic needs (SPEC §5).

With weights w_n = 1/N (0 for padding rows) and the mean gradient ḡ = ∇R known beforehand (the
context computes it once), each batch contributes, per coordinate i,

    Σ_n w_n r_ni,   Σ_n w_n r_ni²,   Σ_n w_n sign(g_ni),      r_n = g_n − ḡ  (centred at ∇R),

and, per sample, the scalar features u_n = (1, ℓ_n, ‖r_n‖², r_n·ḡ) summed as the 4×4 matrix
Σ_n w_n u_n u_nᵀ. Centring at the exact ḡ keeps the variance Σ_n w_n r_ni² − (Σ_n w_n r_ni)² free of
the cancellation of E[g²] − E[g]² when the noise is small. The feature moments give the delta-method
variances of tr(Σ̂), ‖ḡ‖² and R̂ (`noise_scalars`). Memory: three d-vectors and b rows at a time,
whatever N is; the sum goes through `operators.reduction.accumulate` (one reduction point).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..load.problem import Batch
from ..operators.per_sample import PerSampleBatch, PerSampleGradients

N_FEATURES = 4  # (1, ℓ_n, ‖g_n − ḡ‖², (g_n − ḡ)·ḡ)


@dataclass
class GradientMoments:
    """Sums over the selection of per-sample gradient statistics (1/N weights), float64.

    `mean` = Σ w g = ∇R; `variance` = Σ w (g − ḡ)² per coordinate (1/N, population on the
    selection); `sign_mean` = Σ w sign(g); `features` = Σ w u uᵀ with u = (1, ℓ, ‖g − ḡ‖², (g − ḡ)·ḡ).
    """

    mean: Tensor
    variance: Tensor
    sign_mean: Tensor
    features: Tensor
    n_samples: int
    reference_gradient: Tensor

    @property
    def grad_norm_sq(self) -> float:
        return float(self.mean @ self.mean)

    @property
    def trace_sigma(self) -> float:
        """tr Σ = Σ_i Var_n[g_ni] with the 1/N convention on the selection."""
        return float(self.variance.sum())

    @property
    def loss(self) -> float:
        return float(self.features[0, 1])

    @property
    def mean_gap(self) -> float:
        """‖Σ w g − ∇R‖ / ‖∇R‖: the per-sample pass against the context's gradient (rounding only)."""
        ref = self.reference_gradient.to(torch.float64)
        scale = float(ref.norm())
        return float((self.mean - ref).norm()) / scale if scale > 0 else float((self.mean - ref).norm())


def _batch_sums(batch: Batch, grads: PerSampleBatch, centre: tuple[Tensor, ...]) -> Tensor:
    w = batch.w
    sums, squares, signs = [], [], []
    dev_sq = torch.zeros(batch.size, dtype=torch.float64, device=w.device)
    dev_dot = torch.zeros_like(dev_sq)
    for g, c in zip(grads.blocks, centre):
        r = g - c
        r2 = r * r
        sums.append(w @ r)
        squares.append(w @ r2)
        signs.append(w @ torch.sign(g))
        dev_sq += r2.sum(1, dtype=torch.float64)
        dev_dot += (r @ c).to(torch.float64)
    u = torch.stack([torch.ones_like(dev_sq), grads.losses.to(torch.float64), dev_sq, dev_dot], dim=1)
    features = (u * w.to(torch.float64)[:, None]).T @ u
    vectors = torch.cat([torch.cat(sums), torch.cat(squares), torch.cat(signs)]).to(torch.float64)
    return torch.cat([vectors, features.reshape(-1)])


def gradient_moments(per_sample: PerSampleGradients, mean_gradient: Tensor) -> GradientMoments:
    """Stream the per-sample gradients once over all batches and return their `GradientMoments`."""
    problem = per_sample.problem
    layout = problem.layout
    g = mean_gradient.to(device=problem.device, dtype=problem.dtype)
    centre = tuple(g[b.offset : b.offset + b.numel] for b in layout.blocks)
    total = per_sample.accumulate(lambda _, batch, gradients: _batch_sums(batch, gradients(batch), centre))
    d = layout.d
    residual_mean, residual_sq, sign_mean = total[:d], total[d : 2 * d], total[2 * d : 3 * d]
    features = total[3 * d :].reshape(N_FEATURES, N_FEATURES)
    reference = g.to(torch.float64)
    return GradientMoments(
        mean=reference + residual_mean,
        variance=(residual_sq - residual_mean**2).clamp_min(0.0),
        sign_mean=sign_mean,
        features=features,
        n_samples=problem.n_samples,
        reference_gradient=mean_gradient,
    )
