"""Terminal block of the `noise` section (SPEC §5): the same numbers as the JSON, with intervals."""

from __future__ import annotations

from rich.console import Console

from ...report.document import json_safe
from ...report.terminal.format import fmt
from ...report.terminal.tables import FoldingTable


def _interval(ci: list | None) -> str:
    if not ci or ci[0] is None:
        return "—"
    if ci[1] is None:
        return f"[{fmt(ci[0], 4)}, ∞)"
    return f"[{fmt(ci[0], 4)}, {fmt(ci[1], 4)}]"


def _pm(value, stderr) -> str:
    if value is None:
        return "—"
    return fmt(value, 6) if not stderr else f"{fmt(value, 6)} ± {fmt(stderr, 2)}"


def _scalars(noise: dict) -> FoldingTable:
    eta, bs, al = noise["noise_to_signal"], noise["batch_size"], noise["alignment"]
    table = FoldingTable(title="Gradient noise (per-sample gradients; 95 % intervals)")
    for column, justify in (("quantity", "left"), ("value", "right"), ("interval / ± s.e.", "right"), ("note", "left")):
        table.add_column(column, justify=justify)
    table.add_row("noise-to-signal η² = tr Σ/‖∇R‖² (Eq. 4.9)", fmt(eta["estimate"]), _interval(eta["ci"]),
                  eta["method"])
    table.add_row("tr Σ (1/N on the selection)", fmt(noise["trace_Sigma"]), f"± {fmt(noise['trace_Sigma_stderr'], 2)}",
                  "unbiased (Eq. 3.30): " + fmt(noise["trace_Sigma_unbiased"]))
    table.add_row("‖∇R‖²", fmt(noise["grad_norm_sq"]), "",
                  "de-biased (Eq. 4.16): " + fmt(noise["grad_norm_sq_debiased"]))
    table.add_row("optimal batch size m* = 2η² (Eq. 4.19)", fmt(bs["m_star"]), _interval(bs["m_star_ci"]), "")
    cabs_note = "needs --lr" if bs["lr"] is None else f"α = {fmt(bs['lr'])}"
    table.add_row("CABS batch size α·tr Σ/R (Eq. 4.20)", fmt(bs["cabs"]), _interval(bs["cabs_ci"]), cabs_note)
    for m in ("1", "32", "128"):
        g = bs["gamma_star"][m]
        table.add_row(f"step factor γ* = (1+η²/m)⁻¹, m = {m} (Eq. 4.11)", fmt(g["value"], 4), _interval(g["ci"]), "")
    k = al["k_hat"]
    table.add_row("Zheng: k̂ = tr Σ/tr H (Σ ≈ kH)", "—" if k is None else _pm(k["estimate"], k["stderr"]), "",
                  "needs tr H" if k is None else ("" if k["reliable"] else "tr H not distinguishable from 0"))
    ov = al["overlap"]
    if ov is not None:
        table.add_row(f"overlap of top-{ov['k']} eigenspaces of Σ and H", fmt(ov["value"], 4), "",
                      f"chance level {fmt(ov['chance'], 3)}" + ("" if ov["converged"] else "; Lanczos not converged"))
    return table


def _coordinates(noise: dict) -> FoldingTable:
    table = FoldingTable(title="Per-coordinate noise of one sample (m = 1): medians over coordinates")
    for column in ("tensor", "d", "η_i²", "SVAG", "sign", "Adam", "ρ_i", "coin flips"):
        table.add_column(column, justify="right" if column != "tensor" else "left")

    def row(name: str, s: dict) -> list[str]:
        share = s["coin_flip_share"]
        return [name, str(s["d"]), *(fmt(s[key]["q50"], 3) for key in ("eta2", "svag", "sign_factor", "adam", "rho")),
                "—" if share is None else f"{100 * share:.1f} %"]

    table.add_row(*row("all", noise["per_coordinate"]))
    for name, stats in noise["per_layer"].items():
        table.add_row(*row(name, stats))
    table.caption = ("SVAG 1/(1+η²) (Eq. 5.11), sign erf(1/(√2η)) = 2ρ−1 (Eq. 5.10), Adam (1+η²)^-½ (Eq. 5.6); "
                     "quartiles in the JSON")
    return table


def render(result, console: Console) -> None:
    """The block for one `NoiseReport` (its JSON form: the same numbers as the report)."""
    if result is None:
        return
    noise = json_safe(result.as_dict())
    ps = noise["per_sample"]
    console.print(f"per-sample gradients: {ps['per_sample_used']} ({ps['per_sample_mode']}) — "
                  f"{ps['per_sample_reason']}", style="dim")
    console.print(_scalars(noise))
    console.print(_coordinates(noise))
    sa = noise["sign_agreement"]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.1f} %"

    shares = ", ".join(f"m = {m}: {pct(v)}" for m, v in sa["coin_flip_share_by_batch_size"].items())
    console.print(f"coordinates whose sign is close to a coin flip (ρ_i < {sa['coin_flip_threshold']:g}, Gaussian "
                  f"model) at batch size {shares}")
    for note in noise["notes"]:
        console.print(note, style="dim")
