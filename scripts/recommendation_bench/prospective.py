"""A prospective test of the shipped rule: its calls on new cases, frozen before their ground truth exists.

    python scripts/recommendation_bench/prospective.py --record a,b,...   # freeze the calls (needs evidence)
    python scripts/recommendation_bench/prospective.py --score            # score them against ground truth

`--record` applies the rules in `hessdiag/recommend/coefficients.py` (as committed at `rule_commit`) to each
case's cached evidence and race, and writes the calls with their scores and features to `prospective.json`.
A case already recorded is never overwritten, and a case whose ground truth already exists is refused: a
call recorded after its truth was known is not a forecast. `--score` prints, on the recorded cases that now
have a ground truth, the confusion table of each recorded call against the truth and against the constant
answer "always sign", with per-seed figures.
"""

from __future__ import annotations

import argparse
import json
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


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent).stdout.strip()


def frozen_calls(evidence: dict, races: dict, name: str) -> dict:
    """The shipped rules' calls on one case: without the race (the default run's rule) and with it."""
    row = rule_fit.feature_table(evidence, races, [name])[name]
    stationary = rule_fit.is_stationary(evidence, name)
    out = {"features": row, "stationary": stationary}
    rows = {"no_race": {**row, rule_fit.RACE: None}, "with_race": row if row.get(rule_fit.RACE) else None}
    for variant, use in rows.items():
        if use is not None:
            outcome = rule_fit.shipped_outcome(use, stationary)
            out[variant] = {"call": outcome.call, "score": outcome.score}
    return out


def record(names: list[str], path: Path = JSON_PATH) -> dict:
    doc = json.loads(path.read_text()) if path.exists() else {"cases": {}}
    truth = json.loads(TRUTH_PATH.read_text())["cases"]
    evidence, races = ev.load(), race_study.load()
    for n in names:
        if n in doc["cases"]:
            raise SystemExit(f"{n} is already recorded; a forecast is never rewritten")
        if n in truth:
            raise SystemExit(f"{n} already has a ground truth; its call would not be a forecast")
        if n not in evidence["cases"]:
            raise SystemExit(f"{n} has no cached evidence; run bench_recommendation.py --only {n} first")
    rule_commit = _git("log", "-1", "--format=%H", "--", "../../hessdiag/recommend/coefficients.py")
    for n in names:
        doc["cases"][n] = {"recorded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "rule_commit": rule_commit, **frozen_calls(evidence, races, n)}
    cache.save(doc, path, compact=False)
    return doc


def score(path: Path = JSON_PATH) -> str:
    doc = json.loads(path.read_text())["cases"]
    truth_doc = json.loads(TRUTH_PATH.read_text())["cases"]
    done = [n for n in doc if n in truth_doc]
    truth = {n: truth_doc[n]["truth"] for n in done}
    seeds = {n: truth_doc[n]["per_seed_labels"] for n in done}
    commits = sorted({doc[n]["rule_commit"][:9] for n in doc})
    lines = [f"{len(done)} of {len(doc)} recorded cases have a ground truth; the rules as committed at "
             f"{', '.join(commits)}", ""]
    lines += [f"  {n:26s} truth {truth[n]:9s} ratio {ratio_text(truth_doc[n].get('ratio'), truth[n]):>8s}  "
              + "  ".join(f"{v} {doc[n][v]['call']:9s}" for v in RULES if v in doc[n]) for n in done]
    blocks = {f"the shipped rule, {v} (frozen before the truth)": {n: doc[n][v]["call"] for n in done if v in doc[n]}
              for v in RULES}
    blocks["constant 'always sign'"] = scoring.constant("sign", done)
    for title, calls in blocks.items():
        lines += ["", scoring.block_text(title, truth, calls, seeds)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--record", help="comma-separated case names whose calls to freeze")
    g.add_argument("--score", action="store_true", help="score the recorded calls against the ground truth")
    args = p.parse_args(argv)
    if args.record:
        doc = record(args.record.split(","))
        for n in args.record.split(","):
            print(n, {v: doc["cases"][n][v]["call"] for v in RULES if v in doc["cases"][n]})
    else:
        print(score())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
