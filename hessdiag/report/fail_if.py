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
from typing import Any, Mapping

from ..errors import HessdiagError
from .schema import LENGTH_SETTING


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


def _types(node: Mapping[str, Any]) -> set[str] | None:
    """The JSON types a schema fragment admits (None: not stated, anything goes)."""
    if "oneOf" in node or "anyOf" in node:
        found: set[str] = set()
        for option in node.get("oneOf", node.get("anyOf", ())):
            types = _types(option)
            if types is None:
                return None
            found |= types
        return found
    if "const" in node or "enum" in node:
        values = [node["const"]] if "const" in node else list(node["enum"])
        return {"string" if isinstance(v, str) else "boolean" if isinstance(v, bool) else "number"
                if isinstance(v, (int, float)) else "null" if v is None else "object" for v in values}
    kind = node.get("type")
    if kind is None:
        return None
    return {kind} if isinstance(kind, str) else set(kind)


def _kinds(types: set[str]) -> str:
    """`a number`, `an array or null`: the JSON types in words."""
    words = {"array": "an array", "object": "an object", "integer": "an integer", "null": "null"}
    return " or ".join(words.get(t, f"a {t}") for t in sorted(types, key=lambda t: (t == "null", t)))


def _options(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(node.get("oneOf", node.get("anyOf", ()))) or [node]


def _step(node: Mapping[str, Any], step: str | int, where: str, condition: Condition,
          settings: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The fragment one step below `node` (None: the schema does not say), or a refusal."""
    types = _types(node)
    wanted = {"array", "object"} if isinstance(step, int) else {"object"}  # `gamma_star.1`: a key of digits
    if types is not None and not wanted & types:
        raise FailIfValueError(f"--fail-if '{condition.text}': '{where}' is {_kinds(types)}; the report has "
                               "nothing below it")
    for option in _options(node):
        if isinstance(step, int) and "items" in option:
            limit, why = option.get("maxItems"), ""
            setting = option.get(LENGTH_SETTING)
            if setting is not None and settings.get(setting) is not None:
                limit, why = int(settings[setting]), f" (--{setting.replace('_', '-')} {settings[setting]})"
            if limit is not None and step >= limit:
                raise FailIfValueError(f"--fail-if '{condition.text}': '{where}' has at most {limit} entries"
                                       f"{why}; index {step} is past its end")
            return option["items"] if isinstance(option["items"], Mapping) else None
        if str(step) in option.get("properties", {}):
            return option["properties"][str(step)]
    return None


def check_paths(conditions: list[Condition], schema: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
    """Refuse, before any work, a condition whose path the report's schema rules out: a step below a
    number, string or boolean (`L2.value.x`), an index past a list's known length (`eigenvalues.top[99]`
    with `--top-k 2`: the length is the setting the schema names), or a path that ends on an object,
    a list or a string rather than a number."""
    for condition in conditions:
        node: Mapping[str, Any] | None = schema
        walked: list[str] = []
        for step in condition.path:
            node = _step(node, step, ".".join(walked), condition, settings) if walked else \
                schema.get("properties", {}).get(str(step))
            walked.append(str(step))
            if node is None:
                break
        if node is None:
            continue
        types = _types(node)
        if types is not None and not types & {"number", "integer"}:
            raise FailIfValueError(f"--fail-if '{condition.text}': '{'.'.join(walked)}' is {_kinds(types)}, "
                                   "not a number")


def failing_conditions(conditions: list[Condition], report: dict[str, Any]) -> list[str]:
    """Descriptions of the conditions that hold on the report (each with its observed value)."""
    held = []
    for condition in conditions:
        holds, value = condition.holds(report)
        if holds:
            held.append(f"{condition.text} (value {value:.6g})")
    return held
