"""The curvature-operator base class: loop over the batches, accumulate, count products.

As in curvlinops, a subclass fills one per-batch hook, `_batch_matmat(index, batch, V)`, returning
Σ_{n ∈ batch} w_n M_n V for its matrix M = Σ_n w_n M_n (rows of V are vectors); the base class sums the
batches through `accumulate` (one reduction point), casts, and counts matrix–vector products.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import Tensor

from ..errors import NonFiniteError
from ..load.problem import Batch, Problem
from .reduction import accumulate

# Raised where a product is NaN/Inf although the loss and gradient at θ are finite (they are checked first): the
# model's second derivative overflows, as PyTorch's Mish double backward does for pre-activations above about 100 in
# float32 (about 1000 in float64) where the true second derivative is 0.
_NON_FINITE = ("a product with {name} is NaN/Inf at this checkpoint although the loss and gradient are finite: the "
               "model's second derivative overflows in {dtype} (an activation's double backward at large "
               "pre-activations, such as Mish above about 100 in float32); scale the inputs or use another activation")


class CurvatureOperator(ABC):
    """A symmetric d×d matrix of the problem, available through products with vectors.

    `matmat(V)` takes V of shape (d, k) and returns M V (d, k); `matvec(v)` takes (d,); `@` does either.
    It is a `hessdiag.linalg.LinearMap`, so every estimator of the numerical core accepts it. Inputs of any
    floating dtype are cast to the problem's dtype; results come back in the problem's dtype.
    `matvecs` counts the matrix–vector products made (k per `matmat` of k vectors). A product that is NaN/Inf
    raises `NonFiniteError` (a Lanczos run would otherwise stop on a non-finite tridiagonal matrix).
    `vectors_per_call` (None: all at once) splits a block into calls of at most that many vectors: the cost
    plan sets 1 under `--budget` where a batched round measured slower per vector than single products
    (large models on a CPU, `work.units.rounds_by_speed`); the products are the same up to rounding.
    """

    name: str = "M"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.matvecs = 0
        self.vectors_per_call: int | None = None

    @property
    def d(self) -> int:
        return self.problem.d

    @property
    def dtype(self) -> torch.dtype:
        return self.problem.dtype

    @property
    def device(self) -> torch.device:
        return self.problem.device

    @abstractmethod
    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        """This batch's share of M times each row of `vectors` (k, d) → (k, d)."""

    def _global_matmat(self, vectors: Tensor) -> Tensor | None:
        """A term of M that is not a sum over samples (e.g. −ḡḡᵀ of the covariance), or None."""
        return None

    def matmat(self, matrix: Tensor) -> Tensor:
        if matrix.ndim != 2 or matrix.shape[0] != self.d:
            raise ValueError(f"matmat expects shape ({self.d}, k); got {tuple(matrix.shape)}")
        if self.vectors_per_call is not None and matrix.shape[1] > self.vectors_per_call:
            return torch.cat([self.matmat(part) for part in matrix.split(self.vectors_per_call, dim=1)], dim=1)
        rows = matrix.T.to(device=self.device, dtype=self.dtype).contiguous()
        out = accumulate(self.problem, lambda i, b: self._batch_matmat(i, b, rows).detach())
        extra = self._global_matmat(rows)
        if extra is not None:
            out = out + extra
        if not torch.isfinite(out).all():
            raise NonFiniteError(_NON_FINITE.format(name=self.name, dtype=str(self.dtype).removeprefix("torch.")))
        self.matvecs += rows.shape[0]
        return out.T

    def matvec(self, vector: Tensor) -> Tensor:
        return self.matmat(vector.reshape(-1, 1))[:, 0]

    def __matmul__(self, other: Tensor) -> Tensor:
        """`H @ v` for a vector (d,) and `H @ V` for a block (d, k)."""
        return self.matvec(other) if other.ndim == 1 else self.matmat(other)
