"""Terminal block of the `geometry` section: L∞ with its interval and sources, ρ_diag, φ, R(θ)."""

from __future__ import annotations

from rich.console import Console

from ...report.terminal.format import fmt
from ...report.terminal.tables import FoldingTable

FAVOURS = {"sign": "[green]sign descent guaranteed more one-step progress[/green]",
           "euclidean": "[cyan]GD guaranteed more one-step progress[/cyan]",
           "undecided": "[yellow]undecided: the interval contains 1[/yellow]"}


def _interval(lo: float | None, hi: float | None, digits: int = 5) -> str:
    return f"[{fmt(lo, digits)}, {fmt(hi, digits)}]"


def render(result, console: Console) -> None:
    """The block for one `GeometryResult`."""
    linf, rho = result.Linf, result.rho_diag
    d = rho.d
    table = FoldingTable(title="Geometry of sign descent vs GD (thesis ch. 6) — local to this checkpoint θ")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("interval", justify="right")
    table.add_column("source")
    if result.L2 is not None:
        table.add_row("L2 = ‖H‖₂", fmt(result.L2.value, 6), f"± {fmt(result.L2.residual, 2)}",
                      f"Lanczos ({result.L2.source} of the spectrum), certified residual")
    if linf is not None:
        upper = linf.hi_source or "none survived"
        how = "exact (enumeration)" if linf.exact else f"lower: {linf.lo_source} · upper: {upper}"
        table.add_row("L∞ = ‖H‖_{∞,1}", fmt(linf.value, 6) if linf.exact else "—", _interval(linf.lo, linf.hi), how)
        if result.L2 is not None and result.L2.value > 0:
            table.add_row("L∞ / L2", "", _interval(linf.lo / result.L2.value, linf.hi / result.L2.value, 4),
                          f"from 1 to d = {d:,} (Eq. 6.22)")
    if rho is not None:
        if rho.method == "exact":
            source = f"exact, all {rho.columns:,} columns"
            interval = "exact"
        else:
            source = f"sampled: {rho.columns:,} of {rho.d:,} columns, stratified by tensor; {rho.level:.0%} bootstrap"
            interval = _interval(*(rho.ci or (None, None)))
        table.add_row("ρ_diag = Σ|H_ii| / Σ|H_ij|", fmt(rho.estimate, 5), interval, source)
        table.add_row("", "", "", f"range [1/d, 1] = [{fmt(1 / d, 3)}, 1] (Prop. 6.4)")
    if result.grad_norm is not None:
        g = result.grad_norm
        table.add_row("‖∇R‖₂ · ‖∇R‖₁", f"{fmt(g.l2, 5)} · {fmt(g.l1, 5)}", "exact", "full-selection gradient")
        table.add_row("gradient density φ", fmt(result.grad_density, 5), "exact",
                      "‖∇R‖₁²/(d‖∇R‖₂²) ∈ [1/d, 1] (Eq. 6.29)")
    ratio = result.improvement_ratio
    if ratio is not None:
        table.add_row("improvement ratio R(θ)", "", _interval(ratio.lo, ratio.hi, 4),
                      "φ·d·L2/L∞ (Eq. 6.30) from the L2 and L∞ intervals")
    console.print(table)
    if ratio is not None:
        console.print(f"R(θ) = I_sign/I_GD: {FAVOURS[ratio.favours]} at this θ "
                      "(norm-scaled sign step ‖g‖₁/L∞ vs GD step 1/L2; a local, one-step statement).")
    if linf is not None:
        _bounds(linf, console)
    if rho is not None and len(rho.per_layer) > 1:
        _layers(rho, console)


def _bounds(linf, console: Console) -> None:
    table = FoldingTable(
        title=f"L∞ bounds (widened by the rounding allowance {linf.rounding_allowance:.1e} in the interval)")
    table.add_column("side")
    table.add_column("value", justify="right")
    table.add_column("source")
    table.add_column("how")
    order = {"exact": 0, "lower": 1, "upper": 2}
    for b in sorted(linf.bounds, key=lambda b: (order[b.side], -b.value if b.side == "lower" else b.value)):
        best = b.side == "exact" or (b.side == "lower" and b.source == linf.lo_source) or (
            b.side == "upper" and b.source == linf.hi_source)
        table.add_row(b.side, fmt(b.value, 7), ("[bold]" + b.source + "[/bold]") if best else b.source, b.detail)
    console.print(table)
    if linf.matvecs:
        console.print(f"L∞ lower bounds used {linf.matvecs} Hessian-vector products.", style="dim")


def _layers(rho, console: Console) -> None:
    table = FoldingTable(title="ρ_diag per parameter tensor (its columns' diagonal share; Σ share·ρ = ρ_diag)")
    for name in ("tensor", "numel", "columns", "ρ_diag", "interval", "share of Σ|H_ij|", "in own block"):
        table.add_column(name, justify="left" if name == "tensor" else "right")
    for name, layer in rho.per_layer.items():
        interval = "exact" if layer.method == "exact" else _interval(*(layer.ci or (None, None)), 4)
        table.add_row(name, f"{layer.numel:,}", f"{layer.columns:,}", fmt(layer.estimate, 5), interval,
                      fmt(layer.share, 3), fmt(layer.block_share, 3))
    console.print(table)
