"""A prospective test of the shipped rule: its calls on new cases, frozen before their ground truth exists.

    python scripts/recommendation_bench/prospective.py --record a,b,...   # freeze the calls (needs evidence)
    python scripts/recommendation_bench/prospective.py --record-candidates a,b,...   # add CANDIDATES' calls
    python scripts/recommendation_bench/prospective.py --score            # score them against ground truth

`--record` applies the rules in `hessdiag/recommend/coefficients.py` (as committed at `rule_commit`) to each
case's cached evidence and race, and writes the calls with their scores and features to `prospective.json`,
with the calls of the candidate designs (`CANDIDATES`, selected and fitted on the ground truth as of
`candidates_commit`). A case already recorded is never overwritten, and a case whose ground truth already
exists is refused: a call recorded after its truth was known is not a forecast. `--score` prints, on the
recorded cases that now have a ground truth, the confusion table of each recorded call against the truth and
against the constant answer "always sign", with per-seed figures.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `recommendation_bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from recommendation_bench import cache, race_study, rule_fit, scoring
    from recommendation_bench import evidence as ev
    from recommendation_bench.ground_truth import JSON_PATH as TRUTH_PATH
    from recommendation_bench.tuning import ratio_text
else:
    from . import cache, race_study, rule_fit, scoring
    from . import evidence as ev
    from .ground_truth import JSON_PATH as TRUTH_PATH
    from .tuning import ratio_text

JSON_PATH = Path(__file__).resolve().parent / "prospective.json"
RULES = ("no_race", "with_race")
# Designs not shipped, whose calls are frozen beside the shipped rules' so that a later choice between them rests on
# forecasts, not on the benchmark they were selected on; each selected and fitted on every case that had a ground
# truth when the calls were recorded. name: (rule_fit variant, most features, the features fixed or None to select
# them). Round 24 froze the selection with up to two features (two_features_no_race, two_features_with_race), which
# then became the shipped design (rule_fit's MAX_FEATURES); from round 25 on the candidates are the one-feature
# design it replaced; from round 48 on also the pair the no-race selection chose on 600 cases (289 of 300 folds)
# and left on 616 (still chosen in 16 of 308 folds), refitted with only its margin chosen, so that forecasts compare
# the two pairs the selection moves between; from round 50 on also the other pair (the gradient density with Adam's
# progress, shipped on 616 and 630 cases, chosen in 43 of 329 folds on 658), as the block pair became the shipped rule
# without the race again.
CANDIDATES: dict[str, tuple[str, int, tuple[str, ...] | None]] = {
    "one_feature_no_race": ("no_race", 1, None),
    "one_feature_with_race": ("with_race", 1, None),
    "block_pair_no_race": ("no_race", 2, ("block_top_spread", "log_jacobi_rate")),
    "density_pair_no_race": ("no_race", 2, ("grad_density", "log_adam_progress")),
}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent).stdout.strip()


def recorded_features(row: dict) -> dict:
    """A case's features as the record keeps them: each (value, low, high) as a list, an unbounded end (a race
    whose loss reached 0 in one seed: its ratio's interval has no finite end) as the text "inf" or "-inf",
    which strict JSON can hold."""
    def kept(x: float | None) -> float | str | None:
        return x if x is None or math.isfinite(x) else repr(float(x))

    return {k: None if v is None else [kept(x) for x in v] for k, v in row.items()}


def frozen_calls(evidence: dict, races: dict, name: str) -> dict:
    """The shipped rules' calls on one case: without the race (the default run's rule) and with it."""
    row = rule_fit.feature_table(evidence, races, [name])[name]
    stationary = rule_fit.is_stationary(evidence, name)
    out = {"features": recorded_features(row), "stationary": stationary}
    rows = {"no_race": {**row, rule_fit.RACE: None}, "with_race": row if row.get(rule_fit.RACE) else None}
    for variant, use in rows.items():
        if use is not None:
            outcome = rule_fit.shipped_outcome(use, stationary)
            out[variant] = {"call": outcome.call, "score": outcome.score}
    return out


def candidate_models(evidence: dict, races: dict) -> dict[str, rule_fit.Model]:
    """Each candidate design's rule: its selection and fit on every case that has a ground truth now."""
    truth_doc = json.loads(TRUTH_PATH.read_text())["cases"]
    scored = [n for n in truth_doc if n in evidence["cases"]]
    truth = {n: truth_doc[n]["truth"] for n in scored}
    kinds = {n: truth_doc[n]["kind"] for n in scored}
    table = rule_fit.feature_table(evidence, races, scored)
    out = {}
    for name, (variant, size, fixed) in CANDIDATES.items():
        subsets = None if fixed is None else [fixed]
        feats, margin, _ = rule_fit.select(table, truth, kinds, scored, variant, size, subsets)
        out[name] = rule_fit.fit(table, truth, scored, feats, margin)
    return out


def candidate_calls(models: dict[str, rule_fit.Model], evidence: dict, races: dict, name: str) -> dict:
    """The candidate rules' calls on one case, as rule_fit scores them (a missing feature at its mean; a design
    with the race only where the race ran), with the score and the rule."""
    row = rule_fit.feature_table(evidence, races, [name])[name]
    out = {}
    for cand, model in models.items():
        with_race = CANDIDATES[cand][0] == "with_race"
        if with_race and not row.get(rule_fit.RACE):
            continue
        use = {name: row if with_race else {**row, rule_fit.RACE: None}}
        v, lo, hi = rule_fit._matrix(use, [name], model.feats)
        out[cand] = {"call": model.calls(v, lo, hi)[0], "score": float(model.score_interval(v, lo, hi)[0][0]),
                     "rule": rule_fit.describe(model)}
    return out


def _refuse_unless_forecast(n: str, truth: dict, evidence: dict) -> None:
    if n in truth:
        raise SystemExit(f"{n} already has a ground truth; its call would not be a forecast")
    if n not in evidence["cases"]:
        raise SystemExit(f"{n} has no cached evidence; run bench_recommendation.py --only {n} first")


def record_candidates(names: list[str], path: Path = JSON_PATH) -> dict:
    """Add the candidate designs' calls to recorded cases that lack them and have no ground truth yet."""
    doc = json.loads(path.read_text())
    truth = json.loads(TRUTH_PATH.read_text())["cases"]
    evidence, races = ev.load(), race_study.load()
    for n in names:
        if n not in doc["cases"] or any(c in doc["cases"][n] for c in CANDIDATES):
            raise SystemExit(f"{n} is not recorded, or its candidate calls are; a forecast is never rewritten")
        _refuse_unless_forecast(n, truth, evidence)
    models = candidate_models(evidence, races)
    stamp = {"candidates_recorded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "candidates_commit": _git("rev-parse", "HEAD")}
    for n in names:
        doc["cases"][n].update(stamp, **candidate_calls(models, evidence, races, n))
    cache.save(doc, path, compact=False)
    return doc


def record(names: list[str], path: Path = JSON_PATH) -> dict:
    doc = json.loads(path.read_text()) if path.exists() else {"cases": {}}
    truth = json.loads(TRUTH_PATH.read_text())["cases"]
    evidence, races = ev.load(), race_study.load()
    for n in names:
        if n in doc["cases"]:
            raise SystemExit(f"{n} is already recorded; a forecast is never rewritten")
        _refuse_unless_forecast(n, truth, evidence)
    rule_commit = _git("log", "-1", "--format=%H", "--", "../../hessdiag/recommend/coefficients.py")
    models, head = candidate_models(evidence, races), _git("rev-parse", "HEAD")
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for n in names:
        doc["cases"][n] = {"recorded": now, "rule_commit": rule_commit, **frozen_calls(evidence, races, n),
                           "candidates_commit": head, **candidate_calls(models, evidence, races, n)}
    cache.save(doc, path, compact=False)
    return doc


def candidates_recorded(doc: dict) -> list[str]:
    """Every candidate design with a frozen call in the record, the current CANDIDATES and earlier ones."""
    return sorted({k for entry in doc.values() for k, v in entry.items()
                   if isinstance(v, dict) and "call" in v and k not in RULES})


def score(path: Path = JSON_PATH) -> str:
    doc = json.loads(path.read_text())["cases"]
    truth_doc = json.loads(TRUTH_PATH.read_text())["cases"]
    done = [n for n in doc if n in truth_doc]
    truth = {n: truth_doc[n]["truth"] for n in done}
    seeds = {n: truth_doc[n]["per_seed_labels"] for n in done}
    commits = sorted({doc[n]["rule_commit"][:9] for n in doc})
    lines = [f"{len(done)} of {len(doc)} recorded cases have a ground truth; the rules as committed at "
             f"{', '.join(commits)}", ""]
    variants = (*RULES, *candidates_recorded(doc))
    lines += [f"  {n:26s} truth {truth[n]:9s} ratio {ratio_text(truth_doc[n].get('ratio'), truth[n]):>8s}  "
              + "  ".join(f"{v} {doc[n][v]['call']:9s}" for v in variants if v in doc[n]) for n in done]
    blocks = {f"the shipped rule, {v} (frozen before the truth)": {n: doc[n][v]["call"] for n in done if v in doc[n]}
              for v in RULES}
    for c in variants[len(RULES):]:
        blocks[f"a candidate design, {c} (frozen before the truth, not shipped)"] = {
            n: doc[n][c]["call"] for n in done if c in doc[n]}
    blocks["constant 'always sign'"] = scoring.constant("sign", done)
    for title, calls in blocks.items():
        lines += ["", scoring.block_text(title, truth, calls, seeds) if calls else f"{title}: no call has a truth yet"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--record", help="comma-separated case names whose calls to freeze")
    g.add_argument("--record-candidates", help="comma-separated recorded cases whose candidate calls to freeze")
    g.add_argument("--score", action="store_true", help="score the recorded calls against the ground truth")
    args = p.parse_args(argv)
    if args.record or args.record_candidates:
        names = (args.record or args.record_candidates).split(",")
        doc = record(names) if args.record else record_candidates(names)
        for n in names:
            print(n, {v: doc["cases"][n][v]["call"] for v in (*RULES, *CANDIDATES) if v in doc["cases"][n]})
    else:
        print(score())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
