"""Terminal block of the `spectrum` section: eigenvalue table, product counts, L2."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..document import Report
from .format import fmt


def render(report: Report, console: Console) -> None:
    if report.top is None:
        return
    table = Table(title="Hessian eigenvalues (Lanczos; ± = certified residual bound)")
    table.add_column("#", justify="right")
    table.add_column("top λ", justify="right")
    table.add_column("± residual", justify="right")
    bottom = report.bottom.values if report.bottom is not None else []
    if report.bottom is not None:
        table.add_column("bottom λ", justify="right")
        table.add_column("± residual", justify="right")
    for i, top in enumerate(report.top.values):
        row = [str(i + 1), fmt(top.value, 8), fmt(top.residual, 2)]
        if report.bottom is not None:
            b = bottom[i] if i < len(bottom) else None
            row += [fmt(b.value, 8) if b else "", fmt(b.residual, 2) if b else ""]
        table.add_row(*row)
    console.print(table)
    status = "converged" if report.top.converged else "NOT converged (raise --max-matvecs or --tol)"
    line = f"top-k: {report.top.matvecs} Hessian-vector products, {status}"
    if report.bottom is not None:
        b_status = "converged" if report.bottom.converged else "NOT converged"
        line += f"; bottom-k: {report.bottom.matvecs} products, {b_status}"
    console.print(line)
    if report.L2 is not None:
        console.print(f"L2 = ‖H‖₂ = {fmt(report.L2.value, 8)} ± {fmt(report.L2.residual, 2)} "
                      f"(from the {report.L2.source} of the spectrum)")
