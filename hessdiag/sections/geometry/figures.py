"""Figures of the geometry section: ρ_diag per parameter tensor."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report.figures import new_figure

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure


def plot_rho_diag_per_layer(result) -> Figure | None:
    """ρ_diag per parameter tensor, with its interval where one was estimated."""
    rho = result.rho_diag
    rows = [(name, layer) for name, layer in rho.per_layer.items() if layer.estimate is not None]
    if not rows:
        return None
    fig, ax = new_figure(7.0, max(2.5, 0.35 * len(rows) + 1.2))
    names = [name for name, _ in rows]
    est = np.array([layer.estimate for _, layer in rows], float)
    lo = np.array([(layer.ci or (e, e))[0] for (_, layer), e in zip(rows, est)], float)
    hi = np.array([(layer.ci or (e, e))[1] for (_, layer), e in zip(rows, est)], float)
    y = np.arange(len(rows))
    ax.barh(y, est, color="C2", alpha=0.8, xerr=[est - lo, hi - est], capsize=3)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    if rho.estimate is not None:
        ax.axvline(rho.estimate, color="k", ls="--", lw=1, label=f"whole model {rho.estimate:.3g}")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("ρ_diag = Σ|H_ii| / Σ|H_ij|")
    ax.set_title("Diagonal concentration of the Hessian per layer", fontsize=9)
    return fig
