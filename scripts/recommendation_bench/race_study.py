"""How often does hessdiag's tuned race alone pick the tuned long-run winner, by race length and cost?

For every case and every length in LENGTHS, the race runs exactly as `hessdiag run --race-steps L`
runs it (`hessdiag.sections.recommendation.race.race_for`: same problem, centres from the same
measurements — λ_max(H) and λ_max of Adam's preconditioned Hessian, read from the cached evidence —
same plan and seed, rounds batched where the run's cost plan would batch them), with hessdiag's
default race batch (plan.reference_batch = 128 rows); at CASE_BATCH_LENGTH steps it also runs with the
case's own training batch, to show how much the batch size matters. Results are cached in
race_study.json (keyed by case hash and STUDY_VERSION); the benchmark scores each length's winner
against the truth, with its cost (mini-batch steps, seconds).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

from . import cache
from .cases import CASES, Case

STUDY_VERSION = 2
JSON_PATH = Path(__file__).resolve().parent / "race_study.json"
LENGTHS = (25, 50, 100, 200)
CASE_BATCH_LENGTH = 200


def measurements(report: dict):
    """The Measurements the race reads (λ_max, Adam's preconditioned λ_max, L∞, d) from a cached report."""
    from hessdiag.linalg import Interval
    from hessdiag.recommend import Measured, Measurements

    top = report["eigenvalues"]["top"][0]["value"]
    pre = (report.get("preconditioning") or {}).get("adam") or {}
    adam = ((pre.get("spectrum") or {}).get("lambda_max") or {}).get("value")
    return Measurements(lambda_max=Measured(top, Interval(top, top)),
                        adam_lambda_max=adam if adam and adam > 0 else None,
                        Linf=Interval(report["Linf"]["lo"], report["Linf"]["hi"]), d=report["problem"]["d"])


def case_races(case: Case, report: dict) -> dict:
    import hessdiag
    from hessdiag.experiments.race_units import unit_seconds
    from hessdiag.load import problem_from_objects
    from hessdiag.sections.recommendation.race import race_for
    from hessdiag.work import Plan

    model = case.model()
    model.load_state_dict(case.checkpoint_state(), strict=True)
    x, y = case.tensors()
    problem = problem_from_objects(model, x, y, case.loss, seed=0)
    m = measurements(report)
    out = {"case_hash": case.definition_hash(), "study_version": STUDY_VERSION,
           "hessdiag_version": hessdiag.__version__, "races": {}}
    runs = [("default", length, Plan()) for length in LENGTHS]
    runs.append(("case", CASE_BATCH_LENGTH, dataclasses.replace(Plan(), reference_batch=case.batch_size)))
    batching: dict[int, bool] = {}  # by race batch size: as a run's cost plan decides (measured once each)
    for batch, length, plan in runs:
        if plan.reference_batch not in batching:
            batching[plan.reference_batch] = unit_seconds(problem, plan.reference_batch, plan.race_seeds,
                                                          plan.race_points).batched
        batched = batching[plan.reference_batch]
        start = time.time()
        result = race_for(problem, m, length, plan, seed=0, batched=batched)
        out["races"][f"{batch}/{length}"] = {**result.as_dict(), "seconds": round(time.time() - start, 1),
                                             "batched": batched}
    return out


def load(path: Path = JSON_PATH) -> dict:
    return cache.load(path, lambda: {"study_version": STUDY_VERSION, "cases": {}})


def save(doc: dict, path: Path = JSON_PATH) -> None:
    cache.save(doc, path)


def update(names: list[str], evidence: dict, refresh: bool = False, path: Path = JSON_PATH,
           log: Callable[..., None] = print) -> dict:
    doc = load(path)
    for name in names:
        case = CASES[name]
        entry = doc["cases"].get(name)
        if not refresh and entry and entry["case_hash"] == case.definition_hash() \
                and entry["study_version"] == STUDY_VERSION \
                and all(f"default/{n}" in entry["races"] for n in LENGTHS):
            continue
        log(f"{name}: racing at lengths {', '.join(map(str, LENGTHS))}", flush=True)
        doc["cases"][name] = case_races(case, evidence["cases"][name]["report"])
        save(doc, path)
    return doc


def race_entry(doc: dict, name: str, batch: str = "default", length: int = 200) -> dict | None:
    entry = doc["cases"].get(name)
    return None if entry is None else entry["races"].get(f"{batch}/{length}")


def runs(doc: dict) -> list[tuple[str, int]]:
    """The (batch, length) pairs of the study as configured (older extra entries are ignored)."""
    return [("default", length) for length in LENGTHS] + [("case", CASE_BATCH_LENGTH)]
