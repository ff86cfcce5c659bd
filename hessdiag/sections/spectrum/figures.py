"""Figures of the spectrum section: eigenvalues with their bars, and the spectral density."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report.figures import new_figure

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure


def plot_eigenvalues(result) -> Figure:
    """Top and bottom Ritz values with their certified residual bars."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 3.6), dpi=100, layout="constrained")
    parts = [("top (descending)", result.top.values), ("bottom (ascending)", result.bottom.values)]
    for i, (title, values) in enumerate(parts):
        ax = fig.add_subplot(1, len(parts), i + 1)
        v = np.array([e.value for e in values], dtype=float)
        r = np.array([e.residual for e in values], dtype=float)
        ax.errorbar(np.arange(1, len(v) + 1), v, yerr=r, fmt="o", capsize=4, color="C0" if i == 0 else "C3")
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.set_title(f"Hessian eigenvalues: {title}", fontsize=9)
        ax.set_xlabel("index")
        ax.set_xticks(np.arange(1, len(v) + 1))
        ax.text(0.02, 0.02, f"max residual {np.nanmax(r):.1e}", transform=ax.transAxes, fontsize=8, color="0.3")
    return fig


def plot_density(result) -> Figure | None:
    """Spectral density (SLQ or exact, Gaussian-smoothed) with the quadrature nodes as a rug."""
    dens = result.density
    if dens.grid.size == 0:
        return None
    fig, ax = new_figure()
    grid, values = np.asarray(dens.grid, float), np.asarray(dens.values, float)
    floor = max(values.max() * 1e-8, 1e-300) if values.size else 1e-300
    ax.semilogy(grid, np.maximum(values, floor), color="C0")
    nodes = np.asarray(dens.nodes, float).ravel()
    if nodes.size:
        ax.plot(nodes, np.full_like(nodes, floor), "|", color="C3", ms=12, alpha=0.5, label="quadrature nodes")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("eigenvalue λ")
    ax.set_ylabel("density (log scale)")
    how = "exact eigenvalues, Gaussian-smoothed" if dens.method == "exact" else "stochastic Lanczos quadrature"
    ax.set_title(f"Hessian spectral density ({how})", fontsize=9)
    return fig
