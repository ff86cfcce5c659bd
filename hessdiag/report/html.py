"""A self-contained HTML report: the verdict first, then the numbers, figures and every section.

No external assets and no scripts: styles are inline and figures are PNGs embedded as data URIs, so
the file can be mailed to a colleague or archived by CI. All text is escaped.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from .document import Report

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:1.6em} .meta{color:#555;font-size:.92em}
.verdict{border-radius:8px;padding:1em 1.2em;margin:1.2em 0;border:2px solid #888;background:#f6f6f6}
.verdict.sign{border-color:#1b7f3b;background:#eef8f0} .verdict.euclidean{border-color:#1f5fa8;background:#eef3fa}
.verdict.inconclusive{border-color:#a86d1f;background:#fbf5ec} .verdict .call{font-size:1.4em;font-weight:700}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{border:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top} th{background:#f3f3f3} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.warn{background:#fff8e1;border-left:4px solid #e0a800;padding:.4em .8em;margin:.3em 0}
figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#555;font-size:.9em}
details summary{cursor:pointer;color:#333}
"""

CAPTIONS = {
    "eigenvalues": "Top and bottom Hessian eigenvalues (Lanczos) with certified residual bars.",
    "density": "Spectral density (log scale): exact eigenvalues or stochastic Lanczos quadrature, Gaussian-"
               "smoothed; ticks mark the nodes.",
    "rho_diag_per_layer": "Diagonal concentration ρ_diag per parameter tensor, with intervals where sampled.",
    "noise": "Left: share of coordinates whose mini-batch gradient sign is close to a coin flip, by batch size. "
             "Right: per-coordinate noise-to-signal η_i² by layer.",
    "race": "The race: full-batch steps of both families from the checkpoint with the step sizes of the report.",
}


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _num(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, float):
        return f"{x:.6g}"
    return _esc(x)


def _value_html(value: Any, depth: int = 0) -> str:
    """Nested tables for dicts, compact lists for short numeric lists, escaped text otherwise."""
    if isinstance(value, dict):
        if not value:
            return "<i>empty</i>"
        rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_value_html(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if len(value) > 12 and all(isinstance(v, (int, float)) or v is None for v in value):
            shown = ", ".join(_num(v) for v in value[:6])
            return f"[{shown}, … {len(value)} values]"
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(_num(v) for v in value) + "]"
        if value and all(isinstance(v, dict) for v in value):  # records: one row each
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{_esc(k)}</th>" for k in keys)
            body = "".join("<tr>" + "".join(f"<td class='num'>{_value_html(v.get(k), depth + 1)}</td>" for k in keys)
                           + "</tr>" for v in value)
            return f"<table><tr>{head}</tr>{body}</table>"
        return "<ol>" + "".join(f"<li>{_value_html(v, depth + 1)}</li>" for v in value) + "</ol>"
    return _num(value)


def _verdict(doc: dict[str, Any]) -> str:
    rec = doc.get("recommendation")
    if not rec:
        return ('<div class="verdict inconclusive" id="verdict"><div class="call">No recommendation</div>'
                "<p>The sections the recommendation needs were not measured in this run.</p></div>")
    call = str(rec.get("call", "inconclusive"))
    label = {"sign": "Sign-based (signSGD, Adam family)", "euclidean": "Euclidean (SGD, momentum, M-SVAG)",
             "inconclusive": "Inconclusive"}.get(call, call)
    parts = [f'<div class="verdict {_esc(call)}" id="verdict"><div class="call">{_esc(label)}</div>']
    if rec.get("summary"):
        parts.append(f"<p>{_esc(rec['summary'])}</p>")
    evidence = rec.get("evidence") or []
    if evidence:
        rows = "".join(
            f"<tr><td>{_esc(e.get('quantity'))}</td><td class='num'>{_dash(e.get('value'))}</td>"
            f"<td class='num'>{_pair(e.get('interval'))}</td><td>{_esc(e.get('favours'))}</td>"
            f"<td>{_esc(e.get('note', ''))}</td></tr>"
            for e in evidence
        )
        parts.append("<table><tr><th>measurement</th><th>value</th><th>interval</th><th>favours</th>"
                     f"<th>why it matters</th></tr>{rows}</table>")
    parts.append(f"<ul>{''.join(f'<li>{_esc(line)}</li>' for line in _advice(rec))}</ul></div>")
    return "".join(parts)


def _dash(x: Any) -> str:
    return "—" if x is None else _num(x)


def _pair(pair: Any) -> str:
    return "" if not pair else f"[{_dash(pair[0])}, {_dash(pair[1])}]"


def _advice(rec: dict[str, Any]) -> list[str]:
    """The advice that comes with the call, as plain sentences."""
    lines = []
    if rec.get("settle"):
        lines.append(f"What would settle it: {rec['settle']}")
    lines.extend(f"Caveat: {c}" for c in rec.get("caveats") or [])
    va = rec.get("variance_adaptation") or {}
    if va.get("reason"):
        lines.append(f"Variance adaptation: {va['reason']}")
    ef = rec.get("ef_warning") or {}
    if ef.get("warn"):
        lines.append(f"Empirical Fisher: {ef.get('note')} ({'; '.join(ef.get('reasons') or [])})")
    st = rec.get("step_sizes") or {}
    lines.append(f"Step sizes: GD 1/L2 = {_dash(st.get('gd_1_over_L2'))}, GD stability limit 2/λ_max = "
                 f"{_dash(st.get('gd_max_2_over_lmax'))}, norm-scaled sign step 1/L∞ = {_dash(st.get('sign_1_over_Linf'))}")
    bs = rec.get("batch_size") or {}
    lines.append(f"Batch size: m* = 2η² = {_dash(bs.get('m_star'))}, CABS = {_dash(bs.get('cabs'))}")
    race = rec.get("race")
    if race:
        verdict = {True: "agrees with the call", False: "disagrees with the call", None: "no call to check"}
        lines.append(f"Race over {race['steps']} full-batch steps from θ: final loss GD {_dash(race['gd_losses'][-1])}, "
                     f"sign {_dash(race['sign_losses'][-1])}: {race['winner']} wins, which "
                     f"{verdict[race.get('agrees')]}.")
    return lines


def _key_numbers(doc: dict[str, Any]) -> str:
    rows = []
    eig = doc.get("eigenvalues") or {}
    if eig.get("top"):
        t = eig["top"][0]
        rows.append(("λ_max", f"{_num(t['value'])} ± {_num(t['residual'])}"))
    if eig.get("bottom"):
        b = eig["bottom"][0]
        rows.append(("λ_min", f"{_num(b['value'])} ± {_num(b['residual'])}"))
    for key, label in (("L2", "L2 = ‖H‖₂"), ("trace", "tr(H)"), ("mean_abs_eigenvalue", "λ̄ = mean |λ|")):
        v = doc.get(key)
        if isinstance(v, dict):
            est = v.get("value", v.get("estimate"))
            err = v.get("residual", v.get("stderr"))
            rows.append((label, f"{_num(est)} ± {_num(err)}"))
    linf = doc.get("Linf")
    if isinstance(linf, dict):
        rows.append(("L∞ = ‖H‖∞,1", f"[{_num(linf.get('lo'))}, {_num(linf.get('hi'))}]"))
    ratio = doc.get("improvement_ratio")
    if isinstance(ratio, dict):
        rows.append(("improvement ratio R", f"[{_num(ratio.get('lo'))}, {_num(ratio.get('hi'))}]"))
    if not rows:
        return ""
    body = "".join(f"<tr><th>{_esc(k)}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    return f'<h2 id="key-numbers">Key numbers</h2><table>{body}</table>'


SECTION_TITLES = (
    ("eigenvalues", "Eigenvalues"), ("L2", "Spectral norm L2"), ("trace", "Trace"),
    ("mean_abs_eigenvalue", "Mean absolute eigenvalue"), ("density", "Spectral density"),
    ("ratios", "Spectral ratios"), ("step_sizes", "Step sizes"), ("Linf", "L∞ smoothness"),
    ("rho_diag", "Diagonal concentration ρ_diag"), ("grad_norm", "Gradient norm"),
    ("grad_density", "Gradient density φ"), ("improvement_ratio", "Sign-vs-GD improvement ratio R"),
    ("noise", "Gradient noise"), ("fisher", "Fisher, empirical Fisher, GGN"), ("recommendation", "Recommendation (full)"),
)


def render_html(report: Report, figures: dict[str, bytes]) -> str:
    """The HTML document for a report and its PNG figures."""
    doc = report.to_dict()
    p = doc["problem"]
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>hessdiag report — {_esc(p['model'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>hessdiag report</h1><p class='meta'>{_esc(p['model'])} · d = {p['d']:,} parameters · "
        f"N = {p['n_samples']:,} samples · loss {_esc(p['loss'])} = {_num(p['loss_value'])} · {_esc(p['dtype'])} "
        f"on {_esc(p['device'])} · model in {_esc(p['mode'])} mode · hessdiag {_esc(doc['hessdiag_version'])}</p>",
        "<p class='meta'>All curvature quantities are local to this checkpoint θ.</p>",
        _verdict(doc),
        _key_numbers(doc),
    ]
    if doc.get("warnings"):
        out.append("<h2 id='warnings'>Warnings</h2>")
        out.extend(f"<div class='warn'>{_esc(w)}</div>" for w in doc["warnings"])
    if figures:
        out.append("<h2 id='figures'>Figures</h2>")
        for name, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            out.append(f"<figure id='fig-{_esc(name)}'><img alt='{_esc(name)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{_esc(CAPTIONS.get(name, name))}</figcaption></figure>")
    for key, title in SECTION_TITLES:
        if doc.get(key) is not None:
            out.append(f"<h2 id='section-{_esc(key)}'>{_esc(title)}</h2>{_value_html(doc[key])}")
    out.append("<h2 id='settings'>Settings and timings</h2><details><summary>settings</summary>"
               f"{_value_html(doc['settings'])}</details><details><summary>timings (s)</summary>"
               f"{_value_html(doc['timings'])}</details>")
    out.append("</body></html>\n")
    return "".join(out)
