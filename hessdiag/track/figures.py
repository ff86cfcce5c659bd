"""Figures of a timeline (matplotlib's object API through `report.figures`, no backend switch).

- `sharpness`: λ_max over steps with its certified residual as error bars, λ_min, and the edge of
  stability 2/η (Cohen et al., 2021) as a line, when the learning rate is known;
- `trace_noise`: tr(H) (± its standard error) and the noise-to-signal ratio η² (its 95 % interval as
  a band, log scale) over steps;
- `call`: the recommendation at each checkpoint as a coloured band (sign / Euclidean / inconclusive).
"""

from __future__ import annotations

import warnings

from ..report.figures import new_figure, to_png
from .timeline import Timeline

CALL_COLOURS = {"sign": "#1b7f3b", "euclidean": "#1f5fa8", "inconclusive": "#a86d1f", None: "#bbbbbb"}
CAPTIONS = {
    "sharpness": "Sharpness λ_max (certified residuals as bars) and λ_min over training steps; the dashed line "
                 "is the edge of stability 2/η.",
    "trace_noise": "Left: tr(H) ± its standard error. Right: noise-to-signal ratio η² = tr Σ/‖∇R‖² (Eq. 4.9) "
                   "with its 95 % interval; the critical batch size is m* = 2η².",
    "call": "The recommendation at each checkpoint: sign-based (green), Euclidean (blue), inconclusive (brown).",
}


def _sharpness(timeline: Timeline):
    points = [p for p in timeline.points if p.lambda_max is not None]
    if not points:
        return None
    fig, ax = new_figure()
    steps = [p.step for p in points]
    ax.errorbar(steps, [p.lambda_max.value for p in points], yerr=[p.lambda_max.error or 0 for p in points],
                marker="o", ms=3, capsize=2, label="λ_max")
    ax.plot(steps, [p.lambda_min.value for p in points], marker=".", lw=1, color="#888", label="λ_min")
    edges = [(p.step, p.edge_of_stability) for p in points if p.edge_of_stability is not None]
    if edges:
        ax.step([s for s, _ in edges], [e for _, e in edges], where="post", ls="--", color="#c0392b", label="2/η")
    ax.set_xlabel("step")
    ax.set_ylabel("eigenvalue of H")
    ax.legend(loc="best")
    return fig


def _trace_noise(timeline: Timeline):
    traced = [p for p in timeline.points if p.trace is not None and p.trace.value is not None]
    noisy = [p for p in timeline.points if p.eta2 is not None and p.eta2.value]
    if not traced and not noisy:
        return None
    fig, ax = new_figure()
    if traced:
        ax.errorbar([p.step for p in traced], [p.trace.value for p in traced],
                    yerr=[p.trace.error or 0 for p in traced], marker="o", ms=3, capsize=2, color="#1f5fa8")
    ax.set_xlabel("step")
    ax.set_ylabel("tr(H)", color="#1f5fa8")
    if noisy:
        right = ax.twinx()
        steps = [p.step for p in noisy]
        right.plot(steps, [p.eta2.value for p in noisy], marker="s", ms=3, color="#c0392b")
        lows = [p.eta2_ci[0] if p.eta2_ci and p.eta2_ci[0] else p.eta2.value for p in noisy]
        highs = [p.eta2_ci[1] if p.eta2_ci and p.eta2_ci[1] else p.eta2.value for p in noisy]
        right.fill_between(steps, lows, highs, color="#c0392b", alpha=0.15, lw=0)
        right.set_yscale("log")
        right.set_ylabel("η² (noise-to-signal)", color="#c0392b")
    return fig


def _call(timeline: Timeline):
    points = timeline.points
    if not points or all(p.call is None for p in points):
        return None
    fig, ax = new_figure(7.0, 1.6)
    steps = [p.step for p in points]
    end = steps[-1] + (steps[-1] - steps[0] or 1) * 0.02
    edges = [steps[0]] + [(a + b) / 2 for a, b in zip(steps, steps[1:])] + [end]
    for point, lo, hi in zip(points, edges, edges[1:]):
        ax.axvspan(lo, hi, color=CALL_COLOURS.get(point.call, "#bbbbbb"), lw=0)
    ax.set_yticks([])
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("step")
    return fig


def render_timeline_figures(timeline: Timeline) -> dict[str, bytes]:
    """{name: PNG bytes} of the figures that have something to draw."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for name, plot in (("sharpness", _sharpness), ("trace_noise", _trace_noise), ("call", _call)):
            fig = plot(timeline)
            if fig is not None:
                out[name] = to_png(fig)
    return out
