"""Score hessdiag's optimizer-family call against tuned training (issue 11).

    python scripts/bench_recommendation.py                  # evidence (cached) + race study (cached) + scores
    python scripts/bench_recommendation.py --only lsq_axis_init,lstm_warm --refresh
    python scripts/bench_recommendation.py --jobs 2         # stale evidence in 2 one-thread workers
    python scripts/bench_recommendation.py --score          # cached entries only, no computation
    python scripts/bench_recommendation.py --score --fit    # also print the re-selected rules as code literals
    python scripts/bench_recommendation.py --score --jobs 2 # the nested selections' outer folds in 2 processes

Ground truth: `recommendation_bench/ground_truth.json` (tuned SGD+momentum vs Adam/Signum, 300 steps,
3 seeds; see ground_truth.py). Evidence: a default `hessdiag.diagnose` run per case checkpoint, cached
in `recommendation_bench/evidence.json` (evidence.py). Race study: `recommendation_bench/race_study.json`
(race_study.py). The scores printed: the confusion table (truth sign/euclidean/tie × call
sign/euclidean/inconclusive), accuracy on clear cases, share of conclusive calls that are wrong,
inconclusive share, per-class recall and balanced accuracy (scoring.py), for hessdiag's call, the old
R(θ)-only call, the constant "always sign" baseline, the race alone by length, and the rule's
leave-one-kind-out cross-validated calls; and the figures against each seed's own labels. Last, the
prospective test: the calls a shipped rule made on new cases before their ground truth existed
(recommendation_bench/prospective.py).
Run it with `nice -n 10` on a shared machine; one thread is used (as for the ground truth).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recommendation_bench import evidence as ev  # noqa: E402
from recommendation_bench import prospective, race_study, rule_fit, scoring  # noqa: E402
from recommendation_bench.cases import CASES  # noqa: E402
from recommendation_bench.ground_truth import JSON_PATH as TRUTH_PATH  # noqa: E402


def _calls_from_reports(evidence: dict) -> dict[str, str]:
    """The calls the cached runs printed (with the rule in the code when each was computed)."""
    return {n: e["report"]["recommendation"]["call"] for n, e in evidence["cases"].items()}


def _calls_of_the_shipped_rule(evidence: dict, races: dict) -> dict[str, str]:
    """The rule now in hessdiag/recommend/coefficients.py applied to every case's cached features (the race's
    from the race study). IN-SAMPLE: that rule was fitted on these cases; the cross-validated figures are
    the nested ones printed below."""
    table = rule_fit.feature_table(evidence, races, list(evidence["cases"]))
    return {n: rule_fit.shipped_outcome(row, rule_fit.is_stationary(evidence, n)).call for n, row in table.items()}


def _r_only_calls(evidence: dict) -> dict[str, str]:
    """The call of hessdiag ≤ 0.1 (from the R(θ) interval alone), recomputed from the cached reports."""
    out = {}
    for n, e in evidence["cases"].items():
        r = e["report"].get("improvement_ratio") or {}
        lo, hi = r.get("lo"), r.get("hi")
        out[n] = "sign" if lo is not None and lo > 1 else "euclidean" if hi is not None and hi < 1 else "inconclusive"
    return out


def _print_block(title: str, truth: dict, calls: dict, seed_labels: dict) -> None:
    print(scoring.block_text(title, truth, calls, seed_labels) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", help="comma-separated case names to (re)compute (default: all)")
    p.add_argument("--refresh", action="store_true", help="recompute even fresh entries of --only")
    p.add_argument("--score", action="store_true", help="score the cached entries only")
    p.add_argument("--no-race-study", action="store_true", help="skip the race study")
    p.add_argument("--jobs", type=int, default=1,
                   help="worker processes (one thread each) for the evidence and the nested selections")
    p.add_argument("--fit", action="store_true", help="print each variant's re-selected rule as a code literal")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    names = args.only.split(",") if args.only else list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        p.error(f"unknown cases: {', '.join(unknown)}")
    start = time.time()
    if not args.score:
        evidence = ev.update(names, refresh=args.refresh, jobs=args.jobs)
        if not args.no_race_study:
            race_study.update(names, evidence, refresh=args.refresh)
    evidence, races = ev.load(), race_study.load()
    truth_doc = json.loads(TRUTH_PATH.read_text())["cases"]
    scored = [n for n in CASES if n in evidence["cases"] and n in truth_doc]
    truth = {n: truth_doc[n]["truth"] for n in scored}
    seeds = {n: truth_doc[n]["per_seed_labels"] for n in scored}
    print(f"{len(scored)} cases scored ({time.time() - start:.0f} s computing)\n")
    ceiling = scoring.seed_ceiling(seeds)
    print(f"label noise: one seed's label predicts another's clear label with accuracy "
          f"{100 * ceiling['accuracy_clear']:.0f}% (wrong conclusive {100 * ceiling['wrong_conclusive']:.0f}%)\n")
    _print_block("the shipped rule on the cached features (IN-SAMPLE: fitted on these cases)", truth,
                 _calls_of_the_shipped_rule(evidence, races), seeds)
    _print_block("the calls the cached runs printed (provisional rule = R(θ) alone when computed)", truth,
                 _calls_from_reports(evidence), seeds)
    _print_block("R(θ) alone (the call of hessdiag ≤ 0.1)", truth, _r_only_calls(evidence), seeds)
    _print_block("constant 'always sign'", truth, scoring.constant("sign", scored), seeds)
    for batch, length in race_study.runs(races):
        entries = {n: race_study.race_entry(races, n, batch, length) for n in scored}
        calls = {n: ("inconclusive" if e["winner"] == "tie" else e["winner"]) for n, e in entries.items() if e}
        f = scoring.figures({n: truth[n] for n in calls}, calls)
        steps = sum(e["minibatch_steps"] for e in entries.values() if e)
        seconds = sum(e["seconds"] for e in entries.values() if e)
        pct = scoring.pct
        print(f"race alone, batch {batch:7s} {length:4d} steps: accuracy clear {pct(f['accuracy_clear'])}, "
              f"wrong conclusive {pct(f['wrong_conclusive'])}, inconclusive {pct(f['inconclusive_share'])}, "
              f"balanced {pct(f['balanced_accuracy'])}  (cost {steps} mini-batch steps, {seconds:.0f} s, "
              f"{len(calls)} cases)")
    print()
    rule_fit.report(evidence, races, truth_doc, scored, refit=args.fit, jobs=args.jobs)
    if prospective.JSON_PATH.exists():
        print("\nprospective test: calls frozen before the ground truth existed (prospective.py)")
        print(prospective.score())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
