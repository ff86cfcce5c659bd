"""Ground truth of the recommendation benchmark: which optimizer family trains each case better.

For every case and family — `sgdm` (SGD, momentum 0.9), `adam` (Adam, default betas), `signum`
(θ ← θ − lr·sign(m), m ← βm + (1−β)g, β = 0.9) — STEPS mini-batch steps are run from the case's
checkpoint for each seed (batch order: epochs of a permutation drawn from a torch.Generator seeded
by (case, seed), the same for every family and lr; the remainder of each epoch is dropped), and the
**full-data training loss** R(θ_STEPS) (mean ℓ_n over all samples) is recorded; NaN/inf = +inf.
The lr is tuned on a quarter-decade log grid with edge extension (`tuning.tune`); the sign family is
the better of adam and signum; the label and the seed-to-seed spread come from `tuning.truth`.

    python scripts/recommendation_bench/ground_truth.py [--cases a,b] [--refresh] [--summary]

computes missing or stale entries only (a case's definition hash or the settings changed), writes
ground_truth.json atomically after each case, and prints a summary table.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import math
import sys
import time
from pathlib import Path

import torch

if __package__ in (None, ""):  # run as a script: make `recommendation_bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from recommendation_bench import cache, tuning
    from recommendation_bench.cases import CASES, Case, full_loss, per_sample_loss
    from recommendation_bench.truth_notes import NOTES
else:
    from . import cache, tuning
    from .cases import CASES, Case, full_loss, per_sample_loss
    from .truth_notes import NOTES

VERSION = 1
JSON_PATH = Path(__file__).resolve().parent / "ground_truth.json"
STEPS = 300
SEEDS = (0, 1, 2)
FAMILIES = ("sgdm", "adam", "signum")
# initial grids, lr = 10^(k/4): sgdm 1e-3..1, adam and signum 1e-4..1e-1 (extended at an edge)
INITIAL_K = {"sgdm": range(-12, 1), "adam": range(-16, -3), "signum": range(-16, -3)}
PROTOCOL = "full"  # "full": every grid point with every seed; "locate1": see tuning.tune


class Signum(torch.optim.Optimizer):
    """Sign of momentum: m ← βm + (1−β)g, θ ← θ − lr·sign(m) (Bernstein et al. 2018)."""

    def __init__(self, params, lr: float, beta: float = 0.9):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                m.mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])
                p.add_(torch.sign(m), alpha=-group["lr"])


def make_optimizer(family: str, params, lr: float) -> torch.optim.Optimizer:
    if family == "sgdm":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if family == "adam":
        return torch.optim.Adam(params, lr=lr)
    if family == "signum":
        return Signum(params, lr=lr)
    raise ValueError(f"unknown family {family!r}")


def batch_seed(case: str, seed: int) -> int:
    return int(hashlib.sha256(f"{case}|{seed}".encode()).hexdigest()[:15], 16)


def train_run(case: Case, family: str, lr: float, seed: int, steps: int = STEPS) -> float:
    """R(θ_steps) after `steps` mini-batch steps of `family` at `lr` from the case's checkpoint."""
    x, y = case.tensors()
    model = case.model()
    model.load_state_dict(case.checkpoint_state(), strict=True)
    opt = make_optimizer(family, model.parameters(), lr)
    gen = torch.Generator().manual_seed(batch_seed(case.name, seed))
    n, b = x.shape[0], min(case.batch_size, x.shape[0])
    order, pos = torch.randperm(n, generator=gen), 0
    for _ in range(steps):
        if pos + b > n:
            order, pos = torch.randperm(n, generator=gen), 0
        idx = order[pos:pos + b]
        pos += b
        opt.zero_grad(set_to_none=True)
        batch_loss = per_sample_loss(case.loss, model(x[idx]), y[idx]).mean()
        if not torch.isfinite(batch_loss):
            return math.inf
        batch_loss.backward()
        opt.step()
    return full_loss(model, x, y, case.loss)


def settings() -> dict:
    """The settings block; its hash (with the training code's source) marks stale entries."""
    s = {"steps": STEPS, "seeds": list(SEEDS), "families": list(FAMILIES),
         "grid": f"lr = 10^(k*{tuning.STEP}), k integer",
         "initial_k": {f: [min(r), max(r)] for f, r in INITIAL_K.items()},
         "lr_limits": [tuning.lr_of(k) for k in tuning.K_LIMITS], "threshold": tuning.THRESHOLD,
         "protocol": PROTOCOL, "torch": torch.__version__.split("+")[0]}
    code = "".join(inspect.getsource(o) for o in (Signum, make_optimizer, batch_seed, train_run,
                                                  tuning.tune, tuning.truth, tuning.label, tuning.ratio))
    s["settings_hash"] = hashlib.sha256((json.dumps(s, sort_keys=True) + code).encode()).hexdigest()[:16]
    return s


def _clean(v):
    """JSON form: non-finite floats become None (None = diverged, +inf loss), floats to 7 digits."""
    if isinstance(v, float):
        return float(f"{v:.7g}") if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean(u) for k, u in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(u) for u in v]
    return v


def case_truth(case: Case, log=print) -> dict:
    """Tune every family on the case and derive its truth entry."""
    t0 = time.time()
    families = {}
    for family in FAMILIES:
        tf = time.time()
        families[family] = tuning.tune(lambda lr, s: train_run(case, family, lr, s), INITIAL_K[family],
                                       SEEDS, locate_seeds=1 if PROTOCOL == "locate1" else None)
        f = families[family]
        log(f"  {case.name:18s} {family:6s} best lr {f['best_lr']:.3g}  median {f['best_median']:.4g}"
            f"  runs {f['runs']}  limit {f['limit_hit']}  {time.time() - tf:.0f}s", flush=True)
    x, y = case.tensors()
    model = case.model()
    model.load_state_dict(case.checkpoint_state())
    entry = {"case_hash": case.definition_hash(), "settings_hash": settings()["settings_hash"],
             "kind": case.kind, "checkpoint": case.checkpoint, "description": case.description,
             "loss": case.loss, "params": case.n_params(), "samples": case.n_samples(),
             "batch_size": case.batch_size, "classes": case.classes, "model": case.model_path,
             "data": case.data_path, "loss_at_checkpoint": full_loss(model, x, y, case.loss),
             "loss_at_init": full_loss(case.model(), x, y, case.loss), "warmup_lrs": case.warmup_lrs(),
             "families": families, **tuning.truth(families), "seconds": round(time.time() - t0, 1)}
    return _clean(entry)


def load(path: Path = JSON_PATH) -> dict:
    return cache.load(path, lambda: {"version": VERSION, "settings": settings(), "notes": list(NOTES), "cases": {}})


def save(doc: dict, path: Path = JSON_PATH) -> None:
    cache.save(doc, path, compact=False)


def is_fresh(entry: dict | None, case: Case) -> bool:
    return bool(entry) and entry.get("case_hash") == case.definition_hash() \
        and entry.get("settings_hash") == settings()["settings_hash"]


def summary(doc: dict) -> str:
    """A table: case, params, truth, ratio, seed agreement, best lrs, grid limits hit."""
    head = f"{'case':18s} {'params':>6s} {'truth':9s} {'ratio':>7s} {'agree':>5s} {'seed ratios':>13s} " \
           f"{'sign by':7s} {'lr sgdm':>8s} {'lr adam':>8s} {'lr signum':>9s}  limits"
    lines = [head, "-" * len(head)]
    counts: dict[str, int] = {}
    for name in CASES:
        e = doc["cases"].get(name)
        if not e:
            lines.append(f"{name:18s} (missing)")
            continue
        counts[e["truth"]] = counts.get(e["truth"], 0) + 1
        fam = e["families"]
        r = tuning.ratio_text(e["ratio"], e["truth"])
        spread = "-" if e["ratio_min"] is None and e["ratio_max"] is None and e["truth"] == "tie" else \
            f"{tuning.ratio_text(e['ratio_min'], 'sign')}..{tuning.ratio_text(e['ratio_max'], 'sign')}"
        lines.append(f"{name:18s} {e['params']:6d} {e['truth']:9s} {r:>7s} {e['seed_agreement']:5.2f} "
                     f"{spread:>13s} {e['sign_family']:7s} {fam['sgdm']['best_lr']:8.2g} "
                     f"{fam['adam']['best_lr']:8.2g} {fam['signum']['best_lr']:9.2g}  "
                     f"{','.join(f'{k}:{v}' for k, v in e['grid_limit_hit'].items()) or '-'}")
    lines.append("truths: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", help="comma-separated case names (default: all)")
    p.add_argument("--refresh", action="store_true", help="recompute even fresh entries")
    p.add_argument("--summary", action="store_true", help="only print the table of the cached truth")
    p.add_argument("--out", type=Path, default=JSON_PATH)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    names = args.cases.split(",") if args.cases else list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        p.error(f"unknown cases: {', '.join(unknown)}")
    doc = load(args.out)
    if not args.summary:
        doc["version"], doc["settings"] = VERSION, settings()
        doc["notes"] = list(dict.fromkeys(doc.get("notes", []) + NOTES))
        for name in [n for n in doc["cases"] if n not in CASES]:  # kept for the record, unscored
            print(f"{name}: no longer registered, moved to 'dropped'", flush=True)
            doc.setdefault("dropped", {})[name] = doc["cases"].pop(name)
        t0 = time.time()
        for name in names:
            case = CASES[name]
            if not args.refresh and is_fresh(doc["cases"].get(name), case):
                print(f"{name}: cached", flush=True)
                continue
            print(f"{name}: tuning ({case.n_params()} params, {case.n_samples()} samples)", flush=True)
            doc["cases"][name] = case_truth(case)
            save(doc, args.out)
        save(doc, args.out)  # settings and notes even when every case was cached
        print(f"done in {time.time() - t0:.0f}s", flush=True)
    print(summary(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
