"""Number formatting shared by the terminal renderers."""

from __future__ import annotations


def fmt(x: float | None, digits: int = 6) -> str:
    """`x` to `digits` significant digits; an em dash for a missing (null) value."""
    return "—" if x is None else f"{x:.{digits}g}"
