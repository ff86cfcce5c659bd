"""Generalised Gauss–Newton products G v = Σ_n w_n J_nᵀ Λ_n J_n v (SPEC §2).

J_n = ∂f(x_n; θ)/∂θ is the model's output Jacobian and Λ_n = ∇²_f ℓ_n the loss's Hessian in output
space (CE: diag(p) − ppᵀ; MSE: I; BCE: σ(1−σ); the token losses: CE per labelled token, zero at
ignored ones). For these exponential-family losses G equals the
Fisher F (thesis Prop. 7.1). Per batch: J v by a forward-mode `jvp`, Λ applied row by row, and Jᵀ(·)
by the `vjp` of the same forward pass; k vectors go through one vmapped call.
"""

from __future__ import annotations

from torch import Tensor
from torch.func import jvp, vjp, vmap

from ..load.problem import Batch
from .base import CurvatureOperator


def _weighted(w: Tensor, u: Tensor) -> Tensor:
    return w.reshape(-1, *([1] * (u.ndim - 1))) * u


class GGNOperator(CurvatureOperator):
    """G = Σ_n w_n J_nᵀ Λ_n J_n (= the Fisher for ce, mse and bce)."""

    name = "GGN"

    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        problem, layout = self.problem, self.problem.layout

        def f(p: dict[str, Tensor]) -> Tensor:
            return problem.forward(p, batch.x)

        out, pullback = vjp(f, problem.params)
        out = out.detach()

        def ggn_vector(v: dict[str, Tensor]) -> Tensor:
            jv = jvp(f, (problem.params,), (v,))[1]
            lam_jv = _weighted(batch.w, problem.loss.output_hessian_product(out, batch.y, jv))
            return layout.flatten(pullback(lam_jv)[0])

        return vmap(ggn_vector)(layout.unflatten(vectors))
