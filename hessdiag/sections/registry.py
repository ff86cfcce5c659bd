"""The registry of report sections: their order, `--only`, and what each run computes.

Optional sections (selectable with `--only`) run in registration order, then the non-optional stages
(the recommendation). `register` adds a section (a test's toy section, or a new one), `unregister`
removes it; everything else (the JSON document, the schema, `--fail-if` checks, the terminal, the
HTML page, the figures) iterates `sections()`.
"""

from __future__ import annotations

import contextlib
from typing import Iterable, Iterator

from ..errors import ConfigError
from ..load import loss_names
from ..report.schema import report_schema, unfilled_keys
from ..report.section import Section

_SECTIONS: list[Section] = []


def register(section: Section) -> Section:
    """Add a section; its name and its JSON keys must be new."""
    taken = {key for s in _SECTIONS for key in s.keys}
    if any(s.name == section.name for s in _SECTIONS):
        raise ValueError(f"section '{section.name}' is registered twice")
    if taken & set(section.keys):
        raise ValueError(f"section '{section.name}' declares report keys another section owns: "
                         f"{', '.join(sorted(taken & set(section.keys)))}")
    _SECTIONS.append(section)
    return section


def unregister(name: str) -> None:
    _SECTIONS[:] = [s for s in _SECTIONS if s.name != name]


@contextlib.contextmanager
def registered(section: Section) -> Iterator[Section]:
    """A section registered for the duration of a `with` block (tests, plugins)."""
    register(section)
    try:
        yield section
    finally:
        unregister(section.name)


def sections() -> tuple[Section, ...]:
    """Every registered section, optional ones first (registration order), then the stages."""
    return tuple([s for s in _SECTIONS if s.optional] + [s for s in _SECTIONS if not s.optional])


def selectable() -> tuple[str, ...]:
    """The names `--only` accepts."""
    return tuple(s.name for s in sections() if s.optional)


def resolve_only(only: Iterable[str] | None) -> tuple[str, ...]:
    """The sections to run: all selectable ones by default; an unknown name is a one-line error."""
    names = selectable()
    if only is None:
        return names
    chosen = tuple(only)
    unknown = [s for s in chosen if s not in names]
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)} in --only; choose from {', '.join(names)}")
    if not chosen:
        raise ConfigError(f"--only names no section; choose from {', '.join(names)}")
    return tuple(name for name in names if name in chosen)


def schema() -> dict:
    """The JSON Schema of a report with the registered sections."""
    return report_schema(sections(), loss_names())


def unfilled(only: Iterable[str]) -> set[str]:
    """Report keys that stay null when only these sections run."""
    return unfilled_keys(sections(), only)
