"""The terminal report's tables: cells fold what does not fit onto further lines, never cut it.

rich's default overflow ends a cell that does not fit in "…": on a terminal of 80 columns, or in a CI log
(80 columns when not a terminal), that hid digits of numbers ("11,720,4…", "1.5695e…") and parts of names
("Monte-C…"). `FoldingTable` is a rich `Table` whose columns fold by default (a column may still ask for
another overflow), so every character of every cell is printed.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table


class FoldingTable(Table):
    """A rich `Table` whose columns fold overflowing cells onto further lines (rich's default: '…')."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)
