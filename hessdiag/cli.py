"""The command line: a thin typer shell over `hessdiag.api` (SPEC §8).

Only the command line turns errors into exit codes (`hessdiag.cli_exit`): a `HessdiagError` becomes one
line on stderr and exit 1, a usage error exit 2 (typer/click), Ctrl-C exit 130. Output files are
validated before any work and written atomically after it, so a failed or interrupted run leaves nothing
half-written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import interrupts
from .cli_exit import EXIT_INTERRUPTED, guarded, one_line
from .cli_options import (
    AllowTf32,
    BatchSize,
    Budget,
    Checkpoint,
    ConfigFile,
    Damping,
    Data,
    Device,
    DistBackend,
    Dtype,
    ExactMaxD,
    FailIf,
    HfTask,
    HtmlReport,
    Hvp,
    IgnoreIndex,
    JsonReport,
    Loss,
    Lr,
    MaxMatvecs,
    Memory,
    Model,
    Only,
    Output,
    PerSample,
    PngDir,
    Quiet,
    RaceSteps,
    Samples,
    Seed,
    SlqProbes,
    SlqSteps,
    Tol,
    TopK,
    TraceMatvecs,
    TraceMethod,
    TraceRtol,
    TrustPickle,
    settings_keywords,
)
from .interrupts import Signals

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="Curvature and gradient-noise diagnostics for PyTorch checkpoints.")



def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"hessdiag {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Curvature and gradient-noise diagnostics for PyTorch checkpoints."""


@app.command()
def run(
    config: ConfigFile = None,
    model: Model = None,
    checkpoint: Checkpoint = None,
    data: Data = None,
    loss: Loss = None,
    ignore_index: IgnoreIndex = None,
    output: Output = None,
    hf_task: HfTask = None,
    budget: Budget = None,
    memory: Memory = None,
    samples: Samples = None,
    batch_size: BatchSize = None,
    seed: Seed = None,
    dtype: Dtype = None,
    device: Device = None,
    top_k: TopK = None,
    tol: Tol = None,
    max_matvecs: MaxMatvecs = None,
    hvp: Hvp = None,
    trace_method: TraceMethod = None,
    trace_rtol: TraceRtol = None,
    trace_matvecs: TraceMatvecs = None,
    slq_probes: SlqProbes = None,
    slq_steps: SlqSteps = None,
    exact_max_d: ExactMaxD = None,
    per_sample: PerSample = None,
    lr: Lr = None,
    damping: Damping = None,
    race_steps: RaceSteps = None,
    only: Only = None,
    json_path: JsonReport = None,
    html: HtmlReport = None,
    png_dir: PngDir = None,
    fail_if: FailIf = None,
    trust_pickle: TrustPickle = False,
    quiet: Quiet = False,
    dist_backend: DistBackend = None,
    allow_tf32: AllowTf32 = False,
) -> None:
    """Diagnose a checkpoint (or, with no config and no --model, the built-in default).

    Launched by torchrun (several processes), the run is data-parallel: each rank holds a shard of the
    samples, every sum is all-reduced, rank 0 alone prints and writes (`hessdiag.distributed`)."""
    options = dict(locals())  # every option above, by name

    def body(signals: Signals) -> int:
        from .cli_run import diagnose
        from .load import make_settings

        chosen = dict(options)
        return diagnose(make_settings(chosen.pop("config"), **settings_keywords(chosen)), signals)

    guarded(body)


@app.command()
def schema(
    track: Annotated[bool, typer.Option("--track", help="the schema of the `hessdiag track` timeline")] = False,
) -> None:
    """Print the JSON Schema of the report, or with --track of the timeline (draft 2020-12)."""
    import json

    if track:
        from .track.schema import track_schema

        typer.echo(json.dumps(track_schema(), indent=2))
        return
    from .sections import schema as report_schema

    typer.echo(json.dumps(report_schema(), indent=2))


@app.command("track")
def track_command(
    source: Annotated[str, typer.Argument(help="directory of checkpoints, or a glob ('runs/*/step_*.pt')",
                                          show_default=False)],
    config: Annotated[Optional[Path], typer.Argument(help="TOML config: model, data, loss, settings",
                                                     show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option(help="module:factory of the model")] = None,
    data: Annotated[Optional[str], typer.Option(
        help="torch/npz file with x and y, sklearn:NAME or module:factory")] = None,
    loss: Loss = None,
    samples: Samples = None,
    batch_size: BatchSize = None,
    seed: Seed = None,
    dtype: Dtype = None,
    device: Device = None,
    top_k: TopK = None,
    tol: Tol = None,
    max_matvecs: MaxMatvecs = None,
    race_steps: RaceSteps = None,
    lr: Annotated[Optional[str], typer.Option(
        help="learning rate η (2/η is drawn beside λ_max), or a file of 'STEP LR' lines")] = None,
    every: Annotated[int, typer.Option(help="diagnose every K-th checkpoint (the last one always)")] = 1,
    only: Annotated[Optional[str], typer.Option(help="comma list of the sections to compute (default: all)")] = None,
    warm_start: Annotated[bool, typer.Option(
        "--warm-start/--cold-start", help="start Lanczos from the previous checkpoint's Ritz vectors")] = True,
    cache_dir: Annotated[Optional[str], typer.Option(
        help="cache of finished checkpoints (default: .hessdiag-track-cache beside --json, else the checkpoints)")
    ] = None,
    json_path: Annotated[Optional[str], typer.Option("--json", help="write the JSON timeline here")] = None,
    html: Annotated[Optional[str], typer.Option(help="write the HTML timeline here")] = None,
    png_dir: PngDir = None,
    fail_if: Annotated[Optional[list[str]], typer.Option(
        help="'PATH OP NUMBER' on a checkpoint's report (or track.KEY of its timeline point): exit 3")] = None,
    fail_on: Annotated[str, typer.Option(help="which checkpoints --fail-if checks: last or any")] = "last",
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle",
                                               help="allow full unpickling of trusted files")] = False,
    quiet: Quiet = False,
) -> None:
    """Diagnose every checkpoint of a training run and write one timeline (cached, resumable)."""

    def body(signals: Signals) -> int:
        from .load import make_settings
        from .track.command import run_track

        settings = make_settings(
            config, model=model, data=data, loss=loss, samples=samples, batch_size=batch_size, seed=seed,
            dtype=dtype, device=device, top_k=top_k, tol=tol, max_matvecs=max_matvecs, race_steps=race_steps,
            only=only, json=json_path, html=html, png_dir=png_dir, fail_if=fail_if or None,
            trust_pickle=trust_pickle or None, quiet=quiet or None)
        return run_track(source, settings, lr=lr, every_k=every, warm_start=warm_start, cache_dir=cache_dir,
                         fail_on=fail_on, check_interrupt=signals.check)

    guarded(body)


@app.command()
def calibrate(
    dim: Annotated[int, typer.Option(help="dimension d of the quadratics (2–20: L∞ is enumerated exactly)")] = 10,
    reps: Annotated[int, typer.Option(help="repetitions per cell (rotation and θ₀ redrawn)")] = 20,
    seed: Annotated[int, typer.Option(help="seed of every random draw")] = 0,
    json_path: Annotated[Optional[str], typer.Option("--json", help="write the grid as JSON here")] = None,
    png: Annotated[Optional[str], typer.Option(help="write a heatmap in the spirit of Fig. 6.3 here")] = None,
) -> None:
    """Measure how often the local rule R > 1 picks the winner of sign descent vs GD (thesis App. C.4)."""

    def body(signals: Signals) -> int:
        import json
        import time

        from . import __version__
        from .api import calibrate as run_grid
        from .report.document import json_safe
        from .report.output_paths import check_output_paths
        from .report.outputs import write_files
        from .report.terminal.calibration import render_calibration

        check_output_paths({"JSON report": json_path, "PNG plot": png})
        start = time.perf_counter()
        result, calls = run_grid(dim=dim, reps=reps, seed=seed)
        seconds = time.perf_counter() - start
        signals.check()
        files: dict[Path, bytes | str] = {}
        if json_path:
            doc = {"hessdiag_version": __version__, **result.as_dict(), "recommendation": calls.as_dict(),
                   "timings": {"calibrate": round(seconds, 6)}}
            files[Path(json_path)] = json.dumps(json_safe(doc), indent=2, allow_nan=False) + "\n"
        if png:
            from .report.calibration_plot import render_png

            files[Path(png)] = render_png(result)
        write_files(files, ledger=signals.files)
        signals.check()
        render_calibration(result, Console(), calls)
        return 0

    guarded(body)


def main() -> None:
    """The command line (`hessdiag.__main__` calls it). Usage errors are one line (exit 2); Ctrl-C exits
    130 and SIGTERM 143, with a line that says which report files were written."""
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        signals = interrupts.current()
        if signals is None:
            sys.stderr.write("hessdiag: error: interrupted; no report was written\n")
            sys.exit(EXIT_INTERRUPTED)
        signals.settle()
        signals.first = signals.first or EXIT_INTERRUPTED - 128
        signals.reported = True
        sys.stderr.write(f"hessdiag: error: {one_line(signals.message())}\n")
        sys.exit(signals.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing command
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
        else:
            where = ctx.command_path if ctx is not None else "hessdiag"
            sys.stderr.write(f"hessdiag: error: {one_line(exc.format_message())} (see '{where} --help')\n")
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
