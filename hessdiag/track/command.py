"""What `hessdiag track` does between its flags and its exit code (the typer shell is in `cli.py`).

Output paths and `--fail-if` conditions are checked before any work; the timeline is written (JSON,
HTML, PNGs, atomically) after the last checkpoint; `--fail-if` then checks the last checkpoint's report
(`--fail-on last`) or every checkpoint's (`--fail-on any`). A condition's PATH is a path into the
checkpoint's report, or `track.KEY` into its timeline point (`track.sharpness_over_edge > 1.1`).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from rich.console import Console

from ..errors import ConfigError
from ..load import Settings
from ..report.fail_if import check_sections, failing_conditions, parse_condition
from ..report.output_paths import check_output_paths, run_inputs
from ..report.terminal.tables import FoldingTable
from .run import track
from .schedule import learning_rates
from .timeline import Timeline

EXIT_FAIL_IF = 3


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:.4g}"


def render_timeline(timeline: Timeline, console: Console) -> None:
    """One table row per checkpoint."""
    table = FoldingTable(title=f"hessdiag track — {timeline.source} ({timeline.diagnosed} diagnosed, "
                        f"{timeline.cached} cached)")
    for column in ("step", "λ_max ± residual", "2/η", "λ_min", "tr(H)", "η²", "call", "products"):
        table.add_column(column, justify="right")
    for p in timeline.points:
        lmax = "—" if p.lambda_max is None else f"{_fmt(p.lambda_max.value)} ± {_fmt(p.lambda_max.error)}"
        table.add_row(str(p.step), lmax, _fmt(p.edge_of_stability),
                      "—" if p.lambda_min is None else _fmt(p.lambda_min.value),
                      "—" if p.trace is None else _fmt(p.trace.value), "—" if p.eta2 is None else _fmt(p.eta2.value),
                      p.call or "—", "cache" if p.cached else str(p.lanczos_matvecs or "—"))
    console.print(table)


def run_track(source: str, settings: Settings, *, lr: str | None, every_k: int, warm_start: bool,
              cache_dir: str | None, fail_on: str, check_interrupt: Callable[[], None]) -> int:
    """Run `track` as the command line does; returns the exit code (0, or 3 when a --fail-if holds)."""
    from .. import sections
    from ..report.terminal import rich_progress
    from .outputs import write_timeline

    if fail_on not in ("last", "any"):
        raise ConfigError(f"--fail-on must be last or any; got '{fail_on}'")
    rates = learning_rates(lr)
    chosen = sections.resolve_only(settings.only)
    conditions = [parse_condition(text) for text in settings.fail_if]
    check_sections([c for c in conditions if c.path[0] != "track"], list(sections.schema()["properties"]),
                   sections.unfilled(chosen))
    check_output_paths({"JSON timeline": settings.json, "HTML timeline": settings.html}, png_dir=settings.png_dir,
                       inputs=run_inputs(settings))
    out, err = Console(quiet=settings.quiet), Console(stderr=True, quiet=settings.quiet)
    with rich_progress(err, enabled=not settings.quiet) as progress:
        result = track(source, settings, every_k=every_k, learning_rates=rates, warm_start=warm_start,
                       cache_dir=cache_dir, progress=progress)
    timeline = result.timeline
    docs = [doc | {"track": point.as_dict()} for doc, point in zip(result.reports, timeline.points)]
    checked = docs if fail_on == "any" else docs[-1:]
    held = [f"step {doc['track']['step']}: {text}" for doc in checked for text in failing_conditions(conditions, doc)]
    check_interrupt()
    write_timeline(timeline, json_path=settings.json, html_path=settings.html, png_dir=settings.png_dir)
    render_timeline(timeline, out)
    for description in held:
        sys.stderr.write(f"hessdiag: --fail-if condition holds: {description}\n")
    return EXIT_FAIL_IF if held else 0
