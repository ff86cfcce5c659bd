"""Extreme eigenvalues of a symmetric map by (block) Lanczos, with certified bounds (SPEC §3).

The recurrence (`lanczos.Recurrence`) gives T = Vᵀ A V over an orthonormal basis V; the wanted
eigenpairs of T give Ritz pairs, each with a certified bar (`ritz`: the residual bound, or the
Kato–Temple gap bound where a certified gap makes it tighter, plus a rounding allowance). The run
stops when every wanted bar is ≤ tol·max(|θ|, 10⁻³·max|θ|), when the basis spans the whole space, or
after `max_matvecs` products (not converged).

Repeated eigenvalues. A block of p start vectors shows up to p copies of an eigenvalue; a breakdown
(part of an invariant subspace found) continues in the orthogonal complement with a fresh random
vector, which shows one more. After such a restart the fresh part must resolve its own extreme values
before the run counts as converged (else a further copy, or a larger value it has not reached yet,
is missed); if the fresh vector is itself an eigenvector, the whole complement is one eigenspace (with
probability one) and its copies are added. The result says how many copies of each reported value
the run saw, and flags values that show as many copies as it could see (`copies_hidden`): there may
be more.

Memory. The basis grows as it is used, in the products' dtype (`basis.Basis`); with a `capacity`
(rows) it thick-restarts (Wu & Simon, SIMAX 2000) when full: the ℓ Ritz vectors of the wanted end —
converged ones included, so they are kept (locked) — are kept and the recurrence continues from the
next block, T = [[diag θ, Cᵀ], [C, A_{j+1}], …]. Bounds stay valid across restarts (the Lanczos
relation holds for the restarted basis).
(`dense.dense_top` gives the same result type from a dense matrix.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
import torch
from scipy.linalg import eigh
from torch import Tensor

from .basis import Basis
from .lanczos import Lanczos, NextBlock, Recurrence, breakdown_tolerance, next_block, orthonormal_start
from .linear_map import CountedProducts, as_linear_map
from .ritz import ZERO_FLOOR, RitzPairs, RitzValue, certified, copies_seen, eigenpairs, resolved
from .warm import warm_start_vector

REFINE = 1e-4  # columns of W below this × max|θ| get one more orthogonalisation pass (near breakdowns)
DEFAULT_TOL = 1e-4
DEFAULT_MAX_MATVECS = 300
Progress = Callable[[int, int], None]

__all__ = ["DEFAULT_MAX_MATVECS", "DEFAULT_TOL", "LanczosResult", "RitzValue", "ZERO_FLOOR",
           "extreme_eigenpairs", "lanczos_bottom_eigenvalues", "lanczos_top_eigenvalues"]


@dataclass
class LanczosResult:
    """Requested Ritz values (top: descending; bottom: ascending) with certified bars."""

    which: str
    values: list[RitzValue]
    matvecs: int
    converged: bool
    vectors: Tensor | None = field(default=None, repr=False)  # (k, d) float64 Ritz vectors
    block_size: int = 1
    copies: list[int] = field(default_factory=list)  # Ritz values of T that each reported value shows
    copy_limit: int | None = None  # the most copies of one eigenvalue the run could see (None: all)
    restarts: int = 0  # thick restarts (the basis reached its capacity)

    @property
    def copies_hidden(self) -> bool:
        """Whether some reported value shows as many copies as the run could see: it may have more."""
        return self.copy_limit is not None and any(c >= self.copy_limit for c in self.copies)

    def run_summary(self) -> dict:
        """The run's products and convergence, as the report lists them beside each matrix's values."""
        return {"matvecs": self.matvecs, "converged": self.converged}

    def as_dict(self) -> dict:
        return {"values": [r.as_dict() for r in self.values], "matvecs": self.matvecs, "converged": self.converged,
                "block_size": self.block_size, "copies": list(self.copies), "copy_limit": self.copy_limit,
                "copies_hidden": self.copies_hidden, "restarts": self.restarts}


@dataclass
class _Run:
    """The state of one extreme_eigenpairs run beside its recurrence."""

    rec: Recurrence
    products: CountedProducts
    k: int
    which: str
    tol: float
    eps: float
    d: int
    dropped: float = 0.0  # Σ norms of columns dropped at breakdowns
    replaced: int = 0  # fresh random columns inserted after breakdowns
    fresh_from: int | None = None  # T index where the latest fresh part starts
    fresh_full: bool = False  # whether that part's first block is made of fresh vectors only
    restarts: int = 0

    def allowance(self, scale: float) -> float:
        return self.products.matvecs * self.eps * scale + self.dropped


def _residuals(s: np.ndarray, b: np.ndarray) -> np.ndarray:
    """‖B s_last‖ for each column s of the eigenvectors of T (s_last: the rows of the current block)."""
    return np.linalg.norm(b @ s[-b.shape[1]:, :], axis=0) if b.size else np.zeros(s.shape[1])


def _pairs(run: _Run, ritz: tuple[np.ndarray, np.ndarray, np.ndarray, float], block: NextBlock,
           exhausted: bool) -> RitzPairs:
    """The wanted Ritz pairs of T (one more value: the neighbour for the gap bounds) with certified bars."""
    theta, s, spectrum, scale = ritz
    count = min(run.k, len(theta))
    values = certified(theta, _residuals(s, block.b), run.allowance(scale), run.which, count, exhausted, run.rec.p)
    return RitzPairs(values, s[:, :count], spectrum, scale)


def _ritz(run: _Run) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The k + 1 extreme eigenpairs of T at the wanted end, its spectrum and max |θ|."""
    rec = run.rec
    theta, s, spectrum = eigenpairs(rec.T, run.k + 1, run.which, rec.p if rec.banded else None)
    return theta, s, spectrum, float(np.max(np.abs(spectrum)))


def _fresh_part_resolved(run: _Run, block: NextBlock, scale: float) -> bool:
    """Whether the part of T after the latest breakdown has resolved its own extreme values (residual
    bars include its coupling to the earlier part)."""
    f, rec = run.fresh_from, run.rec
    if f is None:
        return True
    if f >= rec.n:
        return False
    theta, s = eigh(rec.T[f:, f:])
    count = min(run.k, len(theta))
    idx = np.arange(len(theta))[::-1][:count] if run.which == "largest" else np.arange(count)
    s = s[:, idx]
    rho = np.sqrt(np.linalg.norm(rec.T[:f, f:] @ s, axis=0) ** 2 + _residuals(s, block.b) ** 2)
    own = [RitzValue(float(t), float(r)) for t, r in zip(theta[idx], rho + run.allowance(scale))]
    return resolved(own, run.tol, scale)


def _thick_restart(run: _Run, block: NextBlock) -> None:
    """Keep ℓ Ritz vectors of the wanted end (about half the capacity, at least k + 1) and go on."""
    rec = run.rec
    capacity = rec.basis.capacity
    keep = min(capacity - 2 * rec.p, max(run.k + 1, (capacity - rec.p) // 2), rec.n)
    theta, s, _ = eigenpairs(rec.T, keep, run.which, rec.p if rec.banded else None)
    rec.restart(s, theta, block)
    run.fresh_from, run.restarts = None, run.restarts + 1


def _setup(operator: Any, k: int, which: str, max_matvecs: int, block: int, capacity: int | None, d: int | None,
           device, generator: torch.Generator, warm: Tensor | None = None
           ) -> tuple[CountedProducts, Recurrence, int, int]:
    if which not in ("largest", "smallest"):
        raise ValueError("which must be 'largest' or 'smallest'")
    linear_map = as_linear_map(operator, d, device=device or "cpu")
    d = linear_map.d
    k, block = min(k, d), max(1, min(block, d))
    if k < 1 or max_matvecs < block:
        raise ValueError(f"lanczos needs k ≥ 1 and max_matvecs ≥ the block size; got k = {k}, "
                         f"max_matvecs = {max_matvecs}, block = {block}")
    if capacity is not None and capacity < k + 1 + 2 * block:
        raise ValueError(f"a Lanczos basis of {capacity} vectors cannot thick-restart for k = {k} with blocks "
                         f"of {block}; it needs at least {k + 1 + 2 * block}")
    start = torch.randn(d, block, generator=generator, dtype=torch.float64).to(linear_map.device)
    if warm is not None:  # earlier Ritz vectors (hessdiag track): the first column starts near them
        start[:, 0] = warm_start_vector(warm, generator, linear_map.device)
    products = CountedProducts(linear_map)
    run = Lanczos(products, start, block, basis_dtype=linear_map.dtype, capacity=capacity)
    # d products span the space only when the basis keeps them all; a restarted run may need more
    restarted = capacity is not None and capacity < d
    return products, run.runs[0], k, max_matvecs if restarted else min(max_matvecs, d)


def extreme_eigenpairs(operator: Any, k: int, which: str, *, tol: float = DEFAULT_TOL,
                       max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator,
                       d: int | None = None, device: torch.device | None = None, block: int = 1,
                       capacity: int | None = None, progress: Progress | None = None,
                       start: Tensor | None = None) -> LanczosResult:
    """k extreme eigenvalues ('largest' or 'smallest' algebraic) of a symmetric map, by block Lanczos
    with blocks of `block` vectors and a basis of at most `capacity` vectors (None: no limit).

    A run whose value showed a repeated eigenvalue (≥ 2 copies) as many times as it could see, with a
    different value reported after those copies, may have missed copies that belong in the k: then,
    budget permitting, the run is repeated from a fresh random block of k vectors (which sees up to k
    copies, enough to fill the list); `matvecs` counts both runs.

    `start` (optional): earlier Ritz vectors (k, d) to warm-start the first column of the first block from
    (`warm.warm_start_vector`); the bars are certified whatever the start."""
    first = _extreme_once(operator, k, which, tol, max_matvecs, generator, d, device, block, capacity, progress,
                          start)
    wider = min(k, first.vectors.shape[1])  # vectors: (k, d)
    left = max_matvecs - first.matvecs
    if not (first.converged and _may_displace(first)) or block >= wider or left < wider or \
            (capacity is not None and capacity < k + 1 + 2 * wider):
        return first
    second = _extreme_once(operator, k, which, tol, left, generator, d, device, wider, capacity, progress)
    chosen = second if second.converged else first
    return replace(chosen, matvecs=first.matvecs + second.matvecs)


def _may_displace(result: LanczosResult) -> bool:
    """Whether a value showed ≥ 2 copies, as many as the run could see, and a different value follows them."""
    for i, copies in enumerate(result.copies):
        if result.copy_limit is not None and copies >= max(2, result.copy_limit):
            return i + copies < len(result.values)
    return False


def _extreme_once(operator: Any, k: int, which: str, tol: float, max_matvecs: int, generator: torch.Generator,
                  d: int | None, device, block: int, capacity: int | None, progress: Progress | None,
                  warm: Tensor | None = None) -> LanczosResult:
    """One (block) Lanczos run: see `extreme_eigenpairs`."""
    products, rec, k, limit = _setup(operator, k, which, max_matvecs, block, capacity, d, device, generator, warm)
    d = products.d
    run = _Run(rec, products, k, which, tol, torch.finfo(products.map.dtype).eps, d)
    tolerance = breakdown_tolerance(products.map.dtype)
    tail = None
    while True:
        rec.step_with(products)
        p = rec.width
        ritz = _ritz(run)
        nb = next_block(rec.w, rec.basis, tolerance * max(ritz[3], 1e-300), generator, refine=REFINE * ritz[3])
        exhausted = rec.n >= d
        if nb.replaced == p and run.fresh_full and run.fresh_from == rec.n - p and not exhausted:
            tail = (float(np.mean(np.diag(rec.T)[-p:])), d - rec.n)  # the complement is one eigenspace
        pairs = _pairs(run, ritz, nb, exhausted or tail is not None)
        converged = len(pairs.values) == k and resolved(pairs.values, tol, pairs.scale)
        if progress is not None:
            progress(products.matvecs, limit)
        if tail is not None or exhausted:
            break
        converged = converged and not nb.replaced and _fresh_part_resolved(run, nb, pairs.scale)
        if converged or products.matvecs + nb.q.shape[1] > limit or not nb.q.shape[1]:
            break
        run.dropped += nb.dropped
        if nb.replaced:
            run.replaced += nb.replaced
            run.fresh_from, run.fresh_full = rec.n, nb.replaced == p
        if rec.basis.capacity is not None and rec.basis.size + nb.q.shape[1] > rec.basis.capacity:
            _thick_restart(run, nb)
        else:
            rec.advance(nb)
    return _result(run, pairs, nb, converged, tail, generator)


def _result(run: _Run, pairs: RitzPairs, block: NextBlock, converged: bool, tail, generator) -> LanczosResult:
    """The result: Ritz vectors, copies seen, and the copies of a complement eigenspace (`tail`)."""
    rec = run.rec
    vectors = rec.basis.expand(torch.from_numpy(np.ascontiguousarray(pairs.s))).T.contiguous()
    spectrum, s_all = np.linalg.eigh(rec.T)
    bars = _residuals(s_all, block.b) + run.allowance(pairs.scale)
    values = pairs.values
    limit = None if rec.n >= run.d or tail is not None else rec.p + run.replaced
    if tail is not None:  # the complement of the basis is one eigenspace: its copies are known
        values, vectors = _with_copies(values, vectors, tail, run, rec.basis, generator)
        limit = None
        converged = len(values) == run.k and resolved(values, run.tol, pairs.scale)
    copies = copies_seen(values, spectrum, bars, run.tol, pairs.scale)
    if tail is not None:
        copies = [c + tail[1] if abs(v.value - tail[0]) <= v.residual else c for v, c in zip(values, copies)]
    return LanczosResult(run.which, values, run.products.matvecs, converged, vectors, rec.p, copies, limit,
                         run.restarts)


def _with_copies(values: list[RitzValue], vectors: Tensor, tail: tuple[float, int], run: _Run, basis: Basis,
                 generator: torch.Generator) -> tuple[list[RitzValue], Tensor]:
    """The wanted k among the Ritz pairs and further copies of an eigenvalue whose eigenspace is the
    complement of the basis (their vectors: fresh orthonormal vectors of that complement)."""
    value, copies = tail
    bar = run.allowance(max(abs(value), max((abs(v.value) for v in values), default=0.0)))
    pairs = list(zip(values, vectors))
    found = vectors.T[:, :0]
    for _ in range(min(copies, run.k)):
        vector = orthonormal_start(basis.d, basis, generator, basis.device, found)
        found = torch.cat([found, vector[:, None]], dim=1)
        pairs.append((RitzValue(value, bar, "residual", bar), vector))
    pairs.sort(key=lambda pair: -pair[0].value if run.which == "largest" else pair[0].value)
    kept = pairs[: run.k]
    return [p[0] for p in kept], torch.stack([p[1] for p in kept])


def lanczos_top_eigenvalues(operator: Any, k: int = 5, *, tol: float = DEFAULT_TOL,
                            max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator | None = None,
                            block: int = 1, progress: Progress | None = None) -> LanczosResult:
    """Top-k (largest algebraic) eigenvalues, descending, with certified bars (seed 0 by default)."""
    return extreme_eigenpairs(operator, k, "largest", tol=tol, max_matvecs=max_matvecs, block=block,
                              generator=generator or torch.Generator().manual_seed(0), progress=progress)


def lanczos_bottom_eigenvalues(operator: Any, k: int = 5, *, tol: float = DEFAULT_TOL,
                               max_matvecs: int = DEFAULT_MAX_MATVECS, generator: torch.Generator | None = None,
                               block: int = 1, progress: Progress | None = None) -> LanczosResult:
    """Bottom-k (smallest algebraic) eigenvalues, ascending, with certified bars (seed 0 by default)."""
    return extreme_eigenpairs(operator, k, "smallest", tol=tol, max_matvecs=max_matvecs, block=block,
                              generator=generator or torch.Generator().manual_seed(0), progress=progress)

