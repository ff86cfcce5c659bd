"""Terminal block of the `spectrum` section: eigenvalue table, product counts, L2, trace, density, steps."""

from __future__ import annotations

from rich.console import Console

from ...report.terminal.format import fmt
from ...report.terminal.tables import FoldingTable


def render(result, console: Console) -> None:
    """The block for one `SpectrumResult`."""
    table = FoldingTable(title="Hessian eigenvalues (Lanczos; ± = certified bar: residual bound, or gap = Kato–Temple)")
    table.add_column("#", justify="right")
    table.add_column("top λ", justify="right")
    table.add_column("± bar (bound)", justify="right")
    bottom = result.bottom.values if result.bottom is not None else []
    if result.bottom is not None:
        table.add_column("bottom λ", justify="right")
        table.add_column("± bar (bound)", justify="right")
    for i, top in enumerate(result.top.values):
        row = [str(i + 1), fmt(top.value, 8), _bar(top)]
        if result.bottom is not None:
            b = bottom[i] if i < len(bottom) else None
            row += [fmt(b.value, 8) if b else "", _bar(b) if b else ""]
        table.add_row(*row)
    console.print(table)
    _render_copies(result, console)
    status = "converged" if result.top.converged else "NOT converged (raise --max-matvecs or --tol)"
    line = f"top-k: {result.top.matvecs} Hessian-vector products, {status}"
    if result.bottom is not None:
        b_status = "converged" if result.bottom.converged else "NOT converged"
        line += f"; bottom-k: {result.bottom.matvecs} products, {b_status}"
    console.print(line)
    if result.L2 is not None:
        console.print(f"L2 = ‖H‖₂ = {fmt(result.L2.value, 8)} ± {fmt(result.L2.residual, 2)} "
                      f"(from the {result.L2.source} of the spectrum)")
    _render_trace_and_density(result, console)
    _render_step_sizes(result, console)


def _bar(ritz) -> str:
    return f"{fmt(ritz.residual, 2)} ({ritz.bound})"


def _render_copies(result, console: Console) -> None:
    """Which values may hide further copies (a block of p vectors shows at most p + restarts copies)."""
    for name, r in (("top", result.top), ("bottom", result.bottom)):
        if r is None or not r.copies_hidden:
            continue
        if r.block_size == 1:
            console.print(f"{name}-k: single vectors show one copy of each eigenvalue (one more per restart): "
                          "a repeated eigenvalue would appear once", style="dim")
        else:
            console.print(f"{name}-k: a value showed {r.copy_limit} copies, the most blocks of {r.block_size} "
                          "vectors could show: it may have further copies", style="yellow")


SPARK = "▁▂▃▄▅▆▇█"


def _sparkline(values, width: int = 64) -> str:
    """The density on a log scale (six decades), resampled to `width` characters."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    if v.size == 0 or not np.isfinite(v).all() or v.max() <= 0:
        return ""
    chunks = np.array_split(v, min(width, v.size))
    level = np.log10(np.maximum([c.max() for c in chunks], v.max() * 1e-6) / v.max())  # in [-6, 0]
    return "".join(SPARK[int(round((lv + 6) / 6 * (len(SPARK) - 1)))] for lv in level)


def _render_trace_and_density(result, console: Console) -> None:
    t = result.trace
    if t is not None:
        how = ("exact, from the dense Hessian" if t.method == "exact" else
               f"{t.method}, {t.probes} probes" + (f" + sketch {t.sketch}" if t.sketch else "")
               + f", stopped by {'its standard error' if t.stopped_by == 'stderr' else 'the product budget'}")
        console.print(f"trace tr(H) = {fmt(t.estimate, 7)} ± {fmt(t.stderr, 2)} (1 s.e.; {how}; {t.matvecs} products)")
    m = result.mean_abs_eigenvalue
    if m is not None:
        how = "exact" if m.method == "exact" else f"SLQ with g = |·|, {m.probes} probes"
        console.print(f"mean |λ|  λ̄ = (1/d)Σ|λ_i| = {fmt(m.estimate, 6)} ± {fmt(m.stderr, 2)} (1 s.e.; {how})")
    r = result.ratios
    if r is not None:
        outlier = "—" if r.outlier is None else f"{fmt(r.outlier, 4)} ± {fmt(r.outlier_stderr, 2)}"
        cond = "— (see warnings)" if r.condition_positive is None else (
            f"{fmt(r.condition_positive, 4)} in [{fmt(r.condition_interval[0], 4)}, {fmt(r.condition_interval[1], 4)}]"
            f" (λ_min⁺ = {fmt(r.lmin_positive, 4)})")
        console.print(f"outlier ratio max|λ|/λ̄ = {outlier}; condition of the positive part λ_max/λ_min⁺ = {cond}")
    dens = result.density
    if dens is not None:
        how = ("all eigenvalues of the dense Hessian" if dens.method == "exact" else
               f"SLQ, {dens.probes} Rademacher probes × {dens.steps} Lanczos steps = {dens.matvecs} products")
        console.print(f"spectral density ({how}; Gaussian σ = {fmt(dens.sigma, 3)}, log scale):")
        console.print(f"  {fmt(float(dens.grid[0]), 3)} {_sparkline(dens.values)} {fmt(float(dens.grid[-1]), 3)}")


def _render_step_sizes(result, console: Console) -> None:
    s = result.step_sizes
    if s is None:
        return
    table = FoldingTable(title="Step sizes of the local quadratic model (range from the eigenvalues' residuals)")
    table.add_column("step", justify="left")
    table.add_column("value", justify="right")
    table.add_column("range", justify="right")
    rows = [("GD 1/L2", "gd_1_over_L2", s.gd_1_over_L2), ("GD stability limit 2/λ_max", "gd_max_2_over_lmax",
            s.gd_max_2_over_lmax), ("GD optimal 2/(λ_min+λ_max)", "gd_opt", s.gd_opt),
            ("GD along the gradient ‖g‖²/gᵀHg", "gd_along_gradient", s.gd_along_gradient),
            ("sign descent 1/L∞", "sign_1_over_Linf", s.sign_1_over_Linf)]
    for label, key, value in rows:
        lo_hi = s.intervals.get(key)
        table.add_row(label, fmt(value, 6), f"[{fmt(lo_hi[0], 6)}, {fmt(lo_hi[1], 6)}]" if lo_hi else "")
    console.print(table)
