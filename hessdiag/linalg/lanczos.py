"""The one Lanczos recurrence of hessdiag, shared by the extreme eigenvalues and by quadrature.

For a symmetric A and an orthonormal start block Q₁ (d × p; p = 1 is the textbook method) the block
recurrence

    W = A Q_j − Q_j A_j − Q_{j−1} B_{j−1}ᵀ,   A_j = Q_jᵀ A Q_j,   W = Q_{j+1} B_j  (QR)

builds an orthonormal basis V of the block Krylov space and the projected matrix T = Vᵀ A V (block
tridiagonal: diagonal blocks A_j, off-diagonal blocks B_j; Golub & Underwood 1977). W is fully
re-orthogonalised against the whole basis, with a second Gram–Schmidt pass where the first one
cancelled much of a column ("twice is enough", Giraud et al. 2005; the DGKS test, `basis.Basis`),
which keeps V orthonormal to working precision and the Ritz values free of ghost copies. A
block of p vectors sees up to p copies of a repeated eigenvalue; a single vector sees one.

The basis is stored in the products' dtype (`basis.Basis`, growing as it is used); the current and
previous blocks and every coefficient are float64. A column of W that vanishes (‖w‖ ≤ tolerance·|T|:
part of an invariant subspace is found) is replaced by a random unit vector orthogonal to the basis,
with zero coupling — the run continues in the orthogonal complement, where further copies of a
repeated eigenvalue live — and its dropped norm is returned so that bounds can include it.

`Lanczos` runs g independent recurrences in lockstep: each step is ONE batched product of all their
current blocks, and each recurrence is re-orthogonalised against its own basis only (quadrature: g
probes, p = 1; extreme eigenvalues: g = 1, any p). Drivers decide when to stop and what to do when
the basis is full (`eigen`: a thick restart, `Recurrence.restart`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .basis import Basis
from .linear_map import CountedProducts

BREAKDOWN = 1e-12  # a column of W below this × |T| (or 10 ε of the dtype, if larger) is a breakdown


def breakdown_tolerance(dtype: torch.dtype) -> float:
    return max(BREAKDOWN, 10 * torch.finfo(dtype).eps)


def orthonormal_start(d: int, basis: Basis | Tensor | None, generator: torch.Generator, device,
                      extra: Tensor | None = None) -> Tensor:
    """A random unit vector (Gaussian, from `generator`), orthogonalised twice against the basis and
    the columns of `extra` (d, k)."""
    v = torch.randn(d, generator=generator, dtype=torch.float64).to(device)
    for _ in range(2):
        if isinstance(basis, Basis):
            v = basis.orthogonalise(v[:, None], passes=1)[:, 0]
        elif basis is not None and basis.shape[0]:
            v = v - basis.T @ (basis @ v)
        if extra is not None and extra.shape[1]:
            v = v - extra @ (extra.T @ v)
    return v / v.norm()


@dataclass
class NextBlock:
    """Q_{j+1} (d, p') and B_j (p' × p) from W; `dropped` = Σ of the norms of vanishing columns, which
    were replaced by random vectors of the complement (`replaced` of them) or, where no generator is given
    or the complement is exhausted, left out (then p' < p)."""

    q: Tensor
    b: np.ndarray
    dropped: float
    replaced: int


def next_block(w: Tensor, basis: Basis, tolerance: float, generator: torch.Generator | None,
               refine: float = 0.0) -> NextBlock:
    """W = Q R column by column (twice-orthogonalised); a column of norm ≤ `tolerance` is dropped. A column
    of norm below `refine` (a near breakdown: W is then mostly what cancelled in A Q_j, and Gram–Schmidt
    twice leaves it orthogonal to the basis only to ε·‖A Q_j‖/‖w‖) is orthogonalised against the basis
    once more after normalisation."""
    d, p = w.shape
    columns: list[Tensor] = []
    r = np.zeros((p, p))
    dropped, replaced = 0.0, 0
    for i in range(p):
        q = torch.stack(columns, dim=1) if columns else w[:, :0]
        v = w[:, i]
        for _ in range(2):
            c = q.T @ v
            v = v - q @ c
            r[: len(columns), i] += c.cpu().numpy()
        norm = float(v.norm())
        if norm > tolerance:
            r[len(columns), i] = norm
            unit = v / norm
            if norm < refine:
                unit = basis.orthogonalise(unit[:, None], passes=1)[:, 0]
                unit = unit - q @ (q.T @ unit)
                unit = unit / unit.norm()
            columns.append(unit)
            continue
        dropped += norm
        if generator is not None and basis.size + len(columns) < d:
            replaced += 1
            columns.append(orthonormal_start(d, basis, generator, w.device, q))
    width = len(columns)
    q = torch.stack(columns, dim=1) if columns else w[:, :0]
    return NextBlock(q, r[:width], dropped, replaced)


class Recurrence:
    """One block recurrence: its basis, the projected matrix T over the basis, and the current block."""

    def __init__(self, start: Tensor, basis: Basis) -> None:
        d, p = start.shape
        start = start.to(torch.float64)
        q = start / start.norm() if p == 1 else torch.linalg.qr(start)[0]
        self.p, self.basis = p, basis
        self.current, self.previous = q, None
        self.coupling = np.zeros((p, p))  # B_{j−1}: couples the previous block to the current one
        self.T = np.zeros((p, p))
        self.banded = True  # T is block tridiagonal (no thick restart yet)
        basis.append(q.T)
        self.alphas: list[np.ndarray] = []
        self.betas: list[np.ndarray] = []

    @property
    def n(self) -> int:
        return self.T.shape[0]

    @property
    def width(self) -> int:
        """Vectors in the current block (p, or fewer once the space is nearly exhausted)."""
        return self.current.shape[1]

    def step_with(self, products: CountedProducts) -> None:
        """One product A Q_j (p vectors in one call), then `residual_block`; W is kept in `w`."""
        _, self.w = self.residual_block(products(self.current))

    def residual_block(self, aq: Tensor) -> tuple[np.ndarray, Tensor]:
        """A_j = Q_jᵀ A Q_j (recorded in T) and W, re-orthogonalised against the basis, from A Q_j."""
        q = self.current
        alpha = q.T @ aq
        alpha = 0.5 * (alpha + alpha.T)
        w = aq - q @ alpha
        if self.previous is not None:
            w = w - self.previous @ torch.from_numpy(self.coupling.T).to(w)
        w = self.basis.orthogonalise(w)
        a = alpha.cpu().numpy()
        width = self.width
        self.T[-width:, -width:] = a
        self.alphas.append(a)
        return a, w

    def advance(self, block: NextBlock) -> None:
        """Append Q_{j+1} to the basis and B_j to T."""
        n, p, width = self.n, block.q.shape[1], self.width
        grown = np.zeros((n + p, n + p))
        grown[:n, :n] = self.T
        grown[n:, n - width : n] = block.b
        grown[n - width : n, n:] = block.b.T
        self.T = grown
        self.previous, self.current, self.coupling = self.current, block.q, block.b
        self.betas.append(block.b)
        self.basis.append(block.q.T)

    def restart(self, s: np.ndarray, theta: np.ndarray, block: NextBlock) -> None:
        """Thick restart (Wu & Simon 2000): keep the Ritz vectors V s (s: (n, ℓ) eigenvectors of T with
        values θ) and continue from Q_{j+1}. Then T = [[diag θ, Cᵀ], [C, ·]] with C = B_j s_last, since
        A V s = V s diag θ + Q_{j+1} B_j s_last."""
        keep, p = s.shape[1], block.q.shape[1]
        c = block.b @ s[-self.width :, :]
        self.basis.keep_combinations(torch.from_numpy(s))
        self.T = np.zeros((keep + p, keep + p))
        self.T[:keep, :keep] = np.diag(theta)
        self.T[keep:, :keep] = c
        self.T[:keep, keep:] = c.T
        self.banded = False
        # the coupling to the kept vectors is removed by re-orthogonalisation
        self.previous, self.current = None, block.q
        self.basis.append(block.q.T)


class Lanczos:
    """g recurrences with blocks of p vectors, in lockstep, from the columns of `starts` (d, g·p)."""

    def __init__(self, products: CountedProducts, starts: Tensor, block: int = 1,
                 basis_dtype: torch.dtype = torch.float64, capacity: int | None = None) -> None:
        d, n = starts.shape
        if n % block:
            raise ValueError(f"{n} start vectors do not split into blocks of {block}")
        self.products, self.block = products, block
        self.runs = [Recurrence(starts[:, i : i + block], Basis(d, basis_dtype, products.device, capacity))
                     for i in range(0, n, block)]

    def step(self, active: list[int] | None = None) -> list[tuple[np.ndarray, Tensor]]:
        """One batched product of the current blocks of the `active` recurrences (all by default), then
        each one's A_j and re-orthogonalised W."""
        chosen = range(len(self.runs)) if active is None else active
        runs = [self.runs[i] for i in chosen]
        aq = self.products(torch.cat([r.current for r in runs], dim=1))
        return [r.residual_block(part) for r, part in zip(runs, aq.split(self.block, dim=1))]

    # p = 1 views, as the quadrature reads them
    @property
    def alphas(self) -> list[list[float]]:
        return [[float(a[0, 0]) for a in r.alphas] for r in self.runs]

    @property
    def betas(self) -> list[list[float]]:
        return [[float(b[0, 0]) for b in r.betas] for r in self.runs]
