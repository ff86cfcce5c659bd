"""The command line: a thin typer shell over `hessdiag.api` (SPEC §8).

Only this module turns errors into exit codes: a `HessdiagError` becomes one line on stderr and exit
1, a usage error exit 2 (typer/click), Ctrl-C exit 130. Output files are validated before any work
and written atomically after it, so a failed or interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console

from .errors import HessdiagError, first_line

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="Curvature and gradient-noise diagnostics for PyTorch checkpoints.")

EXIT_BAD_INPUT, EXIT_FAIL_IF, EXIT_INTERRUPTED = 1, 3, 130


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


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    sys.stderr.write(f"hessdiag: error: {message}\n")
    sys.stderr.flush()
    return typer.Exit(code)


class _Interrupts:
    """Ctrl-C raises KeyboardInterrupt and is remembered. Python drops an exception raised inside a
    weakref callback or `__del__` (it prints "Exception ignored"), so a run could go on after Ctrl-C;
    `check()` before any file is written stops it there all the same."""

    def __init__(self) -> None:
        self.seen = False
        self._previous = None

    def _handle(self, signum, frame) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> "_Interrupts":
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt


def _guarded(body: Callable[[_Interrupts], int | None]) -> None:
    """Run a command body; map domain errors and interrupts to exit codes with one stderr line."""
    try:
        with _Interrupts() as interrupts:
            code = body(interrupts)
            interrupts.check()
    except HessdiagError as exc:
        raise _fail(first_line(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise _fail("interrupted; no report was written", EXIT_INTERRUPTED) from None
    except MemoryError:
        raise _fail("out of memory; try a smaller --batch-size or --samples") from None
    except OSError as exc:  # a file-system failure no check foresaw (the checks name the common ones)
        raise _fail(first_line(exc)) from None
    except Exception as exc:  # a bug of ours: one line, the traceback only when asked for
        if os.environ.get("HESSDIAG_TRACEBACK"):
            raise
        raise _fail(f"internal error ({type(exc).__name__}: {first_line(exc)}); please report it, with the "
                    "traceback that HESSDIAG_TRACEBACK=1 shows") from None
    if code:
        raise typer.Exit(code)


@app.command()
def run(
    config: Annotated[Optional[Path], typer.Argument(help="TOML config (flags override it)",
                                                     show_default=False)] = None,
    model: Annotated[Optional[str], typer.Option(help="module:factory, TorchScript archive or .pt2 program")] = None,
    checkpoint: Annotated[Optional[str], typer.Option(help="state dict (plain, nested, prefixed)")] = None,
    data: Annotated[Optional[str], typer.Option(
        help="torch/npz file with x and y, sklearn:NAME or module:factory")] = None,
    loss: Annotated[Optional[str], typer.Option(help="ce, mse or bce")] = None,
    samples: Annotated[Optional[int], typer.Option(help="seeded random subset of N samples")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="samples per batch (results do not depend on it)")] = None,
    seed: Annotated[Optional[int], typer.Option(help="seed of every random draw")] = None,
    dtype: Annotated[Optional[str], typer.Option(help="float32, float64 or auto (float64 on CPU)")] = None,
    device: Annotated[Optional[str], typer.Option(help="auto, cpu or cuda")] = None,
    top_k: Annotated[Optional[int], typer.Option(help="number of top/bottom eigenvalues")] = None,
    tol: Annotated[Optional[float], typer.Option(help="relative residual tolerance of Lanczos")] = None,
    max_matvecs: Annotated[Optional[int], typer.Option(help="product budget of each Lanczos run")] = None,
    hvp: Annotated[Optional[str], typer.Option(help="Hessian products: auto, retained, fwd-rev or linearized")] = None,
    trace_method: Annotated[Optional[str], typer.Option(help="trace estimator: hutch++ or hutchinson")] = None,
    trace_rtol: Annotated[Optional[float], typer.Option(help="stop the trace at stderr ≤ this × |trace|")] = None,
    trace_matvecs: Annotated[Optional[int], typer.Option(help="product budget of the trace estimator")] = None,
    slq_probes: Annotated[Optional[int], typer.Option(help="Rademacher probes of the spectral density (SLQ)")] = None,
    slq_steps: Annotated[Optional[int], typer.Option(help="Lanczos steps per SLQ probe")] = None,
    exact_max_d: Annotated[Optional[int], typer.Option(
        help="up to this d, the dense Hessian (d products) gives exact trace, density, λ̄, ρ_diag and "
             "column bounds on L∞")] = None,
    per_sample: Annotated[Optional[str], typer.Option(help="per-sample gradients: auto, backpack or func")] = None,
    lr: Annotated[Optional[float], typer.Option(help="learning rate for the CABS batch size")] = None,
    damping: Annotated[Optional[float], typer.Option(help="damping λ of (F+λI)⁻¹∇R (default 1e-3·λ_max(F))")] = None,
    race_steps: Annotated[Optional[int], typer.Option(help="full-batch steps of the sign-vs-GD race (0: off)")] = None,
    only: Annotated[Optional[str], typer.Option(
        help="comma list of the sections to compute (default: all of them)")] = None,
    json_path: Annotated[Optional[str], typer.Option("--json", help="write the JSON report here")] = None,
    html: Annotated[Optional[str], typer.Option(help="write the HTML report here")] = None,
    png_dir: Annotated[Optional[str], typer.Option(help="write PNG plots into this directory")] = None,
    fail_if: Annotated[Optional[list[str]], typer.Option(help="'PATH OP NUMBER': exit 3 when it holds")] = None,
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle",
                                               help="allow full unpickling of trusted files")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no tables or progress bars")] = False,
) -> None:
    """Diagnose a checkpoint (or, with no config and no --model, the built-in default)."""

    def body(interrupts: _Interrupts) -> int:
        from . import api, sections
        from .load import make_settings
        from .phases import announce
        from .report.fail_if import check_sections, failing_conditions, parse_condition
        from .report.output_paths import check_output_paths
        from .report.outputs import write_outputs
        from .report.terminal import render_terminal, rich_progress

        settings = make_settings(
            config, model=model, checkpoint=checkpoint, data=data, loss=loss, samples=samples,
            batch_size=batch_size, seed=seed, dtype=dtype, device=device, top_k=top_k, tol=tol,
            max_matvecs=max_matvecs, hvp=hvp, trace_method=trace_method, trace_rtol=trace_rtol,
            trace_matvecs=trace_matvecs, slq_probes=slq_probes, slq_steps=slq_steps, exact_max_d=exact_max_d,
            per_sample=per_sample, lr=lr, damping=damping,
            race_steps=race_steps, only=only, json=json_path, html=html, png_dir=png_dir,
            fail_if=fail_if or None, trust_pickle=trust_pickle or None, quiet=quiet or None,
        )
        chosen = sections.resolve_only(settings.only)
        conditions = [parse_condition(text) for text in settings.fail_if]
        check_sections(conditions, list(sections.schema()["properties"]), sections.unfilled(chosen))
        check_output_paths({"JSON report": settings.json, "HTML report": settings.html}, png_dir=settings.png_dir,
                           inputs=[settings.config, settings.model, settings.checkpoint, settings.data])
        out = Console(quiet=settings.quiet)
        err = Console(stderr=True, quiet=settings.quiet)
        if settings.model is None and not settings.quiet:
            err.print("No config and no --model: diagnosing the built-in default "
                      "(an MLP trained for a fixed, seeded number of steps on scikit-learn digits).")
        with rich_progress(err, enabled=not settings.quiet) as progress:
            report = api.run(settings, progress)
        held = failing_conditions(conditions, report.to_dict())  # a condition that cannot be read: nothing written
        interrupts.check()
        announce("write")
        write_outputs(report, json_path=settings.json, html_path=settings.html, png_dir=settings.png_dir)
        render_terminal(report, out)
        for description in held:
            sys.stderr.write(f"hessdiag: --fail-if condition holds: {description}\n")
        return EXIT_FAIL_IF if held else 0

    _guarded(body)


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
    loss: Annotated[Optional[str], typer.Option(help="ce, mse or bce")] = None,
    samples: Annotated[Optional[int], typer.Option(help="seeded random subset of N samples")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="samples per batch (results do not depend on it)")] = None,
    seed: Annotated[Optional[int], typer.Option(help="seed of every random draw")] = None,
    dtype: Annotated[Optional[str], typer.Option(help="float32, float64 or auto (float64 on CPU)")] = None,
    device: Annotated[Optional[str], typer.Option(help="auto, cpu or cuda")] = None,
    top_k: Annotated[Optional[int], typer.Option(help="number of top/bottom eigenvalues")] = None,
    tol: Annotated[Optional[float], typer.Option(help="relative residual tolerance of Lanczos")] = None,
    max_matvecs: Annotated[Optional[int], typer.Option(help="product budget of each Lanczos run")] = None,
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
    png_dir: Annotated[Optional[str], typer.Option(help="write PNG plots into this directory")] = None,
    fail_if: Annotated[Optional[list[str]], typer.Option(
        help="'PATH OP NUMBER' on a checkpoint's report (or track.KEY of its timeline point): exit 3")] = None,
    fail_on: Annotated[str, typer.Option(help="which checkpoints --fail-if checks: last or any")] = "last",
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle",
                                               help="allow full unpickling of trusted files")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="no tables or progress bars")] = False,
) -> None:
    """Diagnose every checkpoint of a training run and write one timeline (cached, resumable)."""

    def body(interrupts: _Interrupts) -> int:
        from .load import make_settings
        from .track.command import run_track

        settings = make_settings(
            config, model=model, data=data, loss=loss, samples=samples, batch_size=batch_size, seed=seed,
            dtype=dtype, device=device, top_k=top_k, tol=tol, max_matvecs=max_matvecs, only=only, json=json_path,
            html=html, png_dir=png_dir, fail_if=fail_if or None, trust_pickle=trust_pickle or None,
            quiet=quiet or None)
        return run_track(source, settings, lr=lr, every_k=every, warm_start=warm_start, cache_dir=cache_dir,
                         fail_on=fail_on, check_interrupt=interrupts.check)

    _guarded(body)


@app.command()
def calibrate(
    dim: Annotated[int, typer.Option(help="dimension d of the quadratics (2–20: L∞ is enumerated exactly)")] = 10,
    reps: Annotated[int, typer.Option(help="repetitions per cell (rotation and θ₀ redrawn)")] = 20,
    seed: Annotated[int, typer.Option(help="seed of every random draw")] = 0,
    json_path: Annotated[Optional[str], typer.Option("--json", help="write the grid as JSON here")] = None,
    png: Annotated[Optional[str], typer.Option(help="write a heatmap in the spirit of Fig. 6.3 here")] = None,
) -> None:
    """Measure how often the local rule R > 1 picks the winner of sign descent vs GD (thesis App. C.4)."""

    def body(interrupts: _Interrupts) -> int:
        import json
        import time

        from . import __version__
        from .api import calibrate as run_grid
        from .report.atomic import write_atomic
        from .report.document import json_safe
        from .report.output_paths import check_output_paths
        from .report.terminal.calibration import render_calibration

        check_output_paths({"JSON report": json_path, "PNG plot": png})
        start = time.perf_counter()
        result, calls = run_grid(dim=dim, reps=reps, seed=seed)
        seconds = time.perf_counter() - start
        interrupts.check()
        if json_path:
            doc = {"hessdiag_version": __version__, **result.as_dict(), "recommendation": calls.as_dict(),
                   "timings": {"calibrate": round(seconds, 6)}}
            write_atomic(json_path, json.dumps(json_safe(doc), indent=2, allow_nan=False) + "\n")
        if png:
            from .report.calibration_plot import write_png

            write_png(result, png)
        render_calibration(result, Console(), calls)
        return 0

    _guarded(body)


def main() -> None:
    """Console-script entry point. Usage errors are one line (exit 2); Ctrl-C anywhere exits 130."""
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("hessdiag: error: interrupted; no report was written\n")
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing command
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
        else:
            where = ctx.command_path if ctx is not None else "hessdiag"
            sys.stderr.write(f"hessdiag: error: {exc.format_message()} (see '{where} --help')\n")
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
