"""hessdiag's evidence on every benchmark checkpoint, cached: the report of a default run per case.

`case_evidence(case)` runs `hessdiag.diagnose` in-process on the case's checkpoint and data with the
default settings (seed 0; what a user gets from `hessdiag run`; a `--budget` for the kinds in
`BUDGETS`), and keeps the report's JSON without
its bulky arrays (density grids, eigenvectors) — enough to re-derive every feature the rule and the
scoring use. The cache (`evidence.json`) is keyed per case by the case's definition hash and
`EVIDENCE_VERSION`, bumped by hand whenever hessdiag's measurements change; a stale or missing entry
is recomputed, a fresh one is reused, so re-scoring takes seconds.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

from . import cache
from .cases import CASES, Case

EVIDENCE_VERSION = 4
JSON_PATH = Path(__file__).resolve().parent / "evidence.json"
# The race is cached apart (race_study.py). The fisher section feeds no feature of the call (only the
# EF warning), nor does tr(H) (only k̂ of the noise section), so the fisher section is left out and the
# trace gets a small budget, to spare the shared CPU; entries made with the defaults count as fresh.
SETTINGS: dict[str, Any] = {"seed": 0, "race_steps": 0, "trace_matvecs": 12,
                            "only": ["spectrum", "geometry", "noise", "preconditioning", "imbalance", "blocks"]}
# Kinds whose default run costs far more than the rest run as a user with a deadline would, under
# `--budget` (seconds of one-thread work), whose cuts the cached report records: the transformer's
# default run did not finish in 54 min on one thread (d = 18,054, N = 2,000, a Hessian product ~1.1 s:
# 512 sampled columns, 8 SLQ probes of 64 steps, 300 sign-ascent products).
BUDGETS: dict[str, float] = {"transformer": 900.0}
KEY_SETTINGS = ("seed", "race_steps", "budget")  # the settings the cached features depend on


def settings_for(case: Case) -> dict[str, Any]:
    """The run settings of one case: SETTINGS, plus its kind's budget if it has one."""
    budget = BUDGETS.get(case.kind)
    return dict(SETTINGS) if budget is None else {**SETTINGS, "budget": budget}
# bulky report entries that no feature reads (kept out of the cache)
DROP = {("density", "grid"), ("density", "values"), ("noise", "per_layer"), ("rho_diag", "per_layer")}


def _trim(doc: dict) -> dict:
    out = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if (key, k) not in DROP}
        out[key] = value
    return out


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def case_evidence(case: Case, settings: dict[str, Any] | None = None) -> dict:
    """Run hessdiag on the case's checkpoint; the trimmed report with its provenance."""
    import hessdiag

    settings = settings or settings_for(case)
    model = case.model()
    model.load_state_dict(case.checkpoint_state(), strict=True)
    x, y = case.tensors()
    start = time.time()
    report = hessdiag.diagnose(model, (x, y), loss=case.loss, **{k: (",".join(v) if k == "only" else v)
                                                                  for k, v in settings.items()})
    doc = json.loads(json.dumps(report.to_dict(), allow_nan=True, default=str))
    return {"case_hash": case.definition_hash(), "evidence_version": EVIDENCE_VERSION,
            "settings": dict(settings), "hessdiag_commit": _commit(),
            "threads": torch.get_num_threads(), "seconds": round(time.time() - start, 1), "report": _trim(doc)}


def load(path: Path = JSON_PATH) -> dict:
    return cache.load(path, lambda: {"evidence_version": EVIDENCE_VERSION, "cases": {}})


def save(doc: dict, path: Path = JSON_PATH) -> None:
    cache.save(doc, path)


def is_fresh(entry: dict | None, case: Case) -> bool:
    return bool(entry) and entry.get("case_hash") == case.definition_hash() \
        and entry.get("evidence_version") == EVIDENCE_VERSION \
        and all(entry.get("settings", {}).get(k) == settings_for(case).get(k) for k in KEY_SETTINGS)


def _one_thread() -> None:
    torch.set_num_threads(1)


def _evidence_of(name: str) -> tuple[str, dict]:
    return name, case_evidence(CASES[name])


def _computed(names: list[str], jobs: int) -> Iterator[tuple[str, dict]]:
    """(name, entry) as each case finishes: here, or in `jobs` one-thread worker processes."""
    if jobs <= 1 or len(names) <= 1:
        yield from (_evidence_of(n) for n in names)
        return
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_one_thread) as pool:
        yield from (future.result() for future in as_completed([pool.submit(_evidence_of, n) for n in names]))


def update(names: list[str], refresh: bool = False, path: Path = JSON_PATH,
           log: Callable[..., None] = print, jobs: int = 1) -> dict:
    """Compute the missing or stale entries among `names` (all when `refresh`), saving after each.

    With `jobs` > 1 the cases run in that many worker processes of one thread each (the longest cached
    first, so the workers finish together); this process alone writes the cache."""
    doc = load(path)
    doc["evidence_version"] = EVIDENCE_VERSION
    todo = [n for n in names if refresh or not is_fresh(doc["cases"].get(n), CASES[n])]
    todo.sort(key=lambda n: -(doc["cases"].get(n) or {}).get("seconds", 0.0))
    for name in todo:
        log(f"{name}: running hessdiag ({CASES[name].n_params()} params, {CASES[name].n_samples()} samples)",
            flush=True)
    for name, entry in _computed(todo, jobs):
        doc["cases"][name] = entry
        save(doc, path)
        log(f"{name}: {entry['seconds']:.0f}s, call {entry['report']['recommendation']['call']}", flush=True)
    return doc
