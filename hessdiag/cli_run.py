"""What `hessdiag run` does with its resolved settings: check every output path and `--fail-if`
condition before any work, run the diagnosis with progress, then (rank 0 only) write the reports
atomically, print the tables and return the exit code (0, or EXIT_FAIL_IF when a condition holds).

Errors are raised as `HessdiagError`; the command line (`cli`, `cli_exit.guarded`) maps them to exit codes.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass

from rich.console import Console

from .cli_exit import EXIT_FAIL_IF
from .interrupts import Signals
from .load import Settings


@dataclass(frozen=True)
class _Outputs:
    """The files a run will write (checked before the work) and the `--fail-if` conditions it tests."""

    reports: dict[str, str | None]
    pngs: list[str]
    conditions: list


def _checked_outputs(settings: Settings, main_rank: bool) -> _Outputs:
    """Parse and check the `--fail-if` conditions against the report's schema and the chosen sections,
    and (rank 0) that every output path can be written without touching an input."""
    from . import sections
    from .report.fail_if import check_paths, check_sections, parse_condition
    from .report.output_paths import check_output_paths, run_inputs

    chosen = sections.resolve_only(settings.only)
    conditions = [parse_condition(text) for text in settings.fail_if]
    check_sections(conditions, list(sections.schema()["properties"]), sections.unfilled(chosen))
    check_paths(conditions, sections.schema(), settings.recorded())
    reports = {"JSON report": settings.json, "HTML report": settings.html}
    pngs = [spec.name for section in sections.sections() if section.name in chosen or not section.optional
            for spec in section.figures]
    if main_rank:
        check_output_paths(reports, png_dir=settings.png_dir, png_names=pngs, inputs=run_inputs(settings))
    return _Outputs(reports, pngs, conditions)


def _say(err: Console, text: str) -> None:
    err.print(text, highlight=False, markup=False, soft_wrap=True)


def diagnose(settings: Settings, signals: Signals) -> int:
    """Run the diagnosis the settings describe (data-parallel under torchrun: ranks ≠ 0 stay silent)."""
    from . import api, distributed
    from .phases import announce
    from .report.fail_if import failing_conditions
    from .report.output_paths import check_not_imported
    from .report.outputs import write_outputs
    from .report.terminal import render_terminal, rich_progress

    backend = distributed.initialise(settings.dist_backend, settings.device)
    main_rank = distributed.is_main()
    if not main_rank:
        settings = dataclasses.replace(settings, quiet=True)
    outputs = _checked_outputs(settings, main_rank)
    err = Console(stderr=True, quiet=settings.quiet)
    if backend is None and settings.dist_backend != "auto":
        _say(err, f"note: --dist-backend {settings.dist_backend} has no effect: this process was not launched by "
                  "torchrun (one process)")
    if settings.model is None and not settings.quiet:
        err.print("No config and no --model: diagnosing the built-in default "
                  "(an MLP trained for a fixed, seeded number of steps on scikit-learn digits).")
    def show_plan(plan) -> None:
        for line in plan.lines():
            _say(err, line)

    with rich_progress(err, enabled=not settings.quiet) as progress:
        report = api.run(settings, progress, on_plan=show_plan,
                         loaded=lambda: main_rank and check_not_imported(outputs.reports, png_dir=settings.png_dir,
                                                                         png_names=outputs.pngs))
    cost = report.settings.get("cost", {})
    if cost.get("measured"):
        took, peak = cost["measured"]["seconds"], cost["measured"]["peak_memory_bytes"]
        _say(err, f"took {took:.1f} s (planned {cost['expected_seconds']:.1f} s); peak memory {peak / 2**20:.0f} MiB")
    held = failing_conditions(outputs.conditions, report.to_dict())  # a condition that cannot be read: nothing written
    signals.check()
    if not main_rank:
        return EXIT_FAIL_IF if held else 0
    announce("write")
    write_outputs(report, json_path=settings.json, html_path=settings.html, png_dir=settings.png_dir,
                  ledger=signals.files)
    signals.check()
    announce("written")
    render_terminal(report, Console(quiet=settings.quiet))
    for description in held:
        sys.stderr.write(f"hessdiag: --fail-if condition holds: {description}\n")
    return EXIT_FAIL_IF if held else 0
