"""Write the report files a run asked for: JSON, HTML, PNGs — each atomically, all rendered first.

Everything is rendered in memory before the first file is written, so a failure while rendering
writes nothing, and each file appears whole (temp file + `os.replace`) or not at all.
"""

from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .document import Report


def write_outputs(report: Report, *, json_path: str | None, html_path: str | None, png_dir: str | None) -> list[Path]:
    """Render and write the requested files; returns the paths written."""
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
    if png_dir:
        Path(png_dir).mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in files.items()]
