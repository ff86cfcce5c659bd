"""Terminal block of the `fisher` section."""

from __future__ import annotations

from rich.console import Console

from ..document import Report


def render(report: Report, console: Console) -> None:
    """Nothing yet: the section is not implemented."""
