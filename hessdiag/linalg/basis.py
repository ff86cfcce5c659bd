"""The orthonormal basis of a Lanczos run, stored as it grows and within a stated size.

Rows q_1, …, q_n (d-vectors) are kept in the products' dtype — float32 products give a float32 basis,
half the memory of float64 — in chunks of `CHUNK` rows allocated as the basis grows, so a basis never
holds memory for vectors it has not stored yet (a 300-product budget on a 22.7M-parameter model
would otherwise reserve 54 GB up front). Arithmetic with the basis is done in its dtype, one chunk at
a time; callers keep their own vectors (and all recurrence coefficients) in float64. The rounding of
a float32 basis is of the order of the float32 products' own rounding, which the Lanczos bounds
already allow for (`eigen`, ε of the products' dtype).

`orthogonalise` is classical Gram–Schmidt with a second pass where the first one cancelled much of a
column ("twice is enough", Giraud et al. 2005; the DGKS test of Daniel, Gragg, Kaufman & Stewart 1976,
as in ARPACK): a column w whose norm after the pass is still ≥ ‖w‖/√2 lost no significant digits to
cancellation and is orthogonal to the basis to working precision; any other column gets the second
pass. In Lanczos the three-term recurrence has already removed most of A q, so the first pass takes
off only the drift and the second is rarely needed: each pass reads the whole basis, and on a
22.7M-parameter model the passes, not the products, are most of a Lanczos step.

`keep_combinations` replaces the basis by ℓ linear combinations of its rows in place (thick restart:
the kept Ritz vectors), slice by slice of the coordinates, so a restart needs no second copy of the
basis.
"""

from __future__ import annotations

import torch
from torch import Tensor

CHUNK = 8  # rows per allocation
SLICE = 1 << 20  # coordinates per slice when the basis is recombined in place
DGKS = 0.5**0.5  # a column that keeps this share of its norm in a Gram–Schmidt pass needs no second one


class Basis:
    """Orthonormal rows in `dtype`, appended as they come; at most `capacity` rows (None: no limit)."""

    def __init__(self, d: int, dtype: torch.dtype, device: torch.device | str, capacity: int | None = None) -> None:
        self.d, self.dtype, self.device, self.capacity = d, dtype, torch.device(device), capacity
        self._chunks: list[Tensor] = []
        self.size = 0
        self.passes = 0  # Gram–Schmidt passes of the last `orthogonalise`

    @property
    def nbytes(self) -> int:
        """Bytes allocated for the rows (whole chunks)."""
        return sum(c.numel() * c.element_size() for c in self._chunks)

    def row_bytes(self) -> int:
        return self.d * torch.empty((), dtype=self.dtype).element_size()

    def free(self) -> int | None:
        """How many more rows fit within the capacity (None: no limit)."""
        return None if self.capacity is None else self.capacity - self.size

    def _views(self) -> list[Tensor]:
        """The stored rows, chunk by chunk (views trimmed to the rows in use)."""
        views, left = [], self.size
        for chunk in self._chunks:
            if left <= 0:
                break
            views.append(chunk[: min(left, chunk.shape[0])])
            left -= chunk.shape[0]
        return views

    def append(self, rows: Tensor) -> None:
        """Store rows (k, d) (any float dtype) after the existing ones."""
        if self.capacity is not None and self.size + rows.shape[0] > self.capacity:
            raise ValueError(f"the basis holds at most {self.capacity} rows")
        for row in rows:
            index = self.size
            chunk, offset = divmod(index, CHUNK)
            if chunk == len(self._chunks):
                self._chunks.append(torch.empty(CHUNK, self.d, dtype=self.dtype, device=self.device))
            self._chunks[chunk][offset] = row
            self.size += 1

    def row(self, index: int) -> Tensor:
        chunk, offset = divmod(index, CHUNK)
        return self._chunks[chunk][offset]

    def project(self, w: Tensor) -> Tensor:
        """Q w for w (d, k): the (size, k) float64 coefficients of w on the rows."""
        if self.size == 0:
            return w.new_zeros(0, w.shape[1])
        wd = w.to(self.dtype)
        return torch.cat([v @ wd for v in self._views()]).to(torch.float64)

    def expand(self, coefficients: Tensor, rows: slice | None = None) -> Tensor:
        """Qᵀ c (d, k) float64 for coefficients c (size, k) (or for the rows in `rows` only)."""
        out = torch.zeros(self.d, coefficients.shape[1], dtype=torch.float64, device=self.device)
        c = coefficients.to(device=self.device, dtype=self.dtype)
        start = 0
        lo, hi = (0, self.size) if rows is None else (rows.start or 0, self.size if rows.stop is None else rows.stop)
        for v in self._views():
            stop = start + v.shape[0]
            a, b = max(lo, start), min(hi, stop)
            if a < b:
                out += (v[a - start : b - start].T @ c[a - lo : b - lo]).to(torch.float64)
            start = stop
        return out

    def orthogonalise(self, w: Tensor, passes: int = 2) -> Tensor:
        """w − Qᵀ(Q w) for w (d, k), repeated up to `passes` times: a further pass only while some column
        kept less than 1/√2 of its norm in the last one (the DGKS test; see the module docstring)."""
        self.passes = 0
        for _ in range(passes):
            if self.size == 0:
                break
            before = torch.linalg.vector_norm(w, dim=0)
            w = w - self.expand(self.project(w))
            self.passes += 1
            if bool((torch.linalg.vector_norm(w, dim=0) >= DGKS * before).all()):
                break
        return w

    def keep_combinations(self, s: Tensor) -> None:
        """Replace the rows by the ℓ combinations sᵀQ (s of shape (size, ℓ), ℓ ≤ size), in place."""
        n, keep = s.shape
        if n != self.size or keep > n:
            raise ValueError(f"combinations of shape {tuple(s.shape)} for a basis of {self.size} rows")
        views = self._views()
        sd = s.to(device=self.device, dtype=self.dtype)
        for a in range(0, self.d, SLICE):
            b = min(a + SLICE, self.d)
            block = torch.cat([v[:, a:b] for v in views])  # (n, slice): one slice of every row
            new = sd.T @ block  # (ℓ, slice)
            written = 0
            for v in views:
                take = min(v.shape[0], keep - written)
                if take <= 0:
                    break
                v[:take, a:b] = new[written : written + take]
                written += take
        self.size = keep
        self._chunks = self._chunks[: -(-keep // CHUNK)] if keep else []

    def rows(self, start: int = 0, stop: int | None = None) -> Tensor:
        """Rows start..stop as one float64 (k, d) tensor (a copy)."""
        stop = self.size if stop is None else stop
        return torch.stack([self.row(i) for i in range(start, stop)]).to(torch.float64) if stop > start else \
            torch.zeros(0, self.d, dtype=torch.float64, device=self.device)
