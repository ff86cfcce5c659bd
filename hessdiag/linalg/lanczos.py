"""The one Lanczos recurrence of hessdiag, shared by the extreme eigenvalues and by quadrature.

For a symmetric A and a unit start q₁ the three-term recurrence

    w = A q_j − α_j q_j − β_{j−1} q_{j−1},   α_j = q_jᵀ A q_j,   β_j = ‖w‖,   q_{j+1} = w / β_j

builds an orthonormal Krylov basis Q_m and the tridiagonal T_m = Q_mᵀ A Q_m (diagonal α, off-diagonal
β). In exact arithmetic w is orthogonal to Q_j already; in floating point it is not, so w is fully
re-orthogonalised against the whole basis, twice (Gram–Schmidt "twice is enough", Giraud et al.
2005), which keeps Q_m orthonormal to working precision and the Ritz values free of ghost copies.
The basis and the recurrence coefficients are float64 whatever the products' dtype.

`Lanczos` runs g independent recurrences in lockstep: each step is ONE batched product of all their
current vectors, and each recurrence is re-orthogonalised against its own basis only. The basis is
stored in a buffer that grows as it is used (doubling), never preallocated for a whole budget.
Drivers decide when to stop (`extreme_eigenpairs`: residuals; `stochastic_lanczos_quadrature`: a
fixed number of steps) and what to do on breakdown (β ≈ 0: an invariant subspace; `restart` continues
in the orthogonal complement).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .linear_map import CountedProducts

INITIAL_CAPACITY = 16


class Lanczos:
    """g Lanczos recurrences in lockstep from the columns of `starts` (d, g), normalised here."""

    def __init__(self, products: CountedProducts, starts: Tensor) -> None:
        d, g = starts.shape
        self.products = products
        self.current = (starts.to(torch.float64) / starts.to(torch.float64).norm(dim=0, keepdim=True)).T.contiguous()
        self.previous = torch.zeros_like(self.current)
        self.beta_previous = torch.zeros(g, dtype=torch.float64, device=self.current.device)
        self._buffer = torch.empty(INITIAL_CAPACITY, g, d, dtype=torch.float64, device=self.current.device)
        self._buffer[0] = self.current
        self.steps = 1  # basis vectors stored (the current ones included)
        self.alphas: list[list[float]] = [[] for _ in range(g)]
        self.betas: list[list[float]] = [[] for _ in range(g)]  # betas[i][j] couples q_j and q_{j+1}

    @property
    def basis(self) -> Tensor:
        """The stored basis vectors, shape (steps, g, d); a view of the buffer."""
        return self._buffer[: self.steps]

    def step(self, active: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """One step for the `active` recurrences (all by default): returns α, the re-orthogonalised w and
        β = ‖w‖ (each over the active ones); α is recorded, β only when the caller advances."""
        rows = slice(None) if active is None else active
        q = self.current[rows]
        w = self.products(q.T.contiguous()).T  # (a, d): one product for every active recurrence
        past = self.basis if active is None else self.basis[:, active]  # (steps, a, d)
        if past.shape[1] == 1:  # one recurrence: dot products and matrix–vector products with the basis
            alpha, w = self._single_step(q[0], w[0], past[:, 0], rows)
        else:
            alpha = (q * w).sum(1)
            w = w - alpha[:, None] * q - self.beta_previous[rows, None] * self.previous[rows]
            for _ in range(2):  # full re-orthogonalisation against the own basis, twice
                w = w - torch.einsum("ja,jad->ad", torch.einsum("jad,ad->ja", past, w), past)
        indices = range(len(self.alphas)) if active is None else active.tolist()
        for i, value in zip(indices, alpha.tolist()):
            self.alphas[i].append(value)
        return alpha, w, w.norm(dim=1)

    def _single_step(self, q: Tensor, w: Tensor, past: Tensor, rows) -> tuple[Tensor, Tensor]:
        """The same step for one recurrence, with vector operations (its arithmetic is the textbook one)."""
        alpha = q @ w
        w = w - alpha * q - self.beta_previous[rows][0] * self.previous[rows][0]
        for _ in range(2):
            w = w - past.T @ (past @ w)
        return alpha.reshape(1), w[None]

    def advance(self, which: Tensor, w: Tensor, beta: Tensor) -> None:
        """q_{j+1} = w/β for the recurrences `which` (rows of w and β belong to them)."""
        self._grow()
        self.previous[which] = self.current[which]
        self.current[which] = w / beta[:, None]
        self.beta_previous[which] = beta
        for i, value in zip(which.tolist(), beta.tolist()):
            self.betas[i].append(value)
        self._buffer[self.steps, which] = self.current[which]
        self.steps += 1

    def restart(self, vector: Tensor) -> None:
        """After a breakdown of a single recurrence: continue from `vector` (unit, orthogonal to the
        basis) with a zero coupling β, i.e. in the complement of the invariant subspace found."""
        self._grow()
        self.previous[0] = self.current[0]
        self.current[0] = vector
        self.beta_previous[0] = 0.0
        self.betas[0].append(0.0)
        self._buffer[self.steps, 0] = vector
        self.steps += 1

    def _grow(self) -> None:
        if self.steps < self._buffer.shape[0]:
            return
        larger = torch.empty(2 * self._buffer.shape[0], *self._buffer.shape[1:], dtype=self._buffer.dtype,
                             device=self._buffer.device)
        larger[: self.steps] = self._buffer[: self.steps]
        self._buffer = larger


def orthonormal_start(d: int, basis: Tensor | None, generator: torch.Generator, device) -> Tensor:
    """A random unit vector (Gaussian, from `generator`), orthogonalised twice against the rows of `basis`."""
    v = torch.randn(d, generator=generator, dtype=torch.float64).to(device)
    if basis is not None and basis.shape[0]:
        for _ in range(2):
            v = v - basis.T @ (basis @ v)
    return v / v.norm()
