"""Terminal output of `hessdiag calibrate`: winners, predictions, L∞/L2 and ρ_diag per cell, agreement."""

from __future__ import annotations

from rich import box
from rich.console import Console

from ...experiments.calibration import Calibration
from ...recommend.calibration import CalibrationCalls
from .tables import FoldingTable


def _table(cal: Calibration, title: str, cell_text) -> FoldingTable:
    """Rows φ, columns λ_max (first row: λ_max/λ̄), compact enough for 80 columns."""
    table = FoldingTable(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left")
    table.add_column("φ", justify="right", no_wrap=True)
    for lam in cal.lambda_max:
        table.add_column(f"λ={lam:g}", justify="right", no_wrap=True)
    table.add_row("λ/λ̄", *[f"{cal.cell(lam, cal.phi[0]).lambda_ratio:.3g}" for lam in cal.lambda_max],
                  style="dim", end_section=True)
    for f in cal.phi:
        table.add_row(f"{f:g}", *[cell_text(cal.cell(lam, f)) for lam in cal.lambda_max])
    return table


def _winner(cell) -> str:
    letter = "[green]S[/green]" if cell.winner == "sign" else ("[cyan]G[/cyan]" if cell.winner == "gd" else "=")
    mark = "✓" if cell.agrees else "[red]✗[/red]"
    return f"{letter}{cell.mean_R:.2f}{mark}"


def render_calibration(cal: Calibration, console: Console, calls: CalibrationCalls | None = None) -> None:
    console.print(f"[bold]Calibration on Balles' quadratics[/bold] (thesis App. C.4, Fig. 6.3): d = {cal.dim}, "
                  f"{cal.reps} repetitions per cell, seed {cal.seed}; H = R^φ Λ R^φᵀ, Λ = diag(1, …, 1, λ_max); "
                  f"T = {cal.steps} steps of GD (1/L2) and norm-scaled sign descent (‖g‖₁/L∞, L∞ exact).")
    console.print(_table(cal, "Winner after T steps (S sign descent, G GD: smaller ‖θ_T‖², by the mean log ratio "
                              "over repetitions), mean R(θ₀), ✓ when 'R > 1 ⇒ sign' agrees", _winner))
    console.print(_table(cal, "L∞/L2 (means over repetitions; from 1 to d)", lambda c: f"{c.linf_over_l2:.3g}"))
    console.print(_table(cal, "ρ_diag (means over repetitions; from 1/d to 1)", lambda c: f"{c.rho_diag:.3f}"))
    agree = sum(c.agrees for c in cal.cells)
    console.print(f"[bold]agreement rate[/bold] of the local rule R(θ₀) > 1 with the winner after {cal.steps} steps: "
                  f"{agree}/{len(cal.cells)} cells = {cal.agreement_rate:.1%} "
                  f"(per repetition: {cal.run_agreement_rate:.1%}). R compares one step from θ₀; "
                  "it is a local guarantee, not a forecast of the whole run.")
    if calls is not None:
        d = calls.as_dict()
        rate = "—" if calls.follow_rate is None else f"{calls.follow_rate:.0%}"
        console.print(f"[bold]recommendation[/bold] (call from the interval of R(θ₀) over the repetitions): "
                      f"conclusive in {d['conclusive_cells']} cells, following the winner in {rate} of them; "
                      f"inconclusive in {d['inconclusive_cells']} cells, where R straddles 1.")
