"""Scoring a family call against the tuned ground truth: confusion table and the issue's figures.

Truth labels are `sign`, `euclidean` or `tie` (ground_truth.json); calls are `sign`, `euclidean` or
`inconclusive`. A case is *clear* when its truth is sign or euclidean. The figures:

- `accuracy_clear`: share of clear cases whose call equals the truth (an inconclusive call is not right);
- `wrong_conclusive`: among conclusive calls on clear cases, the share that names the loser;
- `inconclusive_share`: share of ALL cases called inconclusive;
- `recall_sign`, `recall_euclidean`: share of each clear class called right; `balanced_accuracy`
  their mean (the constant "always sign" call scores ½ on it whatever the class sizes);
- `conclusive_on_ties`: how many tie cases got a conclusive call (not counted wrong: either family
  is within the 1.25× threshold there).

`per_seed` repeats the clear-case figures against each seed's own label (the truth of one seed at
the tuned learning rates), which shows how much of the score is label noise.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .tuning import ratio_text

TRUTHS = ("sign", "euclidean", "tie")
CALLS = ("sign", "euclidean", "inconclusive")


def confusion(truth: Mapping[str, str], calls: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """counts[truth][call] over the cases present in both mappings."""
    table = {t: {c: 0 for c in CALLS} for t in TRUTHS}
    for name, t in truth.items():
        if name in calls:
            table[t][calls[name]] += 1
    return table


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def figures(truth: Mapping[str, str], calls: Mapping[str, str]) -> dict[str, float | int | None]:
    """The issue's figures for one set of calls (see the module docstring)."""
    t = confusion(truth, calls)
    n_all = sum(sum(row.values()) for row in t.values())
    clear = [k for k in ("sign", "euclidean")]
    n_clear = sum(sum(t[k].values()) for k in clear)
    right = sum(t[k][k] for k in clear)
    wrong = t["sign"]["euclidean"] + t["euclidean"]["sign"]
    recalls = {k: _share(t[k][k], sum(t[k].values())) for k in clear}
    known = [r for r in recalls.values() if r is not None]
    return {
        "cases": n_all, "clear": n_clear, "right": right, "wrong": wrong,
        "accuracy_clear": _share(right, n_clear),
        "wrong_conclusive": _share(wrong, right + wrong),
        "inconclusive_share": _share(sum(row["inconclusive"] for row in t.values()), n_all),
        "recall_sign": recalls["sign"], "recall_euclidean": recalls["euclidean"],
        "balanced_accuracy": sum(known) / len(known) if known else None,
        "conclusive_on_ties": t["tie"]["sign"] + t["tie"]["euclidean"],
    }


def per_seed(seed_labels: Mapping[str, list[str]], calls: Mapping[str, str]) -> dict[str, list]:
    """The clear-case figures against each seed's own label: {figure: [seed 0, seed 1, ...]}."""
    seeds = len(next(iter(seed_labels.values())))
    out: dict[str, list] = {"accuracy_clear": [], "wrong_conclusive": [], "balanced_accuracy": [], "clear": []}
    for s in range(seeds):
        f = figures({k: v[s] for k, v in seed_labels.items()}, calls)
        for key in out:
            out[key].append(f[key])
    return out


def seed_ceiling(seed_labels: Mapping[str, list[str]]) -> dict[str, float | None]:
    """How well one seed's label predicts another's (label noise): mean over ordered seed pairs of the
    accuracy on cases clear under the target seed, with the predictor's ties counted inconclusive."""
    seeds = len(next(iter(seed_labels.values())))
    scores, wrongs = [], []
    for a in range(seeds):
        for b in range(seeds):
            if a == b:
                continue
            calls = {k: (v[a] if v[a] != "tie" else "inconclusive") for k, v in seed_labels.items()}
            f = figures({k: v[b] for k, v in seed_labels.items()}, calls)
            scores.append(f["accuracy_clear"])
            if f["wrong_conclusive"] is not None:
                wrongs.append(f["wrong_conclusive"])
    return {"accuracy_clear": sum(scores) / len(scores) if scores else None,
            "wrong_conclusive": sum(wrongs) / len(wrongs) if wrongs else None}


def pct(x: float | None) -> str:
    """A share as a whole percentage ("-" when undefined)."""
    return "-" if x is None else f"{100 * x:.0f}%"


def _pct(x: float | None) -> str:  # padded, for the tables' columns
    return "  -  " if x is None else f"{100 * x:4.0f}%"


def table_text(truth: Mapping[str, str], calls: Mapping[str, str], title: str) -> str:
    """The confusion table and the figures as plain text."""
    t = confusion(truth, calls)
    f = figures(truth, calls)
    lines = [title, f"{'truth / call':14s}" + "".join(f"{c:>14s}" for c in CALLS)]
    lines += [f"{k:14s}" + "".join(f"{t[k][c]:14d}" for c in CALLS) for k in TRUTHS]
    lines.append(f"accuracy on clear cases {_pct(f['accuracy_clear'])} ({f['right']}/{f['clear']}), "
                 f"wrong conclusive {_pct(f['wrong_conclusive'])} ({f['wrong']}/{f['right'] + f['wrong']}), "
                 f"inconclusive {_pct(f['inconclusive_share'])}, recall sign {_pct(f['recall_sign'])}, "
                 f"recall euclidean {_pct(f['recall_euclidean'])}, balanced {_pct(f['balanced_accuracy'])}, "
                 f"conclusive on ties {f['conclusive_on_ties']}")
    return "\n".join(lines)


def block_text(title: str, truth: Mapping[str, str], calls: Mapping[str, str],
               seed_labels: Mapping[str, list[str]]) -> str:
    """`table_text` and, below it, the accuracy and wrong-conclusive share against each seed's own label; calls on
    cases without a truth yet (evidence computed first, truth later) are left out."""
    calls = {n: c for n, c in calls.items() if n in truth}
    per = per_seed({n: seed_labels[n] for n in calls}, calls)
    acc, wrong = (", ".join("-" if a is None else f"{100 * a:.0f}%" for a in per[k])
                  for k in ("accuracy_clear", "wrong_conclusive"))
    return (table_text({n: truth[n] for n in calls}, calls, title)
            + f"\n  against each seed's own label: accuracy on clear cases {acc}; wrong conclusive {wrong}")


def constant(call: str, names: Iterable[str]) -> dict[str, str]:
    return {n: call for n in names}


def case_lines(table: Mapping[str, dict], truth_doc: Mapping[str, dict], calls: Mapping[str, str],
               feats: list[str]) -> str:
    """Per case: truth, tuned loss ratio (SGD+momentum/sign family), the held-out call, the features used."""
    lines = [f"  {'case':18s} {'truth':9s} {'ratio':>9s} {'held-out call':13s} " + " ".join(f"{f:>16s}" for f in feats)]
    for c, call in calls.items():
        t = truth_doc[c]
        mark = "" if call in (t["truth"], "inconclusive") or t["truth"] == "tie" else "  WRONG"
        vals = " ".join("{:>16s}".format("-" if table[c].get(f) is None else f"{table[c][f][0]:+.3f}") for f in feats)
        lines.append(f"  {c:18s} {t['truth']:9s} {ratio_text(t['ratio'], t['truth']):>9s} {call:13s} {vals}{mark}")
    return "\n".join(lines)
