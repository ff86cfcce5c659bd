"""Figures of the recommendation: the tuned race of both families from θ."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report.figures import new_figure

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure

LABELS = {"sgdm": "SGD + momentum", "adam": "Adam"}


def plot_race(result) -> Figure | None:
    """Full-data loss along the race at each family's best learning rate (median over seeds)."""
    race = result.race
    if not race:
        return None
    fig, ax = new_figure(7.0, 3.6)
    steps = np.asarray(race["checkpoints"], dtype=float)
    for colour, (name, fam) in zip(("C0", "C3"), race["families"].items()):
        values = np.asarray(fam["best_curve"], dtype=float)
        values = np.where(np.isfinite(values), values, np.nan)  # +inf: diverged, drawn as a gap
        ax.plot(steps, values, "o-", color=colour, label=f"{LABELS.get(name, name)}, lr {fam['best_lr']:.3g}")
    ax.set_xlabel(f"mini-batch step from θ (batch {race['batch_size']})")
    ax.set_ylabel("loss R (full data)")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    agrees = race.get("agrees")
    ax.set_title(f"tuned race: {race['winner']} (loss ratio SGD/Adam {race['ratio']:.3g})" + (
        "" if agrees is None else (" agrees with the call" if agrees else " disagrees with the call")), fontsize=9)
    return fig
