"""The ℓ∞-smoothness constant L∞ = ‖H‖_{∞,1} = max_{‖s‖∞≤1} ‖H s‖₁ as an interval (thesis Eq. 6.18, SPEC §4).

The maximum is attained at a vertex s ∈ {±1}^d (Rohn 2000), and computing it is NP-hard, so hessdiag
reports an interval [lo, hi] with the bound each end came from:

- exact, for small d: enumerate the 2^{d−1} sign vectors with s₁ = +1 (‖H(−s)‖₁ = ‖Hs‖₁), in
  vectorised chunks (`linf_by_enumeration`, d ≤ ENUMERATION_MAX_D by default);
- lower bounds, any d — each is ‖H x‖₁/‖x‖∞ for a vector x whose product H x was actually computed,
  which is a lower bound by the definition, never an estimate:
  * alternating sign ascent x ← sign(H x) (`sign_ascent`): for symmetric H, with t = sign(Hs),
    ‖Hs‖₁ = tᵀHs ≤ max_s' s'ᵀHt = ‖Ht‖₁, so the values never decrease; seeded restarts;
  * Eq. 6.21 with a Ritz vector v: ‖Hv‖₁/‖v‖∞ from the product H v (`ritz_lower_bound`). The
    shortcut |λ|·‖v‖₁/‖v‖∞ is *not* used: for an approximate pair it is not a bound;
  * L2 ≤ L∞ (Eq. 6.22) with the lower end of L2's certified bar;
- upper bounds (`upper`): ‖H‖_{1,1}, Prop. 6.5, the separable bound and d·L2 (Eq. 6.22);
- `bounds.assemble` turns them into the reported interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

ENUMERATION_MAX_D = 20
ENUMERATION_HARD_MAX_D = 26  # 2^25 vectors: beyond this enumeration is refused outright
MAX_ASCENT_ITERATIONS = 50
# Values of ‖Hs‖₁ within this relative distance are ties: the first start (and round) reaching one is kept.
# Two restarts that end at the same s differ only by rounding, which differs with the order of the sums
# (one process or several): the best start's name flipped between them.
TIE = 1e-10
_CHUNK_ENTRIES = 2**22  # sign-vector entries per enumeration chunk (≈ 32 MB of float64)

Matmul = Callable[[np.ndarray], np.ndarray]


def sign_vectors(d: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows start..stop of the 2^{d−1} sign vectors of {±1}^d with first entry +1 (binary order)."""
    stop = 2 ** (d - 1) if stop is None else stop
    codes = np.arange(start, stop, dtype=np.int64)
    out = np.ones((codes.size, d))
    if d > 1:
        bits = (codes[:, None] >> np.arange(d - 1, dtype=np.int64)) & 1
        out[:, 1:] = 1.0 - 2.0 * bits
    return out


def linf_by_enumeration(matrices: np.ndarray, max_d: int = ENUMERATION_HARD_MAX_D) -> tuple[np.ndarray, np.ndarray]:
    """Exact ‖H‖_{∞,1} = max_{s∈{±1}^d, s₁=+1} ‖Hs‖₁ for one matrix (d, d) or a stack (..., d, d).

    Returns (values, maximising sign vectors) with shapes (...) and (..., d). Cost 2^{d−1}·d² per
    matrix, in chunks of about 4M sign-vector entries.
    """
    matrices = np.asarray(matrices, dtype=np.float64)
    d = matrices.shape[-1]
    if matrices.shape[-2] != d:
        raise ValueError("enumeration needs square matrices")
    if d > max_d:
        raise ValueError(f"enumeration of 2^{d - 1} sign vectors refused (d = {d} > {max_d})")
    flat = matrices.reshape(-1, d, d)
    best = np.full(flat.shape[0], -np.inf)
    arg = np.zeros((flat.shape[0], d))
    total = 2 ** (d - 1)
    rows = max(1, _CHUNK_ENTRIES // (d * max(1, flat.shape[0])))
    for start in range(0, total, rows):
        signs = sign_vectors(d, start, min(total, start + rows))  # (k, d)
        values = np.abs(signs @ np.swapaxes(flat, -1, -2)).sum(axis=-1)  # rows sᵀHᵀ = (Hs)ᵀ: (n, k)
        pick = values.argmax(axis=1)
        top = values[np.arange(flat.shape[0]), pick]
        better = top > best
        best[better] = top[better]
        arg[better] = signs[pick[better]]
    return best.reshape(matrices.shape[:-2]), arg.reshape(*matrices.shape[:-2], d)


def _sign(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1.0, -1.0)


@dataclass(frozen=True)
class AscentResult:
    """The best ‖Hs‖₁ that alternating sign ascent reached, from which start, at what cost."""

    value: float
    sign: np.ndarray
    start: str
    products: int
    iterations: int
    restarts: int


def sign_ascent(matmul: Matmul, starts: np.ndarray, names: list[str],
                max_iterations: int = MAX_ASCENT_ITERATIONS, max_products: int | None = None,
                columns_at_once: int | None = None) -> AscentResult:
    """Alternating sign ascent s ← sign(H s) from each column of `starts` (d, r), run together.

    Every product H s with s ∈ {±1}^d gives the valid lower bound ‖Hs‖₁ ≤ L∞. This is the bilinear
    ascent t ← sign(Hs), s ← sign(Ht) of max tᵀHs written as one sequence; a restart stops at a fixed
    point or a 2-cycle (s, t) — both stationary for the bilinear form (for indefinite H the sequence
    often ends in a 2-cycle). One product per step; columns that have stopped are dropped from the
    next `matmul`; no new round starts once `max_products` products have been made. The signs are kept
    as int8; `columns_at_once` (None: a whole round) bounds the float64 columns of one `matmul` call —
    the memory plan's choice for large d, with the same products and the same result.
    """
    signs = np.ones(starts.shape, dtype=np.int8)
    signs[np.asarray(starts) < 0] = -1
    previous = np.zeros_like(signs)
    active = np.arange(signs.shape[1])
    best, best_sign, best_start = -np.inf, signs[:, 0].astype(np.float64), names[0]
    products = iterations = 0
    while active.size and iterations < max_iterations and (max_products is None or products < max_products):
        products += active.size
        iterations += 1
        moved = np.zeros(active.size, dtype=bool)
        group = columns_at_once or active.size
        for first in range(0, active.size, group):
            columns = active[first : first + group]
            image = matmul(signs[:, columns].astype(np.float64))
            values = np.abs(image).sum(axis=0)
            k = int(np.argmax(values >= values.max() * (1 - TIE)))  # the first of the (near-)ties
            if values[k] > best * (1 + TIE):
                best, best_start = float(values[k]), names[columns[k]]
                best_sign = signs[:, columns[k]].astype(np.float64)
            following = _sign(image).astype(np.int8)
            del image
            # a 2-cycle (s, t) is stationary too
            moved[first : first + group] = (np.any(following != signs[:, columns], axis=0)
                                            & np.any(following != previous[:, columns], axis=0))
            previous[:, columns] = signs[:, columns]
            signs[:, columns] = following
        active = active[moved]
    return AscentResult(best, best_sign, best_start, products, iterations, signs.shape[1])


def ritz_lower_bound(vectors: np.ndarray, images: np.ndarray) -> tuple[float, int]:
    """max_i ‖H v_i‖₁/‖v_i‖∞ (Eq. 6.21) from vectors (k, d) and their computed products (d, k).

    Valid for any vectors, exact eigenvectors or not, because H v_i is a computed product.
    Returns the bound and the index of the vector that gave it.
    """
    ratios = np.abs(images).sum(axis=0) / np.abs(vectors).max(axis=1)
    k = int(ratios.argmax())
    return float(ratios[k]), k


def ascent_starts(d: int, rng: np.random.Generator, random: int,
                  named: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, list[str]]:
    """Start vectors for `sign_ascent` as int8 columns (d, r): the all-ones vector, named ones (e.g. sign
    of v₁, of ∇R), and `random` Rademacher vectors from the seeded generator."""
    starts, names = np.ones((d, 1 + len(named or {}) + random), dtype=np.int8), ["ones"]
    for name, vector in (named or {}).items():
        if np.any(vector != 0):
            starts[vector < 0, len(names)] = -1
            names.append(name)
    for i in range(random):
        starts[rng.standard_normal(d) < 0, len(names)] = -1
        names.append(f"random {i + 1}")
    return starts[:, :len(names)], names
