"""Section `imbalance` (SPEC §7): class frequencies, per-class losses and gradient norms (Kunstner et al. 2024).

For classification problems (ce, or bce with one 0/1 output) one pass over the data gives the class
counts, the per-class mean losses and the per-class gradients (one reverse pass per class and batch,
vmapped); other problems get a null result with the reason in the warnings.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from ..estimators.imbalance import ClassStatistics, class_statistics, no_classes_reason
from ..report.schema import NUM, obj
from ..report.section import Key, Results, Section
from ..report.terminal.format import fmt
from ..work import Work


def compute(work: Work, results: Results) -> ClassStatistics | None:
    reason = no_classes_reason(work.problem)
    if reason is not None:
        work.log.warn(f"imbalance: {reason}")
        return None
    with work.log.timer("imbalance"):
        return class_statistics(work.problem)


def to_json(result: ClassStatistics | None) -> dict[str, Any]:
    return {"imbalance": result}


def render(result: ClassStatistics | None, console: Console) -> None:
    if result is None:
        return
    present = sum(c > 0 for c in result.counts)
    console.print(f"[bold]Class imbalance[/bold]: {present} of {len(result.counts)} classes present; "
                  f"π_max/π_min = {fmt(result.imbalance_ratio, 4)}, normalised entropy "
                  f"{fmt(result.normalised_entropy, 3)}, rarer half of the classes holds "
                  f"{fmt(None if result.tail_share is None else 100 * result.tail_share, 3)} % of the samples; "
                  f"rank correlation of frequency with per-class loss {fmt(result.loss_frequency_correlation, 3)}")


def key_numbers(result: ClassStatistics | None) -> list[tuple[str, str]]:
    if result is None:
        return []
    return [("class frequencies π_max/π_min", fmt(result.imbalance_ratio, 4)),
            ("rank correlation of class frequency with per-class loss", fmt(result.loss_frequency_correlation, 3))]


KEYS = {"imbalance": Key("Class imbalance", obj({
    "classes": {"type": "integer"}, "present": {"type": "integer"},
    "counts": {"type": "array", "items": {"type": "integer"}}, "frequencies": {"type": "array", "items": NUM},
    "per_class_loss": {"type": "array", "items": NUM}, "per_class_grad_norm": {"type": "array", "items": NUM},
    "imbalance_ratio": NUM, "normalised_entropy": NUM, "tail_share": NUM, "loss_frequency_correlation": NUM}))}

SECTION = Section(name="imbalance", title="Class imbalance", keys=KEYS, compute=compute, to_json=to_json,
                  render_terminal=render, key_numbers=key_numbers)
