"""Figures of the recommendation: the race of both families from θ."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report.figures import new_figure

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure


def plot_race(result) -> Figure | None:
    """Loss after each full-batch step of GD (1/L2) and norm-scaled sign descent (1/L∞)."""
    race = result.race
    if not race:
        return None
    fig, ax = new_figure(7.0, 3.6)
    steps = np.arange(len(race["gd_losses"]))

    def finite(losses) -> np.ndarray:  # +inf: the family diverged; drawn as a gap
        values = np.asarray(losses, dtype=float)
        return np.where(np.isfinite(values), values, np.nan)

    ax.plot(steps, finite(race["gd_losses"]), "o-", color="C0", label="GD, step 1/L2")
    ax.plot(steps, finite(race["sign_losses"]), "s-", color="C3", label="norm-scaled sign, step 1/L∞")
    ax.set_xlabel("full-batch step from θ")
    ax.set_ylabel("loss R")
    ax.legend(fontsize=8)
    agrees = race.get("agrees")
    ax.set_title(f"race: {race['winner']} wins" + ("" if agrees is None else
                                                   (" (agrees with the call)" if agrees else
                                                    " (disagrees with the call)")), fontsize=9)
    return fig
