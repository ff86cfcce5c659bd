"""Compare a report document with a golden one, number by number (issue 12: the restructuring must not
change what a run reports).

Ignored: `timings` (wall clock), `hessdiag_version`, and in `settings` the paths of this run's outputs,
the cost and memory plan (`settings.cost`: unit costs measured on this machine, seconds, peak memory)
and keys the golden file does not have (settings may record more choices than before). Numbers are equal
to a relative 1e-7 (or 1e-12 absolute for numbers at rounding level, such as residual bars of 1e-14):
the same computation with floating-point sums in another order, not a different result. Everything
else (strings, booleans, nulls, list lengths, keys) must be identical.
"""

from __future__ import annotations

import math
from typing import Any

IGNORED = {"timings", "hessdiag_version"}
RUN_SETTINGS = {"json", "html", "png_dir", "quiet", "config", "fail_if", "cost"}
REL, ABS = 1e-7, 1e-12


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
    elif new != old:
        out.append(f"{path}: {new!r} vs {old!r}")
    return out
