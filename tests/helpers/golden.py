"""Compare a report document with a golden one, number by number (issue 12: the restructuring must not
change what a run reports).

Ignored: `timings` (wall clock), `hessdiag_version`, and in `settings` the paths of this run's outputs,
the cost and memory plan (`settings.cost`: unit costs measured on this machine, seconds, peak memory)
and keys the golden file does not have (settings may record more choices than before). Numbers are equal
to a relative 1e-7 (or 1e-12 absolute for numbers at rounding level, such as residual bars of 1e-14):
the same computation with floating-point sums in another order, not a different result. Everything
else (strings, booleans, nulls, list lengths, keys) must be identical.

`report_differences` judges the two kinds of value that one rounding (another CPU's BLAS kernels, another
process count) moves by more than that, by what they mean instead of digit by digit:
- the preconditioned cosine's conjugate gradients (`fisher.cos_precond_F_EF`) stop where the residual
  crosses a tolerance, so a rounding adds or drops an iteration and moves the residual and the error
  bound: the cosine itself must agree within the sum of the two error bounds;
- a race run that diverged (final loss above the loss at θ in both reports) amplified rounding without
  bound — 21 in one report, 48 in the other: it must have diverged in both.

Numbers inside strings (details, warnings) are compared as numbers with the same tolerances, the rest of the
text character by character: a warning that quotes λ_min = -1.08e-16 ± 2.7e-13 on one CPU and -3.26e-17 ±
2.1e-13 on another says the same thing. A count of products ("170 products") comes from a loop that stops where
a change crosses a tolerance, like the CG above: it may move by 1 % (169 against 170 on the wine golden run
between two CPUs with different vector units).
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

IGNORED = {"timings", "hessdiag_version"}
RUN_SETTINGS = {"json", "html", "png_dir", "quiet", "config", "fail_if", "cost"}
REL, ABS = 1e-7, 1e-12
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
COUNT_REL = 0.01  # a product count in a string may move by this much (a stopping test crossed by a rounding)


def differences(new: Any, old: Any, path: str = "", rel: float = REL) -> list[str]:
    """Every place where `new` differs from `old`, as 'path: new vs old' (numbers to `rel` relative)."""
    out: list[str] = []
    if isinstance(old, dict) and isinstance(new, dict):
        keys = set(old) | set(new)
        if path == "":
            keys -= IGNORED
        for key in sorted(keys):
            where = f"{path}.{key}" if path else key
            if path == "settings" and (key in RUN_SETTINGS or key not in old):
                continue
            if key not in new or key not in old:
                out.append(f"{where}: {'missing' if key not in new else 'extra'}")
                continue
            if path == "settings" and isinstance(old[key], dict) and isinstance(new[key], dict):
                shared = {k: new[key][k] for k in old[key] if k in new[key]}
                out += differences(shared, {k: old[key][k] for k in shared}, where, rel)
                continue
            out += differences(new[key], old[key], where, rel)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{path}: length {len(new)} vs {len(old)}"]
        for i, (a, b) in enumerate(zip(new, old)):
            out += differences(a, b, f"{path}[{i}]", rel)
    elif isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
        if not math.isclose(new, old, rel_tol=rel, abs_tol=ABS):
            out.append(f"{path}: {new!r} vs {old!r}")
    elif isinstance(old, str) and isinstance(new, str):
        if new != old and not _same_text(new, old, rel):
            out.append(f"{path}: {new!r} vs {old!r}")
    elif new != old:
        out.append(f"{path}: {new!r} vs {old!r}")
    return out


def _same_text(new: str, old: str, rel: float) -> bool:
    """The same words, and the same numbers to `rel` (a product count to COUNT_REL), as the module says."""
    if NUMBER.sub("#", new) != NUMBER.sub("#", old):
        return False
    for a, b in zip(NUMBER.finditer(new), NUMBER.finditer(old)):
        x, y = float(a.group()), float(b.group())
        if new[a.end():].startswith(" products"):
            if abs(x - y) > COUNT_REL * max(abs(x), abs(y)):
                return False
        elif not math.isclose(x, y, rel_tol=rel, abs_tol=ABS):
            return False
    return True


CG = "fisher.cos_precond_F_EF"


def report_differences(new: dict, old: dict, rel: float = REL) -> list[str]:
    """`differences` of two report documents, with the CG cosine and diverged race runs judged as the module
    docstring says."""
    new, old = copy.deepcopy(new), copy.deepcopy(old)
    _mark_diverged_race_runs(new, old)
    return _cg_differences(new, old) + differences(new, old, rel=rel)


def _cg_differences(new: dict, old: dict) -> list[str]:
    a, b = ((doc.get("fisher") or {}).get(CG.split(".")[1]) for doc in (new, old))
    if not a or not b or a["value"] is None or b["value"] is None:
        return []
    bound = a["error_bound"] + b["error_bound"]
    out = [] if abs(a["value"] - b["value"]) <= bound else [
        f"{CG}.value: {a['value']!r} vs {b['value']!r}, further apart than the error bounds' sum {bound!r}"]
    for doc in (a, b):
        for key in ("value", "error_bound", "cg"):
            doc.pop(key)
    return out


def _mark_diverged_race_runs(new: dict, old: dict) -> None:
    """Mark the race runs that diverged in both reports alike (their final losses are then not compared)."""
    races = [((doc.get("recommendation") or {}).get("race"), doc["problem"]["loss_value"]) for doc in (new, old)]
    (a, loss_a), (b, loss_b) = races
    if not a or not b:
        return
    for family in set(a["families"]) & set(b["families"]):
        runs_a, runs_b = a["families"][family]["final_losses"], b["families"][family]["final_losses"]
        for row_a, row_b in zip(runs_a, runs_b):
            for j, (x, y) in enumerate(zip(row_a, row_b)):
                if _number(x) and _number(y) and x > loss_a and y > loss_b:
                    row_a[j] = row_b[j] = "diverged in both"


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)
