"""The tuned race with its runs batched against the same race one run at a time, on the benchmark's cases.

    python scripts/bench_race.py [--cases a,b] [--max-seconds 60] [--steps 200] [--device cuda]

For each case of the recommendation benchmark's race study (`recommendation_bench/race_study.json`)
whose cached race took at most --max-seconds, the race runs exactly as `hessdiag run --race-steps N`
makes it (`race_for`: the case's problem, centres from the cached evidence, the default plan, seed 0),
once with its rounds batched (`experiments.race_runs`, what a run does) and once one run at a time
(torch.optim, what a run did before), in the same process. Printed per case: both times and their
ratio, the largest relative difference of any finite loss at the best learning rates, and whether the
ratio and winner agree with each other and with the cached race study (made one run at a time).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommendation_bench import race_study  # noqa: E402
from recommendation_bench.cases import CASES  # noqa: E402
from recommendation_bench.evidence import load as load_evidence  # noqa: E402

from hessdiag.load import problem_from_objects  # noqa: E402
from hessdiag.sections.recommendation.race import race_for  # noqa: E402
from hessdiag.work import Plan  # noqa: E402


def best_losses(result) -> list[float]:
    """Every seed's losses at each family's best learning rate."""
    out: list[float] = []
    for fam in result.families.values():
        out += [v for run in fam.losses[fam.best()] for v in run]
    return out


def largest_difference(a: list[float], b: list[float]) -> float:
    diffs = [abs(u - v) / abs(v) for u, v in zip(a, b) if math.isfinite(u) and math.isfinite(v) and v]
    return max(diffs, default=0.0)


def compare(name: str, evidence: dict, study: dict, steps: int, device: str) -> dict:
    case = CASES[name]
    model = case.model()
    model.load_state_dict(case.checkpoint_state(), strict=True)
    x, y = case.tensors()
    problem = problem_from_objects(model, x, y, case.loss, seed=0, device=device)
    m = race_study.measurements(evidence["cases"][name]["report"])
    out = {"case": name, "d": problem.d}
    for batched in (True, False):
        start = time.perf_counter()
        result = race_for(problem, m, steps, Plan(), seed=0, batched=batched)
        out["batched" if batched else "alone"] = (time.perf_counter() - start, result)
    cached = race_study.race_entry(study, name, "default", steps)
    (tb, rb), (ta, ra) = out["batched"], out["alone"]
    out.update(speedup=ta / tb, difference=largest_difference(best_losses(rb), best_losses(ra)),
               ratios=(rb.ratio(), ra.ratio(), cached["ratio"] if cached else math.nan),
               winners=(rb.winner(), ra.winner(), cached["winner"] if cached else "-"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="", help="comma-separated case names (default: the race study's)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="skip cases whose cached race took longer")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--device", default="cpu", help="where the problems live (cuda: the race on a GPU)")
    args = parser.parse_args()
    study, evidence = race_study.load(), load_evidence()
    names = [n for n in args.cases.split(",") if n] or [
        n for n in sorted(study["cases"]) if (race_study.race_entry(study, n, "default", args.steps) or {})
        .get("seconds", math.inf) <= args.max_seconds]
    print(f"race of {args.steps} steps, batch 128, 2 seeds; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, device {args.device}")
    print(f"{'case':20} {'d':>8} {'batched s':>10} {'alone s':>9} {'speed-up':>9} {'max rel diff':>13}  "
          f"ratio batched / alone / study      winners")
    rows = []
    for name in names:
        r = compare(name, evidence, study, args.steps, args.device)
        rows.append(r)
        print(f"{name:20} {r['d']:>8,} {r['batched'][0]:>10.2f} {r['alone'][0]:>9.2f} {r['speedup']:>8.2f}× "
              f"{r['difference']:>13.1e}  " + " / ".join(f"{v:.6g}" for v in r["ratios"]) + "  "
              + " / ".join(r["winners"]), flush=True)
    same = sum(r["winners"][0] == r["winners"][1] == r["winners"][2] for r in rows)
    print(f"median speed-up {statistics.median(r['speedup'] for r in rows):.2f}× "
          f"(range {min(r['speedup'] for r in rows):.2f}–{max(r['speedup'] for r in rows):.2f}×) over {len(rows)} "
          f"cases; total {sum(r['batched'][0] for r in rows):.1f} s batched against "
          f"{sum(r['alone'][0] for r in rows):.1f} s one at a time; winners agree (batched, alone, study) on "
          f"{same} of {len(rows)}")
    print(json.dumps({"largest ratio difference": max(abs(r["ratios"][0] / r["ratios"][1] - 1) for r in rows)}))


if __name__ == "__main__":
    main()
