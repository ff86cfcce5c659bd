"""The verdict box of the HTML page: the call, its evidence table and the advice that goes with it."""

from __future__ import annotations

from typing import Any

from ...report.document import json_safe
from ...report.html import dash, esc, pair
from .terminal import race_line, rule_lines

LABELS = {"sign": "Sign-based (signSGD, Adam family)", "euclidean": "Euclidean (SGD, momentum, M-SVAG)",
          "inconclusive": "Inconclusive"}


def verdict_html(result) -> str:
    """The call first, then the evidence table and the advice, for one `Recommendation`."""
    rec = json_safe(result.as_dict())
    call = str(rec["call"])
    parts = [f'<div class="verdict {esc(call)}" id="verdict"><div class="call">{esc(LABELS.get(call, call))}</div>']
    if rec.get("summary"):
        parts.append(f"<p>{esc(rec['summary'])}</p>")
    rule = rule_lines(rec.get("rule"))
    if rule:
        parts.append(f"<p class='rule'>{'<br>'.join(esc(line) for line in rule)}</p>")
    if rec["evidence"]:
        rows = "".join(
            f"<tr><td>{esc(e['quantity'])}</td><td class='num'>{dash(e['value'])}</td>"
            f"<td class='num'>{pair(e['interval'])}</td><td>{esc(e['favours'])}</td>"
            f"<td>{esc(e.get('note', ''))}</td></tr>"
            for e in rec["evidence"]
        )
        parts.append("<table><tr><th>measurement</th><th>value</th><th>interval</th><th>favours</th>"
                     f"<th>why it matters</th></tr>{rows}</table>")
    parts.append(f"<ul>{''.join(f'<li>{esc(line)}</li>' for line in advice(rec))}</ul></div>")
    return "".join(parts)


def advice(rec: dict[str, Any]) -> list[str]:
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
    st = rec["step_sizes"]
    lines.append(f"Step sizes: GD 1/L2 = {dash(st.get('gd_1_over_L2'))}, GD stability limit 2/λ_max = "
                 f"{dash(st.get('gd_max_2_over_lmax'))}, norm-scaled sign step 1/L∞ = "
                 f"{dash(st.get('sign_1_over_Linf'))}")
    bs = rec["batch_size"]
    lines.append(f"Batch size: m* = 2η² = {dash(bs.get('m_star'))}, CABS = {dash(bs.get('cabs'))}")
    race = rec.get("race")
    if race:
        lines.append(race_line(race).replace("tuned race", "Tuned race", 1))
    return lines
