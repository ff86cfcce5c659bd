"""What a report section is: one declaration that every part of hessdiag iterates.

A `Section` names itself (the `--only` name), computes a typed result from the shared work and the
results of the sections before it, says which top-level JSON keys it owns (with a title and a schema
fragment for each), turns its result into those keys, and renders it: a terminal block, optional
lead lines (the verdict), key numbers for the HTML page, and figures. The registry of sections
(`hessdiag.sections`) orders them; `--only`, the JSON document, the schema, the terminal, the HTML
page and the PNG figures all iterate it, so a new section is one module and one registration.

`fills` lists keys owned by another section that this one can supply when their owner did not run
(geometry supplies `L2` under `--only geometry`). `finish` lets a section complete its result from
sections that ran after it (the spectrum's step sizes take 1/L∞ from the geometry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Key:
    """A top-level JSON key of a section: its title (HTML heading) and its JSON Schema fragment."""

    title: str
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class FigureSpec:
    """A PNG figure drawn from a section's result (None when there is nothing to draw)."""

    name: str
    caption: str
    plot: Callable[[Any], Any]


class Results:
    """Typed results of the sections that ran so far, by section name; `get(kind)` finds one by type."""

    def __init__(self) -> None:
        self._by_name: dict[str, Any] = {}

    def add(self, name: str, result: Any) -> None:
        self._by_name[name] = result

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Any:
        return self._by_name[name]

    def items(self):
        return self._by_name.items()

    def get(self, kind: type[T]) -> T | None:
        """The result of type `kind`, or None when the section that makes it did not run."""
        found = [r for r in self._by_name.values() if isinstance(r, kind)]
        if len(found) > 1:
            raise TypeError(f"two sections returned a {kind.__name__}")
        return found[0] if found else None


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    keys: Mapping[str, Key]
    compute: Callable[[Any, Results], Any]  # (work, earlier results) → typed result
    to_json: Callable[[Any], Mapping[str, Any]]  # result → {key: JSON value} for its own keys
    render_terminal: Callable[[Any, Any], None] | None = None  # (result, rich Console)
    lead: Callable[[Any], str | None] | None = None  # a rich line for the top of the terminal output
    lead_html: Callable[[Any], str] | None = None  # HTML placed before the key numbers
    key_numbers: Callable[[Any], list[tuple[str, str]]] | None = None  # (label, value) rows for the HTML page
    figures: tuple[FigureSpec, ...] = ()
    finish: Callable[[Any, Results, Any], Any] | None = None  # (own result, all results, work) → completed
    fills: tuple[str, ...] = ()
    optional: bool = True  # selectable with --only; a non-optional stage always runs, after the others
