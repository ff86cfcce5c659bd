"""The one form in which the numerical core accepts a matrix: a symmetric linear map.

A `LinearMap` has `d`, `dtype`, `device`, `matmat(V)` for V of shape (d, k) and `matvec(v)` for (d,),
and supports `@`. Curvature operators (`hessdiag.operators`) already are linear maps; dense matrices
(a tensor or an array) and plain `matmat` callables become one through `as_linear_map`, so every
estimator of the core (Lanczos, quadrature, traces, CG, columns) accepts all three the same way.

`CountedProducts` is how estimators use a map: float64 in and out (the map may compute in float32),
k vectors per call, and a count of the matrix–vector products made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np
import torch
from torch import Tensor

MatMat = Callable[[Tensor], Tensor]


@runtime_checkable
class LinearMap(Protocol):
    """A symmetric d×d matrix available through products (the protocol every estimator takes)."""

    d: int
    dtype: torch.dtype
    device: torch.device

    def matmat(self, matrix: Tensor) -> Tensor: ...


class _Products:
    """`matvec` and `@` from `matmat` (shared by the maps below)."""

    def matvec(self, vector: Tensor) -> Tensor:
        return self.matmat(vector.reshape(-1, 1))[:, 0]  # type: ignore[attr-defined]

    def __matmul__(self, other: Tensor) -> Tensor:
        return self.matvec(other) if other.ndim == 1 else self.matmat(other)  # type: ignore[attr-defined]


class DenseMap(_Products):
    """A dense symmetric matrix held in float64 (products are exact up to float64 rounding)."""

    def __init__(self, matrix: Tensor | np.ndarray) -> None:
        self.matrix = torch.as_tensor(matrix).to(torch.float64)
        if self.matrix.ndim != 2 or self.matrix.shape[0] != self.matrix.shape[1]:
            raise ValueError(f"a dense map needs a square matrix; got shape {tuple(self.matrix.shape)}")
        self.d = int(self.matrix.shape[0])
        self.dtype = torch.float64
        self.device = self.matrix.device

    def matmat(self, matrix: Tensor) -> Tensor:
        return self.matrix @ matrix.to(device=self.device, dtype=torch.float64)


class CallableMap(_Products):
    """A `matmat` callable (d, k) → (d, k) with its dimension, dtype and device."""

    def __init__(self, matmat: MatMat, d: int, dtype: torch.dtype = torch.float64,
                 device: torch.device | str = "cpu") -> None:
        self._matmat, self.d, self.dtype, self.device = matmat, int(d), dtype, torch.device(device)

    def matmat(self, matrix: Tensor) -> Tensor:
        return self._matmat(matrix)


def as_linear_map(obj: Any, d: int | None = None, dtype: torch.dtype = torch.float64,
                  device: torch.device | str = "cpu") -> LinearMap:
    """A linear map from an operator (returned as is), a dense tensor/array, or a `matmat` callable."""
    if isinstance(obj, (Tensor, np.ndarray)):
        return DenseMap(obj)
    if isinstance(obj, LinearMap):
        return obj
    if callable(obj):
        if d is None:
            raise ValueError("a plain matmat callable needs its dimension d")
        return CallableMap(obj, d, dtype, device)
    raise TypeError(f"expected a linear map, a matrix or a matmat callable; got {type(obj).__name__}")


@dataclass
class CountedProducts:
    """Counted float64 products with a linear map, k vectors per call."""

    map: LinearMap
    matvecs: int = 0

    @classmethod
    def of(cls, obj: Any, d: int | None = None, device: torch.device | str | None = None) -> "CountedProducts":
        return cls(as_linear_map(obj, d, device=device or "cpu"))

    @property
    def d(self) -> int:
        return self.map.d

    @property
    def device(self) -> torch.device:
        return self.map.device

    def __call__(self, vectors: Tensor) -> Tensor:
        if vectors.shape[1] == 0:
            return vectors.clone()
        out = self.map.matmat(vectors).to(device=self.device, dtype=torch.float64)
        self.matvecs += int(vectors.shape[1])
        return out
