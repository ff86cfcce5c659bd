"""The calibration heatmap in the spirit of the thesis' Fig. 6.3, written atomically as a PNG.

Left: L∞/L2 over (λ_max/λ̄, φ) — it grows as the eigenvectors rotate away from the axes. Right: the
mean log10 ratio of the distances to the optimum after T steps, sign descent over GD (blue: sign
descent ahead, red: GD ahead; clipped like the thesis' colour map), with the line of equal performance
(solid), the prediction boundary mean R(θ₀) = 1 (dashed), and a cross on every cell where the
prediction "R > 1 ⇒ sign" disagrees with the winner.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from ..experiments.calibration import Calibration
from .atomic import write_atomic

CLIP = 5.0  # |log10 distance ratio| shown; GD reaches θ* exactly at λ_max = 1 (ratio ~10^±280)


def _grid(cal: Calibration, key: str) -> np.ndarray:
    return np.array([[getattr(cal.cell(lam, f), key) for lam in cal.lambda_max] for f in cal.phi])


def render_png(cal: Calibration) -> bytes:
    """The figure as PNG bytes (matplotlib's object API: no backend is switched)."""
    from matplotlib.figure import Figure

    ratio_labels = [f"{cal.cell(lam, cal.phi[0]).lambda_ratio:.3g}" for lam in cal.lambda_max]
    x, y = np.arange(len(cal.lambda_max)), np.arange(len(cal.phi))
    fig = Figure(figsize=(11, 4.6), dpi=110, layout="constrained")
    left, right = fig.subplots(1, 2)
    panels = ((left, _grid(cal, "linf_over_l2"), "viridis", None, "L∞ / L2"),
              (right, np.clip(_grid(cal, "log10_ratio"), -CLIP, CLIP), "RdBu_r", (-CLIP, CLIP),
               "log10(‖θ_T−θ*‖² sign / GD)"))
    for ax, values, cmap, limits, label in panels:
        image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap,
                          vmin=limits[0] if limits else None, vmax=limits[1] if limits else None)
        fig.colorbar(image, ax=ax, label=label)
        ax.set_xticks(x, ratio_labels)
        ax.set_yticks(y, [f"{f:g}" for f in cal.phi])
        ax.set_xlabel("λ_max / λ̄")
        ax.set_ylabel("rotation φ")
    left.set_title(f"L∞/L2 (d = {cal.dim}; from 1 to d)")
    right.set_title(f"after T = {cal.steps} steps: blue = sign descent ahead")
    log_ratio, mean_r = _grid(cal, "log10_ratio"), _grid(cal, "mean_R")
    if log_ratio.min() < 0 < log_ratio.max() and min(log_ratio.shape) > 1:
        right.contour(x, y, log_ratio, levels=[0.0], colors="black", linewidths=1.5)
    if mean_r.min() < 1 < mean_r.max() and min(mean_r.shape) > 1:
        right.contour(x, y, mean_r, levels=[1.0], colors="black", linestyles="dashed", linewidths=1.2)
    wrong = np.array([[not cal.cell(lam, f).agrees for lam in cal.lambda_max] for f in cal.phi])
    yy, xx = np.nonzero(wrong)
    right.scatter(xx, yy, marker="x", color="black", s=30, label="R > 1 rule disagrees")
    fig.suptitle(f"hessdiag calibrate: agreement of 'R(θ₀) > 1 ⇒ sign' with the winner: "
                 f"{cal.agreement_rate:.0%} of cells (solid: equal performance, dashed: mean R = 1)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def write_png(cal: Calibration, path: str | Path) -> Path:
    return write_atomic(path, render_png(cal))
