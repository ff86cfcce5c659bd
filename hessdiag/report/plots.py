"""PNG figures of a report (matplotlib, Agg backend), rendered from the JSON document.

Each plotter takes the report's JSON dict (the stable SPEC §8 contract) and returns a figure, or None
when its section was not measured. `render_figures` returns {name: PNG bytes}.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

Doc = dict[str, Any]


def _figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot(1, 1, 1)


def plot_eigenvalues(doc: Doc) -> Figure | None:
    """Top and bottom Ritz values with their certified residual bars."""
    eig = doc.get("eigenvalues")
    if not eig or not eig.get("top"):
        return None
    fig = Figure(figsize=(7.0, 3.6), dpi=100, layout="constrained")
    parts = [("top (descending)", eig["top"])]
    if eig.get("bottom"):
        parts.append(("bottom (ascending)", eig["bottom"]))
    for i, (title, values) in enumerate(parts):
        ax = fig.add_subplot(1, len(parts), i + 1)
        v = np.array([e["value"] for e in values], dtype=float)
        r = np.array([e["residual"] if e["residual"] is not None else np.nan for e in values], dtype=float)
        ax.errorbar(np.arange(1, len(v) + 1), v, yerr=r, fmt="o", capsize=4, color="C0" if i == 0 else "C3")
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.set_title(f"Hessian eigenvalues: {title}", fontsize=9)
        ax.set_xlabel("index")
        ax.set_xticks(np.arange(1, len(v) + 1))
        ax.text(0.02, 0.02, f"max residual {np.nanmax(r):.1e}", transform=ax.transAxes, fontsize=8, color="0.3")
    return fig


def plot_density(doc: Doc) -> Figure | None:
    """Spectral density (SLQ, Gaussian-smoothed) with the quadrature nodes as a rug."""
    dens = doc.get("density")
    if not dens or not dens.get("grid"):
        return None
    fig, ax = _figure()
    grid, values = np.asarray(dens["grid"], float), np.asarray(dens["values"], float)
    floor = max(values.max() * 1e-8, 1e-300) if values.size else 1e-300
    ax.semilogy(grid, np.maximum(values, floor), color="C0")
    nodes = np.asarray(dens.get("nodes") or [], float).ravel()
    if nodes.size:
        ax.plot(nodes, np.full_like(nodes, floor), "|", color="C3", ms=12, alpha=0.5, label="quadrature nodes")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("eigenvalue λ")
    ax.set_ylabel("density (log scale)")
    how = "exact eigenvalues, Gaussian-smoothed" if dens.get("method") == "exact" else "stochastic Lanczos quadrature"
    ax.set_title(f"Hessian spectral density ({how})", fontsize=9)
    return fig


def plot_rho_diag_per_layer(doc: Doc) -> Figure | None:
    """ρ_diag per parameter tensor, with its interval where one was estimated."""
    rho = doc.get("rho_diag")
    layers = (rho or {}).get("per_layer") or {}
    rows = [(name, v) for name, v in layers.items() if isinstance(v, dict) and v.get("estimate") is not None]
    if not rows:
        return None
    fig, ax = _figure(7.0, max(2.5, 0.35 * len(rows) + 1.2))
    names = [name for name, _ in rows]
    est = np.array([v["estimate"] for _, v in rows], float)
    lo = np.array([(v.get("ci") or [e, e])[0] for (_, v), e in zip(rows, est)], float)
    hi = np.array([(v.get("ci") or [e, e])[1] for (_, v), e in zip(rows, est)], float)
    y = np.arange(len(rows))
    ax.barh(y, est, color="C2", alpha=0.8, xerr=[est - lo, hi - est], capsize=3)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    overall = (rho or {}).get("estimate")
    if overall is not None:
        ax.axvline(overall, color="k", ls="--", lw=1, label=f"whole model {overall:.3g}")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("ρ_diag = Σ|H_ii| / Σ|H_ij|")
    ax.set_title("Diagonal concentration of the Hessian per layer", fontsize=9)
    return fig


def plot_noise(doc: Doc) -> Figure | None:
    """Sign reliability by batch size, and per-layer spread of the per-coordinate noise η_i²."""
    noise = doc.get("noise")
    if not noise:
        return None
    by_batch = (noise.get("sign_agreement") or {}).get("coin_flip_share_by_batch_size") or {}
    layers = {k: v for k, v in (noise.get("per_layer") or {}).items() if isinstance(v, dict)}
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
    rows = [(name, (v.get("eta2") or {})) for name, v in layers.items()]
    rows = [(name, q) for name, q in rows if q.get("q50") is not None]
    if rows:
        y = np.arange(len(rows))
        for i, (_, q) in enumerate(rows):
            lo, hi = q.get("q05", q["q50"]), q.get("q95", q["q50"])
            ax.plot([lo, hi], [i, i], color="C0", lw=1)
            ax.plot([q.get("q25", q["q50"]), q.get("q75", q["q50"])], [i, i], color="C0", lw=5, alpha=0.6)
            ax.plot([q["q50"]], [i], "k|", ms=12)
        ax.set_xscale("log")
        ax.set_yticks(y, [name for name, _ in rows], fontsize=8)
        ax.invert_yaxis()
    ax.set_xlabel("per-coordinate η_i² (single sample; 5/25/50/75/95 %)")
    ax.set_title("noise-to-signal per coordinate, by layer", fontsize=9)
    return fig


def plot_race(doc: Doc) -> Figure | None:
    """Loss after each full-batch step of GD (1/L2) and norm-scaled sign descent (1/L∞)."""
    race = (doc.get("recommendation") or {}).get("race")
    if not race:
        return None
    fig, ax = _figure(7.0, 3.6)
    steps = np.arange(len(race["gd_losses"]))

    def finite(losses):  # null: the family diverged (loss overflowed); drawn as a gap
        return np.array([np.nan if v is None else v for v in losses], dtype=float)

    ax.plot(steps, finite(race["gd_losses"]), "o-", color="C0", label="GD, step 1/L2")
    ax.plot(steps, finite(race["sign_losses"]), "s-", color="C3", label="norm-scaled sign, step 1/L∞")
    ax.set_xlabel("full-batch step from θ")
    ax.set_ylabel("loss R")
    ax.legend(fontsize=8)
    ax.set_title(f"race: {race['winner']} wins" + ("" if race.get("agrees") is None else
                                                    (" (agrees with the call)" if race["agrees"] else
                                                     " (disagrees with the call)")), fontsize=9)
    return fig


PLOTTERS: dict[str, Callable[[Doc], Figure | None]] = {
    "eigenvalues": plot_eigenvalues,
    "density": plot_density,
    "rho_diag_per_layer": plot_rho_diag_per_layer,
    "noise": plot_noise,
    "race": plot_race,
}


def to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def render_figures(doc: Doc) -> dict[str, bytes]:
    """PNG bytes of every figure whose section is in the report."""
    figures = {}
    with warnings.catch_warnings():  # degenerate data (one sample, equal limits) draws fine; no noise on stderr
        warnings.simplefilter("ignore", UserWarning)
        for name, plotter in PLOTTERS.items():
            fig = plotter(doc)
            if fig is not None:
                figures[name] = to_png(fig)
    return figures
