"""Terminal tables fold what does not fit onto further lines of the cell: no digit or letter is hidden
behind rich's "…" on a terminal of 80 columns or in a CI log (80 columns when not a terminal)."""

from __future__ import annotations

import io

import pytest
import torch
from rich.console import Console
from rich.table import Table
from torch import nn

from helpers.cases import seeded_model
from hessdiag import diagnose
from hessdiag.report.terminal import render_terminal
from hessdiag.report.terminal.tables import FoldingTable

NUMBER = "11,720,448"


def _printed(table: Table, width: int) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def _cells(text: str, column: int) -> str:
    """One column's cells of a printed table, its lines joined (a folded cell's parts in order)."""
    return "".join(line.split("│")[column].strip() for line in text.splitlines() if line.startswith("│"))


@pytest.mark.parametrize("kind, whole", [(Table, False), (FoldingTable, True)])
def test_a_number_wider_than_its_column_is_folded_not_cut(kind, whole):
    """rich's own Table (the reference) cuts the number to "…" at this width; FoldingTable prints it all."""
    table = kind(title="t")
    for name in ("tensor", "numel", "a", "b", "c", "d", "e"):
        table.add_column(name, justify="right")
    table.add_row("bert.embeddings.word_embeddings.weight", NUMBER, *["1.5695e-06"] * 5)
    text = _printed(table, 50)
    assert (NUMBER in _cells(text, 2) and "…" not in text) == whole


def test_a_column_may_still_ask_for_an_ellipsis():
    table = FoldingTable()
    table.add_column("x", overflow="ellipsis", max_width=6)
    table.add_row(NUMBER)
    assert "…" in _printed(table, 80)


class LongNames(nn.Module):
    """A model whose parameter names are as long as a transformer's."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder_embedding_projection_layer = nn.Linear(6, 8)
        self.encoder_intermediate_dense_layer = nn.Linear(8, 8)
        self.classification_head_output_layer = nn.Linear(8, 3)

    def forward(self, x):
        return self.classification_head_output_layer(torch.tanh(self.encoder_intermediate_dense_layer(
            torch.tanh(self.encoder_embedding_projection_layer(x)))))


def test_a_report_on_long_parameter_names_hides_nothing_at_80_columns():
    """The sampled ρ_diag per tensor (seven columns) cut names and numbers before (MiniLM at 80 columns:
    "bert.em…", "11,720,4…", "1.5695e…")."""
    gen = torch.Generator().manual_seed(0)
    model = seeded_model(LongNames, gen)
    x = torch.randn(40, 6, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (40,), generator=gen)
    report = diagnose(model, (x, y), "ce", only="spectrum,geometry", top_k=1, exact_max_d=0, race_steps=0,
                      dtype="float64", device="cpu")
    console = Console(width=80, record=True, file=io.StringIO())
    render_terminal(report, console)
    text = console.export_text()
    assert "ρ_diag per parameter tensor" in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert rows and not [line for line in rows if "…" in line]
    tensors = _cells(text[text.index("ρ_diag per parameter tensor"):], 1)
    assert all(f"{name}.weight" in tensors for name, _ in model.named_children())
