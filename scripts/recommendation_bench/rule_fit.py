"""Choosing and scoring the call's rule on the benchmark, by leave-one-KIND-out cross-validation.

The rule is a logistic regression of "the sign family wins" (clear cases only: truth sign = 1,
euclidean = 0; class-balanced weights, L2 penalty C = 1) on at most MAX_FEATURES standardised
features from `hessdiag.recommend.features` (the values a run reports, with their intervals); its
score s = w·z + b becomes a call with a margin μ: `sign` when the whole score interval (the feature
intervals pushed through the linear score) lies above μ, `euclidean` when below −μ, else
`inconclusive`. A missing feature is imputed at the training mean (z = 0, no information).

Selection of (features, μ) maximises, over leave-one-kind-out folds of the TRAINING kinds, the
utility U = right − 2·wrong − 0.25·inconclusive (right/wrong on clear cases; inconclusive on all).
The two checkpoints of a kind are never split between training and test. The accuracy the report
states is NESTED: for every kind, the whole selection runs on the other kinds and the chosen
rule, fitted on them, calls the held-out kind's cases. The rule in the code is the same procedure run
on all kinds. Variants: `with_race` (the race's log ratio is a candidate feature),
`no_race` (it is not), `curvature` (no feature that divides by the gradient: the rule for stationary
points, the race allowed), `race_tiebreak` (no_race, and where it is inconclusive the race's winner).
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Iterable

import numpy as np

from .logistic import Model, fit_arrays, fit_folds, score_intervals
from .tuning import THRESHOLD

# Up to two features per rule. With up to three (377 subsets for 17 clear cases) the inner leave-one-kind-out
# utility overfitted the subset search: the nested accuracy on clear cases was 47 % (wrong conclusive 43 %) against
# 88 % (12 %) with one, on the 24-case benchmark of 2026-12-03, and one it was (NB: chosen with those held-out
# figures in view). On 264 cases (141 clear, 2026-12-05) the nested selection was rerun with up to two, under a
# criterion fixed before its result was read (though not committed first): two if its nested utility (right −
# 2·wrong − ¼·inconclusive) is the higher. Without the race 59.25 against 22.5 (112 of 141 right against 97), with
# it 56.75 against 46.25 (105 against 103); so two. The candidate designs' calls in prospective.json test the choice
# forward.
MAX_FEATURES = 2
MARGINS = (0.0, 0.5, 1.0)
RACE = "log_race_ratio"


def benchmark_version(evidence: dict, races: dict, truth_doc: dict) -> str:
    """Ground-truth settings hash / evidence version / race-study version, as one string."""
    from .ground_truth import settings

    return (f"ground truth {settings()['settings_hash']} ({len(truth_doc)} cases), "
            f"evidence v{evidence['evidence_version']}, race study v{races.get('study_version')}")


def feature_table(evidence: dict, races: dict, names: Iterable[str], race_length: int = 200) -> dict:
    """{case: {feature: (value, lo, hi) | None}} from the cached reports and the race study."""
    from .race_study import race_entry

    out = {}
    for n in names:
        feats = dict(evidence["cases"][n]["report"]["recommendation"].get("features") or {})
        table = {k: None if v is None else (v["value"], *v["interval"]) for k, v in feats.items()}
        race = race_entry(races, n, "default", race_length)
        table[RACE] = None
        if race is not None and race["ratio"] and race["ratio"] > 0 and math.isfinite(race["ratio"]):
            # the seeds' range, widened by the rounding check where the race made one (as a run reads it)
            lo, hi = race.get("ratio_interval") or race["ratio_range"] or (race["ratio"], race["ratio"])
            table[RACE] = (math.log10(race["ratio"]), math.log10(max(lo, 1e-300)), math.log10(max(hi, 1e-300)))
        out[n] = table
    return out


def is_stationary(evidence: dict, name: str) -> bool:
    """Whether the case's cached run found ‖∇R‖ at rounding level (the shipped rules then use CURVATURE)."""
    rec = evidence["cases"][name]["report"]["recommendation"]
    return bool((rec.get("stationarity") or {}).get("stationary"))


def shipped_outcome(row: dict, stationary: bool):
    """The rule now in hessdiag/recommend/coefficients.py applied to one case's feature row (as `feature_table`
    gives it): `rule_for` picks the rule as a run does, `apply` makes its call (a RuleOutcome)."""
    from hessdiag.recommend.coefficients import rule_for
    from hessdiag.recommend.features import Feature
    from hessdiag.recommend.rule import apply

    feats = {k: None if v is None else Feature(*v) for k, v in row.items()}
    return apply(rule_for(feats, stationary), feats)


def _matrix(table: dict, cases: list[str], feats: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, lower and upper ends (NaN where missing), cases × features."""
    v = np.full((len(cases), len(feats)), np.nan)
    lo, hi = v.copy(), v.copy()
    for i, c in enumerate(cases):
        for j, f in enumerate(feats):
            got = table[c].get(f)
            if got is not None and all(math.isfinite(x) for x in got[:1]):
                v[i, j], lo[i, j], hi[i, j] = got
    return v, lo, hi


def fit(table: dict, truth: dict, cases: list[str], feats: tuple[str, ...], margin: float) -> Model:
    """The rule on these features, fitted on the clear cases among `cases`."""
    clear = [c for c in cases if truth[c] in ("sign", "euclidean")]
    v, _, _ = _matrix(table, clear, feats)
    return fit_arrays(feats, v, np.array([truth[c] == "sign" for c in clear], dtype=int), margin)


def utility(calls: dict, truth: dict) -> float:
    right = sum(calls[c] == truth[c] for c in calls if truth[c] in ("sign", "euclidean"))
    wrong = sum(calls[c] not in (truth[c], "inconclusive") for c in calls if truth[c] in ("sign", "euclidean"))
    inconclusive = sum(calls[c] == "inconclusive" for c in calls)
    return right - 2.0 * wrong - 0.25 * inconclusive


def loko_calls(table: dict, truth: dict, kinds: dict, cases: list[str], feats: tuple[str, ...],
               margins: Iterable[float] = MARGINS) -> dict[float, dict[str, str]]:
    """Leave-one-kind-out calls of a fixed feature set, for each margin (one fit per fold)."""
    out: dict[float, dict[str, str]] = {}
    v, lo, hi = _matrix(table, cases, feats)  # once; each fold fits on its rows, all folds in one solve
    of_kind = np.array([kinds[c] for c in cases])
    clear = np.array([truth[c] in ("sign", "euclidean") for c in cases])
    y = np.array([truth[c] == "sign" for c in cases], dtype=int)
    held_out = sorted(set(of_kind))
    models = fit_folds(feats, v, y, np.array([(of_kind != kind) & clear for kind in held_out]), 0.0)
    low, high = score_intervals(models, np.searchsorted(held_out, of_kind), v, lo, hi)  # each case by its fold
    for m in margins:
        out[m] = {c: "sign" if a > m else "euclidean" if b < -m else "inconclusive"
                  for c, a, b in zip(cases, low, high)}
    return out


def candidates(table: dict, variant: str) -> list[str]:
    """The features a variant may use: `no_race` all but the race, `with_race` all, `curvature` those
    that do not divide by the gradient (for stationary points) and the race."""
    from hessdiag.recommend.features import CANDIDATES

    names = sorted({f for row in table.values() for f in row})
    if variant == "curvature":
        return [f for f in names if not CANDIDATES[f][2]]
    return [f for f in names if variant == "with_race" or f != RACE]


def select(table: dict, truth: dict, kinds: dict, cases: list[str], variant: str,
           max_features: int = MAX_FEATURES,
           subsets: Iterable[tuple[str, ...]] | None = None) -> tuple[tuple[str, ...], float, float]:
    """(features, margin, inner utility) maximising the inner leave-one-kind-out utility over `subsets` (by
    default every subset of at most `max_features` of the variant's candidates; one fixed subset chooses only
    its margin)."""
    best = None
    if subsets is None:
        pool = candidates(table, variant)
        subsets = (f for size in range(1, max_features + 1) for f in itertools.combinations(pool, size))
    for feats in subsets:
        for margin, calls in loko_calls(table, truth, kinds, cases, feats).items():
            key = (utility(calls, truth), -len(feats), -margin)
            if best is None or key > best[0]:
                best = (key, feats, margin)
    assert best is not None
    return best[1], best[2], best[0][0]


def _fold(table: dict, truth: dict, kinds: dict, cases: list[str], variant: str, max_features: int,
          kind: str) -> tuple[dict[str, str], tuple[str, tuple, float]]:
    """One outer fold: the whole selection on the other kinds, then the chosen rule's calls on `kind`."""
    train = [c for c in cases if kinds[c] != kind]
    test = [c for c in cases if kinds[c] == kind]
    feats, margin, _ = select(table, truth, kinds, train, variant, max_features)
    model = fit(table, truth, train, feats, margin)
    return dict(zip(test, model.calls(*_matrix(table, test, feats)))), (kind, feats, margin)


def nested(table: dict, truth: dict, kinds: dict, cases: list[str], variant: str,
           max_features: int = MAX_FEATURES, jobs: int = 1) -> tuple[dict[str, str], list[tuple[str, tuple, float]]]:
    """Nested leave-one-kind-out calls of the whole selection procedure, and what each fold chose.

    The outer folds are independent; `jobs` > 1 runs them in that many processes (same result, same order)."""
    held_out = sorted({kinds[c] for c in cases})
    args = [(table, truth, kinds, cases, variant, max_features, kind) for kind in held_out]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            folds = list(pool.map(_fold, *zip(*args), chunksize=max(1, len(args) // (8 * jobs))))
    else:
        folds = [_fold(*a) for a in args]
    calls: dict[str, str] = {}
    for fold_calls, _ in folds:
        calls.update(fold_calls)
    return calls, [choice for _, choice in folds]


def score_literal(evidence: dict, races: dict, truth_doc: dict, kinds: dict, truth: dict, calls: dict,
                  per_seed_accuracy: list) -> str:
    """The nested figures as a `hessdiag.recommend.benchmark_score.BenchmarkScore` literal: the counts, from
    which the report derives every share."""
    from .scoring import confusion

    n_kinds = len(set(kinds.values()))
    per_seed = tuple(round(a, 4) for a in per_seed_accuracy if a is not None)
    return (f"BenchmarkScore(fitted={date.today().isoformat()!r}, "
            f"benchmark={benchmark_version(evidence, races, truth_doc)!r}, kinds={n_kinds}, "
            f"cross_validation={f'nested leave-one-kind-out over the {n_kinds} kinds'!r}, "
            f"confusion={confusion(truth, calls)!r}, per_seed_accuracy_clear={per_seed!r})")


def literal(model: Model, name: str, provenance: str) -> str:
    """The rule as a `hessdiag.recommend.rule.LogisticRule` literal, to paste into recommend/coefficients.py."""
    terms = ",\n        ".join(f"Term({f!r}, {w:.6g}, {m:.6g}, {s:.6g}, seen=({lo:.6g}, {hi:.6g}))"
                              for f, w, m, s, (lo, hi) in zip(model.feats, model.coef, model.mean, model.scale,
                                                              model.seen))
    return (f"LogisticRule(\n    name={name!r}, intercept={model.intercept:.6g}, margin={model.margin:g},\n"
            f"    terms=(\n        {terms},\n    ),\n    provenance={provenance},\n)")


def describe(model: Model) -> str:
    terms = " ".join(f"{'+' if w >= 0 else '−'} {abs(w):.3f}·z({f})" for w, f in zip(model.coef, model.feats))
    zs = ", ".join(f"z({f}) = (x − {m:.4g})/{s:.4g}, fitted on {lo:.4g}…{hi:.4g}"
                   for f, m, s, (lo, hi) in zip(model.feats, model.mean, model.scale, model.seen))
    return f"s = {model.intercept:.3f} {terms}; {zs}; margin {model.margin:g}"


def report(evidence: dict, races: dict, truth_doc: dict, scored: list[str], refit: bool = False,
           jobs: int = 1) -> None:
    """Print the nested-CV figures of each variant and the rule each chooses on all kinds; with `refit`, also
    that rule as a literal for hessdiag/recommend/coefficients.py. The outer folds run in `jobs` processes."""
    from .scoring import case_lines, per_seed, table_text

    truth = {c: truth_doc[c]["truth"] for c in scored}
    kinds = {c: truth_doc[c]["kind"] for c in scored}
    seeds = {c: truth_doc[c]["per_seed_labels"] for c in scored}
    table = feature_table(evidence, races, scored)
    race_calls, decisive = {}, math.log10(THRESHOLD)
    for c in scored:
        r = table[c].get(RACE)
        race_calls[c] = "inconclusive" if r is None else ("sign" if r[0] >= decisive else
                                                           "euclidean" if r[0] <= -decisive else "inconclusive")
    variants = ("no_race", "with_race", "curvature", "race_tiebreak")
    selections: dict[str, tuple] = {}  # race_tiebreak settles no_race's calls: its selection is run once
    for variant in variants:
        base = "no_race" if variant == "race_tiebreak" else variant
        if base not in selections:
            selections[base] = (nested(table, truth, kinds, scored, base, jobs=jobs),
                                select(table, truth, kinds, scored, base))
        (calls, chosen), (feats, margin, inner) = selections[base]
        if variant == "race_tiebreak":
            calls = {c: race_calls.get(c, "inconclusive") if call == "inconclusive" else call
                     for c, call in calls.items()}
        print(table_text(truth, calls, f"nested leave-one-kind-out: rule variant {variant}"))
        acc = per_seed(seeds, calls)["accuracy_clear"]
        print("  against each seed's own label: " + ", ".join("-" if a is None else f"{100 * a:.0f}%" for a in acc))
        for kind, fold_feats, fold_margin in chosen:
            print(f"  held out {kind:13s}: chose {', '.join(fold_feats)} (margin {fold_margin:g})")
        print(case_lines(table, truth_doc, calls, sorted({f for _, fs, _ in chosen for f in fs})))
        model = fit(table, truth, scored, feats, margin)
        print(f"  on all kinds: {describe(model)} (inner utility {inner:g})")
        fixed = loko_calls(table, truth, kinds, scored, feats, (margin,))[margin]
        print(table_text(truth, fixed, "  (optimistic) leave-one-kind-out of that fixed feature set"))
        if refit:
            print(literal(model, variant, score_literal(evidence, races, truth_doc, kinds, truth, calls, acc)))
        print()
