"""The recommendation layer: pure rules from measured numbers to a call (SPEC §7). No I/O."""

from .evidence import Evidence
from .measurements import Measured, Measurements
from .rules import Recommendation, call_from_ratio, recommend

__all__ = ["Evidence", "Measured", "Measurements", "Recommendation", "call_from_ratio", "recommend"]
