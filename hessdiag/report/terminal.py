"""Terminal output with rich: the report as tables, and progress bars for long work."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .document import Report

ProgressFactory = Callable[[str, int], Callable[[int, int], None]]


@contextlib.contextmanager
def rich_progress(console: Console, enabled: bool = True) -> Iterator[ProgressFactory | None]:
    """A factory of progress callbacks `update(done, total)` drawn as rich bars on `console`."""
    if not enabled:
        yield None
        return
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True)

    def factory(description: str, total: int) -> Callable[[int, int], None]:
        task = progress.add_task(description, total=total)

        def update(done: int, new_total: int) -> None:
            progress.update(task, completed=done, total=new_total)

        return update

    with progress:
        yield factory


def _fmt(x: float | None, digits: int = 6) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def render_terminal(report: Report, console: Console) -> None:
    """Print the report's sections as rich tables."""
    p = report.problem
    console.print(f"[bold]hessdiag {report.hessdiag_version}[/bold] — {p.model}")
    console.print(
        f"d = {p.d:,} parameters · N = {p.n_samples:,} samples · loss {p.loss} = {_fmt(p.loss_value)} · "
        f"{p.dtype} on {p.device} · model in {p.mode} mode (dropout off, BatchNorm on running statistics)"
    )
    console.print("All curvature quantities are local to this checkpoint θ.", style="dim")
    if report.top is not None:
        table = Table(title="Hessian eigenvalues (Lanczos; ± = certified residual bound)")
        table.add_column("#", justify="right")
        table.add_column("top λ", justify="right")
        table.add_column("± residual", justify="right")
        if report.bottom is not None:
            table.add_column("bottom λ", justify="right")
            table.add_column("± residual", justify="right")
        bottom = report.bottom.values if report.bottom is not None else []
        for i, top in enumerate(report.top.values):
            row = [str(i + 1), _fmt(top.value, 8), _fmt(top.residual, 2)]
            if report.bottom is not None:
                b = bottom[i] if i < len(bottom) else None
                row += [_fmt(b.value, 8) if b else "", _fmt(b.residual, 2) if b else ""]
            table.add_row(*row)
        console.print(table)
        status = "converged" if report.top.converged else "NOT converged (raise --max-matvecs or --tol)"
        line = f"top-k: {report.top.matvecs} Hessian-vector products, {status}"
        if report.bottom is not None:
            b_status = "converged" if report.bottom.converged else "NOT converged"
            line += f"; bottom-k: {report.bottom.matvecs} products, {b_status}"
        console.print(line)
    if report.L2 is not None:
        console.print(f"L2 = ‖H‖₂ = {_fmt(report.L2.value, 8)} ± {_fmt(report.L2.residual, 2)} "
                      f"(from the {report.L2.source} of the spectrum)")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if report.timings:
        console.print("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()), style="dim")
