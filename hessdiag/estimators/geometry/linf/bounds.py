"""Bounds on L∞ = ‖H‖_{∞,1} and the interval they make (thesis §6.4, SPEC §4).

Every bound is a `Bound` with its side ("lower", "upper" or "exact"), its source and its raw value.
`assemble` keeps the largest lower and the smallest upper bound and widens them by a relative rounding
allowance δ = 16·√d·ε of the products' dtype: the products (and a dense matrix built from them)
carry that dtype's rounding, so, as for the Lanczos bars, the bounds hold up to it. An exact value
is reported as [v(1−δ), v(1+δ)] with `exact: true`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Bound:
    """One bound on L∞: `side` is "lower", "upper" or "exact"; `value` as computed (before the allowance)."""

    side: str
    source: str
    value: float
    detail: str = ""

    def as_dict(self) -> dict:
        return {"side": self.side, "source": self.source, "value": self.value, "detail": self.detail}


@dataclass(frozen=True)
class LinfInterval:
    """L∞ ∈ [lo, hi]: the tightest bounds found, widened by the rounding allowance.

    `matvecs` counts the Hessian-vector products made for these bounds beyond any Hessian columns
    (0 when every bound came from a dense matrix); `bounds` lists every bound with its raw value.
    """

    lo: float
    hi: float
    exact: bool
    lo_source: str
    hi_source: str | None  # None: no upper bound survived (hi = inf)
    bounds: list[Bound] = field(default_factory=list)
    matvecs: int = 0
    rounding_allowance: float = 0.0

    @property
    def value(self) -> float | None:
        """The exact value when enumeration gave it, else None."""
        return 0.5 * (self.lo + self.hi) if self.exact else None

    def as_dict(self) -> dict:
        return {"lo": self.lo, "hi": self.hi, "exact": self.exact, "lo_source": self.lo_source,
                "hi_source": self.hi_source, "value": self.value, "matvecs": self.matvecs,
                "rounding_allowance": self.rounding_allowance,
                "bounds": [b.as_dict() for b in self.bounds],
                "note": "local: the norm ‖H‖_{∞,1} of the Hessian at this checkpoint θ"}


def rounding_allowance(d: int, eps: float) -> float:
    """δ = 16·√d·ε: the relative rounding the bounds are widened by (see the module docstring)."""
    return 16.0 * float(np.sqrt(max(d, 1))) * eps


def assemble(bounds: list[Bound], d: int, eps: float, matvecs: int = 0) -> LinfInterval:
    """The interval [max lower, min upper] with its sources, widened by `rounding_allowance(d, eps)`.

    A bound with source "enumeration" is the exact value: it is then both ends and `exact` is true.
    """
    lowers = [b for b in bounds if b.side in ("lower", "exact") and np.isfinite(b.value)]
    uppers = [b for b in bounds if b.side in ("upper", "exact") and np.isfinite(b.value)]
    if not lowers or not uppers:
        raise ValueError("an L∞ interval needs at least one lower and one upper bound")
    enumerated = [b for b in bounds if b.source == "enumeration"]
    delta = rounding_allowance(d, eps)
    lo_b = enumerated[0] if enumerated else max(lowers, key=lambda b: b.value)
    lo = max(lo_b.value, 0.0) * (1 - delta)
    # An upper bound below a proven lower bound (beyond rounding) was not a bound: d·L2 with L2 read from
    # an unconverged Lanczos bar can be. It is dropped; with none left the interval has no upper end.
    valid = [b for b in uppers if b.value * (1 + delta) >= lo]
    hi_b = enumerated[0] if enumerated else (min(valid, key=lambda b: b.value) if valid else None)
    hi = math.inf if hi_b is None else max(hi_b.value * (1 + delta), lo)
    return LinfInterval(float(lo), float(hi), bool(enumerated), lo_b.source, hi_b.source if hi_b else None,
                        list(bounds), matvecs, delta)
