"""Write the report files a run asked for: JSON, HTML, PNGs — all rendered, then all staged, then renamed.

Everything is rendered in memory first, so a failure while rendering writes nothing. Every file is
then written to a synced temporary file beside its target (`atomic.stage`), and only when all of them
are staged are they renamed over their targets, one after the other, inside `interrupts.deferred()`:
a Ctrl-C or SIGTERM during the renames is held until the last one is done, so a run leaves either
none or all of its files (the exit message says which). Temporary files, and a PNG directory this
write created, are removed when the write stops early.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import HessdiagError, InputFileError
from ..interrupts import Ledger, deferred, describe_files, raise_pending
from .atomic import commit, discard, stage
from .document import Report


def _make_directory(directory: Path) -> list[Path]:
    """Create `directory` and missing parents; return those created (deepest last)."""
    created = []
    for candidate in reversed([directory, *directory.parents]):
        if not candidate.exists():
            created.append(candidate)
    directory.mkdir(parents=True, exist_ok=True)
    return created


def write_files(files: dict[Path, bytes | str], *, ledger: Ledger | None = None,
                directory: Path | None = None) -> list[Path]:
    """Stage every file, then rename them all; `ledger` (if given) lists the files to write and
    receives each path as it is renamed, so that an interrupted command can say what is on disk.

    `directory` (the PNG directory) is created first and removed again if the write stops early
    and it was created here and is still empty.
    """
    ledger = ledger if ledger is not None else Ledger()
    ledger.planned[:] = list(files)
    done = ledger.written
    created: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        with deferred():  # each step and its record happen together, so the cleanup knows them all
            created.extend(_make_directory(directory) if directory is not None else [])
        raise_pending()
        for path, data in files.items():
            with deferred():
                staged.append((stage(path, data), path))
            raise_pending()
        with deferred():
            for tmp, path in staged:
                try:
                    commit(tmp, path)
                except HessdiagError as exc:
                    if not done:
                        raise
                    raise InputFileError(f"{exc}; already written: {describe_files(done)}") from None
                done.append(path)
    except BaseException:
        with deferred():
            for tmp, _ in staged:
                discard(tmp)
            if not done:
                for folder in reversed(created):
                    with contextlib.suppress(OSError):
                        folder.rmdir()
        raise
    return [path for _, path in staged]


def render_outputs(report: Report, *, json_path: str | None, html_path: str | None,
                   png_dir: str | None) -> dict[Path, bytes | str]:
    """{path: content} of every requested file, rendered in memory."""
    files: dict[Path, bytes | str] = {}
    if png_dir or html_path:
        from .figures import render_figures

        figures = render_figures(report)
        if png_dir:
            for name, png in figures.items():
                files[Path(png_dir) / f"{name}.png"] = png
    if html_path:
        from .html import render_html

        files[Path(html_path)] = render_html(report, figures)
    if json_path:
        files[Path(json_path)] = report.to_json()
    return files


def write_outputs(report: Report, *, json_path: str | None, html_path: str | None, png_dir: str | None,
                  ledger: Ledger | None = None) -> list[Path]:
    """Render and write the requested files; returns the paths written."""
    files = render_outputs(report, json_path=json_path, html_path=html_path, png_dir=png_dir)
    return write_files(files, ledger=ledger, directory=Path(png_dir) if png_dir else None)
