"""PNG figures of a report, drawn by the sections that ran (matplotlib's object API, no backend switch).

Each section lists its figures (`Section.figures`): a name, a caption and a function from the section's
typed result to a `matplotlib.figure.Figure` (or None when there is nothing to draw). `render_figures`
returns {name: PNG bytes} in registry order. `Figure.savefig` renders with the Agg canvas by itself, so
the user's matplotlib backend (a notebook's, say) is never switched.
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any

from .document import Report

if TYPE_CHECKING:  # matplotlib is imported only when figures are drawn (0.5–1.5 s)
    from matplotlib.figure import Figure


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Any]:
    """A figure with one axes, constrained layout, 100 dpi."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot(1, 1, 1)


def to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def captions(report: Report) -> dict[str, str]:
    """The caption of every figure a section of this report can draw."""
    return {spec.name: spec.caption for section in report.sections for spec in section.figures}


def render_figures(report: Report) -> dict[str, bytes]:
    """PNG bytes of every figure of the sections that ran."""
    figures = {}
    with warnings.catch_warnings():  # degenerate data (one sample, equal limits) draws fine; no noise on stderr
        warnings.simplefilter("ignore", UserWarning)
        for section, result in report.ran():
            for spec in section.figures:
                fig = spec.plot(result)
                if fig is not None:
                    figures[spec.name] = to_png(fig)
    return figures
