"""A self-contained HTML timeline: summary, figures (PNG data URIs), one table row per checkpoint.

Same conventions as the report page (`report.html`): inline styles, no scripts, all text escaped.
"""

from __future__ import annotations

import base64

from ..report.html import STYLE, esc, num
from .figures import CAPTIONS
from .timeline import Timeline, TrackPoint


def _pm(measured) -> str:
    if measured is None or measured.value is None:
        return "—"
    return num(measured.value) if measured.error is None else f"{num(measured.value)} ± {num(measured.error)}"


def _interval(values) -> str:
    return "—" if values is None else f"[{num(values[0])}, {num(values[1])}]"


COLUMNS = ("step", "λ_max ± residual", "2/η", "λ_max·η/2", "λ_min", "tr(H)", "L2", "L∞ ∈", "R ∈", "η²", "m*",
           "call", "products", "source")


def _row(p: TrackPoint) -> str:
    cells = [str(p.step), _pm(p.lambda_max), num(p.edge_of_stability) if p.lr else "—",
             num(p.sharpness_over_edge) if p.sharpness_over_edge is not None else "—", _pm(p.lambda_min),
             _pm(p.trace), _pm(p.L2), _interval(p.Linf), _interval(p.improvement_ratio), _pm(p.eta2),
             num(p.m_star) if p.m_star is not None else "—", esc(p.call or "—"),
             "—" if p.lanczos_matvecs is None else f"{p.lanczos_matvecs}{' (warm)' if p.warm_start else ''}",
             "cache" if p.cached else "diagnosed"]
    return "<tr>" + "".join(f"<td class='num'>{c}</td>" for c in cells) + "</tr>"


def render_timeline_html(timeline: Timeline, figures: dict[str, bytes]) -> str:
    """The HTML page of a timeline and its PNG figures."""
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>hessdiag track — {esc(timeline.source)}</title><style>{STYLE}</style></head><body>",
        "<h1>hessdiag track</h1>",
        f"<p class='meta' id='summary'>{esc(timeline.source)} · {len(timeline.points)} checkpoints "
        f"({timeline.diagnosed} diagnosed, {timeline.cached} from the cache) · "
        f"hessdiag {esc(timeline.hessdiag_version)}"
        f"{'' if timeline.complete else ' · incomplete'}</p>",
        "<p class='meta'>Every curvature quantity is local to its checkpoint; the edge of stability 2/η is where "
        "full-batch GD at step size η stops being stable on a quadratic (Cohen et al., 2021).</p>",
    ]
    if figures:
        out.append("<h2 id='figures'>Figures</h2>")
        for name, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            out.append(f"<figure id='fig-{esc(name)}'><img alt='{esc(name)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{esc(CAPTIONS.get(name, name))}</figcaption></figure>")
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    out.append(f"<h2 id='timeline'>Timeline</h2><table id='points'><tr>{head}</tr>"
               + "".join(_row(p) for p in timeline.points) + "</table>")
    if timeline.warnings:
        out.append("<h2 id='warnings'>Warnings</h2><details><summary>"
                   f"{len(timeline.warnings)} warnings</summary>")
        out.extend(f"<div class='warn'>{esc(w)}</div>" for w in timeline.warnings)
        out.append("</details>")
    out.append("</body></html>\n")
    return "".join(out)
