"""The recommendation rules on the calibration grid: does the call follow the 100-step race?

Each cell of `hessdiag calibrate` is a quadratic whose R(θ₀) was measured over several random θ₀;
the cell's evidence is the interval [min R, max R] over those repetitions, and the rules turn it
into a call exactly as for a checkpoint. A cell whose interval straddles 1 is inconclusive; a
conclusive call is checked against the cell's winner after T steps of GD and sign descent.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..experiments.calibration import Calibration
from ..linalg.intervals import Interval
from .rules import INCONCLUSIVE, call_from_ratio

_WINNER_FAMILY = {"sign": "sign", "gd": "euclidean", "tie": "tie"}


@dataclass(frozen=True)
class CellCall:
    lambda_max: float
    phi: float
    call: str
    winner: str  # "sign" | "euclidean" | "tie"

    @property
    def follows(self) -> bool | None:
        """None for an inconclusive call or a tie; else whether the call names the winner."""
        if self.call == INCONCLUSIVE or self.winner == "tie":
            return None
        return self.call == self.winner


@dataclass(frozen=True)
class CalibrationCalls:
    cells: list[CellCall]

    @property
    def conclusive(self) -> list[CellCall]:
        return [c for c in self.cells if c.follows is not None]

    @property
    def follow_rate(self) -> float | None:
        """Share of conclusive cells whose call names the race's winner."""
        decided = self.conclusive
        return sum(bool(c.follows) for c in decided) / len(decided) if decided else None

    def as_dict(self) -> dict:
        return {
            "calls": [{"lambda_max": c.lambda_max, "phi": c.phi, "call": c.call, "winner": c.winner,
                       "follows": c.follows} for c in self.cells],
            "follow_rate": self.follow_rate,
            "conclusive_cells": len(self.conclusive),
            "inconclusive_cells": sum(c.call == INCONCLUSIVE for c in self.cells),
            "note": "call from the interval of R(θ₀) over the repetitions; follows: the call names the winner",
        }


def calibration_calls(calibration: Calibration) -> CalibrationCalls:
    """The recommendation's call in every cell of the grid, next to the cell's race winner."""
    return CalibrationCalls([
        CellCall(c.lambda_max, c.phi, call_from_ratio(Interval(*c.R_range)), _WINNER_FAMILY[c.winner])
        for c in calibration.cells
    ])
