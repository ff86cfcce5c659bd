"""Write a timeline's JSON, HTML and PNG files: everything rendered first, then each file atomically."""

from __future__ import annotations

from pathlib import Path

from ..report.atomic import write_atomic
from .timeline import Timeline


def write_timeline(timeline: Timeline, *, json_path: str | Path | None = None, html_path: str | Path | None = None,
                   png_dir: str | Path | None = None) -> list[Path]:
    """Render and write the requested files; returns the paths written."""
    files: dict[Path, bytes | str] = {}
    if png_dir or html_path:
        from .figures import render_timeline_figures

        figures = render_timeline_figures(timeline)
        if png_dir:
            files.update({Path(png_dir) / f"track_{name}.png": png for name, png in figures.items()})
        if html_path:
            from .html import render_timeline_html

            files[Path(html_path)] = render_timeline_html(timeline, figures)
    if json_path:
        files[Path(json_path)] = timeline.to_json()
    if png_dir:
        Path(png_dir).mkdir(parents=True, exist_ok=True)
    return [write_atomic(path, data) for path, data in files.items()]
