"""Terminal output with rich: a header, the sections' lead lines, one block per section, warnings,
timings; and progress bars. The blocks are the sections' own renderers (`Section.render_terminal`)."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..document import Report
from .format import fmt

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


def render_terminal(report: Report, console: Console) -> None:
    """Print the whole report."""
    p = report.problem
    console.print(f"[bold]hessdiag {report.hessdiag_version}[/bold] — {p.model}")
    console.print(
        f"d = {p.d:,} parameters · N = {p.n_samples:,} samples · loss {p.loss} = {fmt(p.loss_value)} · "
        f"{p.dtype} on {p.device} · model in {p.mode} mode (dropout off, BatchNorm on running statistics)"
    )
    console.print("All curvature quantities are local to this checkpoint θ.", style="dim")
    for section, result in report.ran():
        if section.lead is not None and result is not None:
            console.print(section.lead(result))
    for section, result in report.ran():
        if section.render_terminal is not None and result is not None:
            section.render_terminal(result, console)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if report.timings:
        console.print("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()), style="dim")
