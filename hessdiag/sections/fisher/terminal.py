"""Terminal block of the `fisher` section (SPEC §6): H, GGN = F, F_mc and EF side by side."""

from __future__ import annotations

from rich.console import Console

from ...operators import compared_matrices
from ...report.document import json_safe
from ...report.terminal.format import fmt
from ...report.terminal.tables import FoldingTable


def _pm(entry: dict | None) -> str:
    if entry is None or entry.get("estimate") is None:
        return "—"
    se = entry.get("stderr")
    return fmt(entry["estimate"], 6) if not se else f"{fmt(entry['estimate'], 6)} ± {fmt(se, 2)}"


NARROW_BELOW = 100  # columns below which the matrices are named by their symbols (H, GGN, F_mc, EF)


def render(result, console: Console) -> None:
    """The block for one `FisherComparison` (its JSON form: the same numbers as the report)."""
    f = json_safe(result.as_dict())
    k = max(len(v) for v in f["top"].values())
    table = FoldingTable(title="Curvature matrices (top eigenvalues ± certified residual; traces ± s.e.)")
    table.add_column("matrix")
    narrow = console.width < NARROW_BELOW  # the matrices' symbols alone: a title's words would be cut
    for i in range(k):
        table.add_column(f"λ{i + 1}", justify="right")
    table.add_column("trace", justify="right")
    for matrix in compared_matrices():
        key, label = matrix.name, matrix.title
        values = [f"{fmt(v['value'], 5)} ± {fmt(v['residual'], 1)}" for v in f["top"][key]]
        table.add_row(key if narrow else label, *(values + [""] * (k - len(values))), _pm(f["trace"][key]))
    console.print(table)
    comparisons = FoldingTable(title="Fisher vs empirical Fisher vs Hessian")
    comparisons.add_column("quantity")
    comparisons.add_column("value", justify="right")
    comparisons.add_column("note")
    comparisons.add_row("tr(EF)/tr(F)", _pm({"estimate": f["EF_over_F_trace"], "stderr": f["EF_over_F_trace_stderr"]}),
                        "1 when the model is well specified near a minimum (App. D.3)")
    for key, label in (("EF_vs_F", "‖EF − F‖_F/‖F‖_F"), ("F_vs_H", "‖F − H‖_F/‖H‖_F")):
        comparisons.add_row(label, _pm(f["rel_fro"][key]), f["rel_fro"][key]["method"])
    for key, entry in f["overlap"].items():
        a, b = key.split("_vs_")
        comparisons.add_row(f"top-{entry['k']} overlap {a} vs {b}", fmt(entry["value"], 4),
                            f"chance {fmt(entry['chance'], 3)}")
    cos = f["cos_precond_F_EF"]
    if cos is not None:
        bound = "no bound" if cos["error_bound"] is None else f"± {fmt(cos['error_bound'], 2)}"
        comparisons.add_row("cos((F+λI)⁻¹∇R, (EF+λI)⁻¹∇R)", f"{fmt(cos['value'], 5)} {bound}",
                            f"λ = {fmt(cos['damping'], 3)} ({cos['damping_source']}); Fig. 7.3")
    comparisons.add_row("residual size r(θ) = Σ‖∇_f log p‖₁", fmt(f["residual_size"]),
                        f"mean per sample {fmt(f['residual_size_mean'])} (Prop. 7.2: F → H as r → 0)")
    console.print(comparisons)
    for note in f["notes"]:
        console.print(note, style="dim")
