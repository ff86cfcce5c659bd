"""Quantities derived from the extreme eigenvalues: the spectral norm L2 = ‖H‖₂ = max |λ_i| (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass

from ...linalg import LanczosResult


@dataclass(frozen=True)
class SpectralNorm:
    """L2 = max(|λ_max|, |λ_min|) with the residual bound of the Ritz value it came from."""

    value: float
    residual: float
    source: str  # "top" or "bottom"

    def as_dict(self) -> dict:
        return {"value": self.value, "residual": self.residual}


def spectral_norm(top: LanczosResult, bottom: LanczosResult | None) -> SpectralNorm:
    """‖H‖₂ from the largest and smallest Ritz values.

    When the two candidates' bars overlap, the residual is widened so that the reported interval
    [value − residual, value + residual] contains max(|λ_max|, |λ_min|) whichever end it is.
    """
    hi = top.values[0]
    candidates = [("top", abs(hi.value), hi.residual)]
    if bottom is not None and bottom.values:
        lo = bottom.values[0]
        candidates.append(("bottom", abs(lo.value), lo.residual))
    source, value, residual = max(candidates, key=lambda c: c[1])
    upper = max(v + r for _, v, r in candidates)
    lower = max(v - r for _, v, r in candidates)
    return SpectralNorm(value, max(residual, upper - value, value - lower), source)
