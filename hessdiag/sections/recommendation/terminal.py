"""Terminal block of the recommendation: the verdict, its evidence, the advice, and the race."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel

from ...experiments.race import THRESHOLD
from ...report.terminal.format import fmt
from ...report.terminal.tables import FoldingTable

CHAOTIC = 0.01  # a rounding check that moved a best run's final loss by more than this is shown
LABELS = {"sign": "SIGN-BASED (signSGD, Adam family)", "euclidean": "EUCLIDEAN (SGD, momentum, M-SVAG)",
          "inconclusive": "INCONCLUSIVE"}
COLOURS = {"sign": "green", "euclidean": "blue", "inconclusive": "yellow"}


def verdict_line(rec) -> str:
    """One line naming the call, for the top of the output."""
    return f"[bold {COLOURS[rec.call]}]Recommendation: {LABELS[rec.call]}[/] — {rec.summary}"


def rule_lines(rule: dict | None) -> list[str]:
    """The rule, today's score and its benchmark accuracy, as plain lines (terminal and HTML)."""
    if not rule:
        return []
    b = rule["benchmark"]
    lines = [f"rule: {rule['description']}"]
    if b.get("fitted"):
        lines.extend(benchmark_lines(b))
    if rule["missing"]:
        lines.append(f"missing from the rule, so the call is inconclusive: {', '.join(rule['missing'])}")
    return lines


def benchmark_lines(b: dict) -> list[str]:
    """How the rule scored on the benchmark, beside the constant "always sign-based" (shares with counts)."""
    def pct(x: float | None) -> str:
        return "—" if x is None else f"{100 * x:.0f} %"

    def span(lo: float | None, hi: float | None) -> str:
        return "—" if lo is None or hi is None else f"{100 * lo:.0f}–{100 * hi:.0f} %"

    c, conf, seeds = b["constant_sign"], b["confusion"], b["per_seed_accuracy_clear"]
    lo, hi = b["accuracy_clear_interval"]
    sign, euclid = conf["sign"], conf["euclidean"]
    spread = f"; against each seed's own label {span(min(seeds), max(seeds))}" if seeds else ""
    return [
        f"benchmark ({b['benchmark']}; {b['cases']} cases of {b['kinds']} kinds, fitted {b['fitted']}): "
        f"{b['cross_validation']}: {b['right_clear']} of the {b['clear_cases']} clear cases right "
        f"({pct(b['accuracy_clear'])}, 95 % interval {span(lo, hi)}){spread}; recall sign-based "
        f"{sign['sign']}/{sum(sign.values())}, Euclidean {euclid['euclidean']}/{sum(euclid.values())}, "
        f"balanced {pct(b['balanced_accuracy'])}; {pct(b['wrong_conclusive'])} of conclusive calls wrong, "
        f"{pct(b['inconclusive_share'])} inconclusive",
        f"baseline 'always sign-based': {pct(c['accuracy_clear'])} right on the clear cases, balanced "
        f"{pct(c['balanced_accuracy'])}; on the same cases the rule is right on {c['rule_better']} where the "
        f"constant is wrong, and wrong or inconclusive on {c['rule_worse']} where the constant is right",
        f"ties: on {b['cases'] - b['clear_cases']} of the {b['cases']} cases neither family's best loss was "
        f"{THRESHOLD:g}× lower, so either call trained about as well there",
    ]


def race_line(race: dict) -> str:
    agreed = {True: "agrees with the call", False: "DISAGREES with the call", None: "no call to check"}[race["agrees"]]
    fams = race["families"]
    rng = race.get("ratio_range")
    spread = "" if not rng else f" (per seed {fmt(rng[0], 3)}–{fmt(rng[1], 3)})"
    return (f"tuned race ({race['steps']} mini-batch steps of {race['batch_size']} from θ, {race['seeds']} seeds): "
            f"best loss SGD+momentum {fmt(fams['sgdm']['best_median'], 4)} (lr {fmt(fams['sgdm']['best_lr'], 3)}) vs "
            f"Adam {fmt(fams['adam']['best_median'], 4)} (lr {fmt(fams['adam']['best_lr'], 3)}), ratio "
            f"{fmt(race['ratio'], 3)}{spread} → {race['winner']}; {agreed}{_rounding(race.get('rounding'))}")


def _rounding(check: dict | None) -> str:
    """The rounding check, where it moved the best runs' final losses by more than CHAOTIC."""
    if not check:
        return ""
    moved = max(check["final_loss_change"].values())
    if moved <= CHAOTIC:
        return ""
    settled = "the winner holds" if check["winner_settled"] else "the winner CHANGES"
    return (f"; chaotic: θ perturbed by {check['relative_perturbation']:.1g} (rounding level) moved a best run's "
            f"final loss by {fmt(100 * moved, 2)} % ({settled})")


def _interval(values: list | None) -> str:
    return "" if not values else f"[{fmt(values[0], 4)}, {fmt(values[1], 4)}]"


def render(rec, console: Console) -> None:
    """The evidence table and the recommendation panel for one `Recommendation`."""
    wide = console.width >= 120
    table = FoldingTable(title="Evidence (local to θ)", show_lines=False)
    columns = ("measurement", "value", "interval", "favours") + (("why it matters",) if wide else ())
    for column in columns:
        table.add_column(column, justify="right" if column in ("value", "interval") else "left")
    for e in rec.evidence:
        table.add_row(e.quantity, fmt(e.value, 4), _interval(e.interval), e.favours, *((e.note,) if wide else ()))
    lines = [f"[bold]{LABELS[rec.call]}[/bold]", rec.summary]
    lines.extend(rule_lines(rec.rule))
    if rec.settle:
        lines.append(f"What would settle it: {rec.settle}")
    lines.extend(f"caveat: {c}" for c in rec.caveats)
    va = rec.variance_adaptation
    if va.get("worth_it") is not None:
        lines.append(f"variance adaptation: {'worth it' if va['worth_it'] else 'little gain'} — {va['reason']}")
    if rec.ef_warning and rec.ef_warning.get("warn"):
        lines.append(f"empirical Fisher: {rec.ef_warning['note']} ({'; '.join(rec.ef_warning['reasons'])})")
    steps = rec.step_sizes
    lines.append(f"step sizes: GD 1/L2 = {fmt(steps['gd_1_over_L2'], 4)}, GD limit 2/λ_max = "
                 f"{fmt(steps['gd_max_2_over_lmax'], 4)}, norm-scaled sign 1/L∞ = {fmt(steps['sign_1_over_Linf'], 4)}")
    batch = rec.batch_size
    lines.append(f"batch size: m* = 2η² = {fmt(batch['m_star'], 4)}, CABS = {fmt(batch['cabs'], 4)}")
    if rec.race:
        lines.append(race_line(rec.race))
    console.print(table)
    console.print(Panel("\n".join(lines), title="Recommendation", border_style=COLOURS[rec.call]))
