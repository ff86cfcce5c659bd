"""Section `blocks` (SPEC §7): the Hessian's diagonal blocks H_BB per parameter tensor and their heterogeneity.

Block spectra (exact from the dense Hessian or from a small block's columns; Lanczos in lockstep over
all blocks otherwise, `hessdiag.estimators.blocks`) and how much they differ: the averaged
Jensen–Shannon divergence between block spectral densities and the spread of the block tops (Zhang et
al. 2024: a large heterogeneity hampers SGD's single learning rate more than Adam's per-coordinate
scaling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from rich.console import Console

from ..estimators.blocks import BlockHeterogeneity, BlockSpectrum, block_heterogeneity, block_spectra
from ..estimators.blocks.heterogeneity import common_grid, smoothed
from ..report.figures import new_figure
from ..report.schema import EST, INT, NUM, STR, interval, nullable, obj
from ..report.section import FigureSpec, Key, Results, Section
from ..report.terminal.format import fmt
from ..report.terminal.tables import FoldingTable
from ..work import Work

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class BlocksResult:
    spectra: list[BlockSpectrum]
    heterogeneity: BlockHeterogeneity
    matvecs: int

    def as_dict(self) -> dict[str, Any]:
        return {"per_block": [s.as_dict() for s in self.spectra], **self.heterogeneity.as_dict(),
                "matvecs": self.matvecs}


def compute(work: Work, results: Results) -> BlocksResult | None:
    """None when `--budget` cut the block Lanczos to 0 steps (the report's cost.cuts say so)."""
    layout, plan = work.problem.layout, work.plan
    if plan.block_steps == 0 and work.hessian.dense is None:
        work.log.warn("blocks: not measured: --budget left no Lanczos steps for the parameter blocks' spectra "
                      "(settings.cost.cuts.block_steps)")
        return None
    blocks = [(b.name, b.offset, b.numel) for b in layout.blocks]
    operator = work.hessian.operator
    before = operator.matvecs
    with work.log.timer("blocks"):
        spectra = block_spectra(operator, blocks, dense=work.hessian.dense, steps=plan.block_steps,
                                probes=plan.block_probes, generator=work.generator("blocks"),
                                unit_roundoff=torch.finfo(work.problem.dtype).eps)
        heterogeneity = block_heterogeneity(spectra)
    if heterogeneity.reason:
        work.log.warn(f"blocks: {heterogeneity.reason}")
    return BlocksResult(spectra, heterogeneity, operator.matvecs - before)


def to_json(result: BlocksResult | None) -> dict[str, Any]:
    return {"blocks": result}


def render(result: BlocksResult, console: Console) -> None:
    table = FoldingTable(title="Hessian blocks H_BB per parameter tensor")
    for column in ("block", "size", "top eigenvalue", "mean |λ|", "method"):
        table.add_column(column, justify="left" if column in ("block", "method") else "right")
    for s in result.spectra:
        d = s.as_dict()
        table.add_row(s.name, str(s.numel), f"{fmt(s.top.value, 5)} ± {fmt(s.top.residual, 2)}",
                      fmt(d["mean_abs_eigenvalue"], 4), s.method)
    console.print(table)
    h = result.heterogeneity
    js = "—" if h.average_js is None else f"{fmt(h.average_js.estimate, 4)} ± {fmt(h.average_js.stderr, 2)}"
    console.print(f"block heterogeneity: averaged JS divergence between block spectra {js} nats (of at most "
                  f"ln 2 ≈ 0.693; {h.pairs} pairs), spread of block tops log10(max/min) = {fmt(h.top_spread, 3)}")


def key_numbers(result: BlocksResult) -> list[tuple[str, str]]:
    h = result.heterogeneity
    js = "—" if h.average_js is None else f"{h.average_js.estimate:.4g} ± {h.average_js.stderr:.2g}"
    return [("block heterogeneity: averaged JS divergence (nats)", js),
            ("spread of block tops log10(max/min)", fmt(h.top_spread, 3))]


def plot_blocks(result: BlocksResult | None) -> Figure | None:
    """Each block's smoothed spectral density on the common grid the JS divergence uses."""
    if result is None:
        return None
    spectra = result.spectra
    if len(spectra) < 2:
        return None
    fig, ax = new_figure(7.0, 3.8)
    grid, sigma = common_grid(spectra)
    for i, s in enumerate(spectra[:12]):
        density = smoothed(*s.pooled(), grid, sigma)
        ax.semilogy(grid, np.maximum(density, 1e-12), color=f"C{i % 10}", lw=1.0, label=f"{s.name} ({s.numel})")
    ax.set_xlabel("eigenvalue of H_BB")
    ax.set_ylabel("share per grid point (log)")
    ax.legend(fontsize=7, ncol=2)
    js = result.heterogeneity.average_js
    ax.set_title("Hessian block spectra" + ("" if js is None else f": averaged JS divergence {js.estimate:.3g}"),
                 fontsize=9)
    return fig


CAPTION = ("Spectral densities of the Hessian's diagonal blocks (one per parameter tensor, at most 12 drawn), "
           "Gaussian-smoothed on the common grid of the Jensen–Shannon divergence.")
_BLOCK = obj({"name": STR, "numel": INT, "top": obj({"value": NUM, "residual": NUM}, nullable=False),
              "mean_abs_eigenvalue": NUM, "method": STR}, nullable=False)
KEYS = {"blocks": Key("Hessian block heterogeneity", obj({
    "per_block": {"type": "array", "items": _BLOCK}, "average_js": nullable(EST), "top_spread_log10": NUM,
    "top_spread_interval": interval(), "blocks": INT, "pairs": INT}))}

SECTION = Section(name="blocks", title="Hessian block heterogeneity", keys=KEYS, compute=compute, to_json=to_json,
                  render_terminal=render, key_numbers=key_numbers,
                  figures=(FigureSpec("blocks", CAPTION, plot_blocks),))
