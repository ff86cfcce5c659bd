"""The recommendation layer: pure rules from measured numbers to a call (SPEC §7). No I/O."""

from .measurements import Estimate, Interval, Measurements
from .rules import Evidence, Recommendation, call_from_ratio, recommend

__all__ = ["Estimate", "Evidence", "Interval", "Measurements", "Recommendation", "call_from_ratio", "recommend"]
