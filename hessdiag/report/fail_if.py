"""`--fail-if "PATH OP NUMBER"`: conditions on the JSON report for CI jobs (SPEC §8, exit code 3).

PATH is a dotted path into the report; list indices may be written `.0` or `[0]`
(`eigenvalues.top[0].value`, `eigenvalues.top.0.value`). OP is one of < <= > >= == !=. NUMBER is a
float literal (`1e-3`, `-2`, `inf`). The expression is parsed with a regular grammar, never evaluated
as Python.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import Any

from ..errors import HessdiagError


class FailIfSyntaxError(HessdiagError):
    """A --fail-if expression that does not parse (a usage error: exit 2)."""

    exit_code = 2


class FailIfValueError(HessdiagError):
    """A --fail-if path that names nothing, or a null or non-numeric value, in this report."""


OPERATORS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
             "<": operator.lt, ">": operator.gt}
_EXPR = re.compile(
    r"^\s*(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])*)\s*"
    r"(?P<op><=|>=|==|!=|<|>)\s*"
    r"(?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity))\s*$",
    re.IGNORECASE,
)
_STEP = re.compile(r"\.?([A-Za-z0-9_]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Condition:
    text: str
    path: tuple[str | int, ...]
    op: str
    number: float

    def value_in(self, report: dict[str, Any]) -> float:
        node: Any = report
        walked = []
        for step in self.path:
            walked.append(str(step))
            if isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            elif isinstance(node, dict) and str(step) in node:
                node = node[str(step)]
            else:
                raise FailIfValueError(f"--fail-if '{self.text}': the report has no '{'.'.join(walked)}'")
        if node is None:
            raise FailIfValueError(f"--fail-if '{self.text}': the value is null in this report "
                                   "(see its warnings for why)")
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            raise FailIfValueError(f"--fail-if '{self.text}': the value is not a number ({node!r})")
        return float(node)

    def holds(self, report: dict[str, Any]) -> tuple[bool, float]:
        value = self.value_in(report)
        return OPERATORS[self.op](value, self.number), value


def parse_condition(text: str) -> Condition:
    """Parse one `PATH OP NUMBER` expression."""
    match = _EXPR.match(text)
    if not match:
        raise FailIfSyntaxError(
            f"--fail-if '{text}' is not of the form 'PATH OP NUMBER' "
            "(e.g. 'eigenvalues.top[0].value > 50'; OP one of < <= > >= == !=)"
        )
    path: list[str | int] = []
    for name, index in _STEP.findall(match["path"]):
        path.append(int(index) if index else (int(name) if name.isdigit() else name))
    number = float(match["number"])
    if math.isnan(number):  # pragma: no cover - the grammar admits no nan
        raise FailIfSyntaxError(f"--fail-if '{text}': NUMBER must not be nan")
    return Condition(text.strip(), tuple(path), match["op"], number)


def check_sections(conditions: list[Condition], sections: list[str], unfilled: set[str] = frozenset()) -> None:
    """Refuse, before any work, a condition whose first step names no section of the report, or a
    section this run leaves null (`unfilled`, from `--only`)."""
    for condition in conditions:
        head = condition.path[0]
        if head not in sections:
            close = [name for name in sections if str(head).lower()[:4] in name.lower()]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise FailIfValueError(f"--fail-if '{condition.text}': the report has no section '{head}'{hint} "
                                   "(`hessdiag schema` lists them)")
        if head in unfilled:
            raise FailIfValueError(f"--fail-if '{condition.text}': section '{head}' is not computed in this run "
                                   "(see --only)")


def failing_conditions(conditions: list[Condition], report: dict[str, Any]) -> list[str]:
    """Descriptions of the conditions that hold on the report (each with its observed value)."""
    held = []
    for condition in conditions:
        holds, value = condition.holds(report)
        if holds:
            held.append(f"{condition.text} (value {value:.6g})")
    return held
