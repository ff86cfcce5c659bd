"""Whether the gradient is at rounding level: a stationary point to working precision (SPEC §7)."""

from .rounding import Stationarity, stationarity

__all__ = ["Stationarity", "stationarity"]
