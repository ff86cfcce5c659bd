"""A self-contained HTML report: the verdict first, then the numbers, figures and every section.

The page iterates the report's sections: the recommendation's verdict box (`Section.lead_html`), the key
numbers of every section that ran (`Section.key_numbers`), the warnings, the figures with their
captions, and every JSON key of every section under its title.

No external assets and no scripts: styles are inline and figures are PNGs embedded as data URIs, so
the file can be mailed to a colleague or archived by CI. All text is escaped.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from .document import Report
from .figures import captions

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:1.6em} .meta{color:#555;font-size:.92em}
.verdict{border-radius:8px;padding:1em 1.2em;margin:1.2em 0;border:2px solid #888;background:#f6f6f6}
.verdict.sign{border-color:#1b7f3b;background:#eef8f0} .verdict.euclidean{border-color:#1f5fa8;background:#eef3fa}
.verdict.inconclusive{border-color:#a86d1f;background:#fbf5ec} .verdict .call{font-size:1.4em;font-weight:700}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{border:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top} th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.warn{background:#fff8e1;border-left:4px solid #e0a800;padding:.4em .8em;margin:.3em 0}
figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#555;font-size:.9em}
details summary{cursor:pointer;color:#333}
"""


def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def num(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, float):
        return f"{x:.6g}"
    return esc(x)


def _value_html(value: Any, depth: int = 0) -> str:
    """Nested tables for dicts, compact lists for short numeric lists, escaped text otherwise."""
    if isinstance(value, dict):
        if not value:
            return "<i>empty</i>"
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{_value_html(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if len(value) > 12 and all(isinstance(v, (int, float)) or v is None for v in value):
            shown = ", ".join(num(v) for v in value[:6])
            return f"[{shown}, … {len(value)} values]"
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(num(v) for v in value) + "]"
        if value and all(isinstance(v, dict) for v in value):  # records: one row each
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{esc(k)}</th>" for k in keys)
            body = "".join("<tr>" + "".join(f"<td class='num'>{_value_html(v.get(k), depth + 1)}</td>" for k in keys)
                           + "</tr>" for v in value)
            return f"<table><tr>{head}</tr>{body}</table>"
        return "<ol>" + "".join(f"<li>{_value_html(v, depth + 1)}</li>" for v in value) + "</ol>"
    return num(value)


def dash(x: Any) -> str:
    return "—" if x is None else num(x)


def pair(values: Any) -> str:
    return "" if not values else f"[{dash(values[0])}, {dash(values[1])}]"


def pm(value: Any, error: Any) -> str:
    """'value ± error' for the key-numbers table."""
    return f"{num(value)} ± {num(error)}"


def interval_text(lo: Any, hi: Any) -> str:
    return f"[{num(lo)}, {num(hi)}]"


def _key_numbers(report: Report) -> str:
    rows = [row for section, result in report.ran() if section.key_numbers and result is not None
            for row in section.key_numbers(result)]
    if not rows:
        return ""
    body = "".join(f"<tr><th>{esc(k)}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    return f'<h2 id="key-numbers">Key numbers</h2><table>{body}</table>'


def _lead(report: Report) -> str:
    leads = [section.lead_html(result) for section, result in report.ran() if section.lead_html]
    if leads:
        return "".join(leads)
    return ('<div class="verdict inconclusive" id="verdict"><div class="call">No recommendation</div>'
            "<p>The sections the recommendation needs were not measured in this run.</p></div>")


def render_html(report: Report, figures: dict[str, bytes]) -> str:
    """The HTML document for a report and its PNG figures: the sections' own JSON keys, titled."""
    doc = report.to_dict()
    p = doc["problem"]
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>hessdiag report — {esc(p['model'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>hessdiag report</h1><p class='meta'>{esc(p['model'])} · d = {p['d']:,} parameters · "
        f"N = {p['n_samples']:,} samples · loss {esc(p['loss'])} = {num(p['loss_value'])} · {esc(p['dtype'])} "
        f"on {esc(p['device'])} · model in {esc(p['mode'])} mode · hessdiag {esc(doc['hessdiag_version'])}</p>",
        "<p class='meta'>All curvature quantities are local to this checkpoint θ.</p>",
        _lead(report),
        _key_numbers(report),
    ]
    if doc.get("warnings"):
        out.append("<h2 id='warnings'>Warnings</h2>")
        out.extend(f"<div class='warn'>{esc(w)}</div>" for w in doc["warnings"])
    if figures:
        out.append("<h2 id='figures'>Figures</h2>")
        caption = captions(report)
        for name, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            out.append(f"<figure id='fig-{esc(name)}'><img alt='{esc(name)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{esc(caption.get(name, name))}</figcaption></figure>")
    for section in report.sections:
        for key, spec in section.keys.items():
            if doc.get(key) is not None:
                out.append(f"<h2 id='section-{esc(key)}'>{esc(spec.title)}</h2>{_value_html(doc[key])}")
    out.append("<h2 id='settings'>Settings and timings</h2><details><summary>settings</summary>"
               f"{_value_html(doc['settings'])}</details><details><summary>timings (s)</summary>"
               f"{_value_html(doc['timings'])}</details>")
    out.append("</body></html>\n")
    return "".join(out)
