"""Empirical Fisher and gradient covariance from per-sample gradients g_n = ∇ℓ_n(θ) (SPEC §2).

EF = Σ_n w_n g_n g_nᵀ (thesis Eq. 7.3) and Σ = (1/N) Σ_n (ğ_n − ḡ)(ğ_n − ḡ)ᵀ = c·EF − ḡḡᵀ (Eq. 7.22),
ḡ = Σ_n w_n g_n = ∇R, ğ_n = c·g_n with c = N·w_n (w_n = 1/N and c = 1 for the mean losses; w_n = 1/M
and c = N/M for the token losses, whose samples are sequences). Products never form the N×d matrix
of per-sample gradients:
the per-sample gradients are the rows of the Jacobian of the vector of per-sample losses
ℓ(θ) = (ℓ_1, …, ℓ_b), so g_nᵀ v for all n is one forward-mode `jvp` of ℓ, and Σ_n c_n g_n is one
`vjp` of ℓ with cotangent c. EF v = vjp_ℓ(w ⊙ jvp_ℓ(v)): the cost of a GGN product, for any model.
"""

from __future__ import annotations

from torch import Tensor
from torch.func import jvp, vjp, vmap

from ..load.problem import Batch, Problem
from .base import CurvatureOperator
from .gradient import loss_and_gradient


class EmpiricalFisherOperator(CurvatureOperator):
    """EF = Σ_n w_n g_n g_nᵀ (1/N convention, training labels)."""

    name = "EF"

    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        problem, layout = self.problem, self.problem.layout

        def losses(p: dict[str, Tensor]) -> Tensor:
            return problem.per_sample_losses(p, batch)

        _, pullback = vjp(losses, problem.params)

        def ef_vector(v: dict[str, Tensor]) -> Tensor:
            projections = jvp(losses, (problem.params,), (v,))[1]  # g_nᵀ v for every n
            return layout.flatten(pullback(batch.w * projections)[0])

        return vmap(ef_vector)(layout.unflatten(vectors))


class GradientCovarianceOperator(EmpiricalFisherOperator):
    """Σ = c·EF − ḡḡᵀ, the (1/N, population) covariance of the per-sample gradients ğ_n = c·g_n
    (c = `Problem.sample_scale`: 1 for the mean losses, so Σ = EF − ḡḡᵀ, Eq. 7.22)."""

    name = "Sigma"

    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        share = super()._batch_matmat(index, batch, vectors)
        scale = self.problem.sample_scale
        return share if scale == 1.0 else scale * share

    def __init__(self, problem: Problem, mean_gradient: Tensor | None = None) -> None:
        super().__init__(problem)
        self.mean_gradient = (
            mean_gradient if mean_gradient is not None else loss_and_gradient(problem).gradient
        ).to(device=problem.device, dtype=problem.dtype)

    def _global_matmat(self, vectors: Tensor) -> Tensor:
        g = self.mean_gradient
        return -(vectors @ g)[:, None] * g[None, :]
