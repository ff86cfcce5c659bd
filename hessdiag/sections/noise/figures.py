"""Figures of the noise section: sign reliability by batch size, per-layer spread of η_i²."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...report.document import json_safe

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure


def plot_noise(result) -> Figure | None:
    """Sign reliability by batch size, and per-layer spread of the per-coordinate noise η_i²."""
    if result is None:
        return None
    noise = json_safe(result.as_dict())
    by_batch = noise["sign_agreement"]["coin_flip_share_by_batch_size"]
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 3.6), dpi=100, layout="constrained")
    ax = fig.add_subplot(1, 2, 1)
    if by_batch:
        sizes = sorted(int(k) for k in by_batch)
        ax.semilogx(sizes, [by_batch[str(m)] for m in sizes], "o-", color="C1", base=2)
        ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mini-batch size m")
    ax.set_ylabel("share of coordinates")
    ax.set_title("coordinates whose stochastic sign is a near coin flip", fontsize=9)
    ax = fig.add_subplot(1, 2, 2)
    rows = [(name, layer["eta2"]) for name, layer in noise["per_layer"].items() if layer["eta2"]["q50"] is not None]
    if rows:
        y = np.arange(len(rows))
        for i, (_, q) in enumerate(rows):
            q = {k: np.nan if v is None else v for k, v in q.items()}  # null: an infinite η_i² quantile
            ax.plot([q["q05"], q["q95"]], [i, i], color="C0", lw=1)
            ax.plot([q["q25"], q["q75"]], [i, i], color="C0", lw=5, alpha=0.6)
            ax.plot([q["q50"]], [i], "k|", ms=12)
        ax.set_xscale("log")
        ax.set_yticks(y, [name for name, _ in rows], fontsize=8)
        ax.invert_yaxis()
    ax.set_xlabel("per-coordinate η_i² (single sample; 5/25/50/75/95 %)")
    ax.set_title("noise-to-signal per coordinate, by layer", fontsize=9)
    return fig
