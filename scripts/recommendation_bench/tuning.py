"""Learning-rate tuning on a log grid with edge extension, and the truth label from tuned losses.

Pure logic on a callable `loss_at(lr, seed) -> final loss` (+inf for a diverged run), so it is
tested on quadratics whose best learning rate is known. Grid points are lr = 10^(k·STEP), integer
k, STEP = ¼ (quarter-decade steps: the best lr is located within a factor 10^⅛ ≈ 1.33).
"""

from __future__ import annotations

import math
import statistics
from typing import Callable, Sequence

STEP = 0.25
K_LIMITS = (-24, 8)  # lr from 1e-6 to 1e2
THRESHOLD = 1.25


def lr_of(k: int) -> float:
    return 10.0 ** (k * STEP)


def _finite(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def tune(loss_at: Callable[[float, int], float], ks: Sequence[int], seeds: Sequence[int],
         k_limits: tuple[int, int] = K_LIMITS, locate_seeds: int | None = None) -> dict:
    """Tune the learning rate: best = argmin over the grid of the median-over-seeds final loss.

    Starts from the grid `ks`; while the best point sits at an end of the evaluated grid, one more
    point is added beyond that end, until the best is interior or `k_limits` stops it (recorded in
    `limit_hit` as "low"/"high"). Ties (e.g. every run diverged) go to the smaller lr.
    With `locate_seeds` = s, the grid is scanned with the first s seeds only, and the remaining seeds
    are run at the located best and its two grid neighbours; the best is then chosen among those by
    the median over all seeds.
    Returns the whole grid [{lr, k, losses, median}] (losses per seed, None where a seed was not
    run), best_lr, best_losses, best_median, limit_hit, runs."""
    scan = list(seeds) if locate_seeds is None else list(seeds)[:locate_seeds]
    losses: dict[int, dict[int, float]] = {}
    runs = 0

    def evaluate(k: int, which: Sequence[int]) -> None:
        nonlocal runs
        row = losses.setdefault(k, {})
        for s in which:
            if s not in row:
                row[s] = _finite(float(loss_at(lr_of(k), s)))
                runs += 1

    def median(k: int, which: Sequence[int]) -> float:
        return statistics.median(losses[k][s] for s in which)

    for k in ks:
        evaluate(k, scan)
    limit_hit = None
    while True:
        grid = sorted(losses)
        best = min(grid, key=lambda k: (median(k, scan), k))
        if best == grid[0] and best > k_limits[0]:
            evaluate(best - 1, scan)
        elif best == grid[-1] and best < k_limits[1]:
            evaluate(best + 1, scan)
        else:
            if best == grid[0] and best == k_limits[0]:
                limit_hit = "low"
            elif best == grid[-1] and best == k_limits[1]:
                limit_hit = "high"
            break
    if len(scan) < len(seeds):
        near = [k for k in (best - 1, best, best + 1) if k in losses]
        for k in near:
            evaluate(k, seeds)
        best = min(near, key=lambda k: (median(k, seeds), k))
    table = [{"k": k, "lr": lr_of(k), "losses": [losses[k].get(s) for s in seeds],
              "median": median(k, seeds) if all(s in losses[k] for s in seeds) else None}
             for k in sorted(losses)]
    return {"grid": table, "best_lr": lr_of(best), "best_k": best,
            "best_losses": [losses[best][s] for s in seeds], "best_median": median(best, seeds),
            "limit_hit": limit_hit, "runs": runs}


def ratio(euclidean: float, sign: float) -> float:
    """euclidean / sign final loss; +inf if only the Euclidean family diverged, NaN if both did."""
    if math.isinf(euclidean) and math.isinf(sign):
        return math.nan
    if sign == 0.0:
        return 1.0 if euclidean == 0.0 else math.inf
    return euclidean / sign


def ratio_text(ratio: float | None, truth: str) -> str:
    """A stored ratio as text. JSON keeps +inf (the sign family's loss reached 0) and NaN (both families
    diverged, a tie) as null; the truth tells them apart."""
    if ratio is None:
        return "inf" if truth == "sign" else "nan"
    return f"{ratio:.3g}"


def label(euclidean: float, sign: float, threshold: float = THRESHOLD) -> str:
    """'sign' if euclidean/sign ≥ threshold, 'euclidean' if sign/euclidean ≥ threshold, else 'tie'
    (also when both diverged)."""
    r = ratio(euclidean, sign)
    if math.isnan(r):
        return "tie"
    if r >= threshold:
        return "sign"
    if r <= 1.0 / threshold:
        return "euclidean"
    return "tie"


def truth(families: dict[str, dict], threshold: float = THRESHOLD) -> dict:
    """The truth from tuned families {sgdm, adam, signum}: the sign family is the better of adam and
    signum by median; the label compares medians; seed by seed the same two families at their
    tuned lrs give per-seed ratios and labels, and `seed_agreement` = share of seeds whose label
    equals the overall one."""
    sign_name = min(("adam", "signum"), key=lambda f: (families[f]["best_median"], f))
    e, s = families["sgdm"], families[sign_name]
    overall = label(e["best_median"], s["best_median"], threshold)
    per_ratio = [ratio(a, b) for a, b in zip(e["best_losses"], s["best_losses"])]
    per_label = [label(a, b, threshold) for a, b in zip(e["best_losses"], s["best_losses"])]
    finite = [r for r in per_ratio if not math.isnan(r)]
    return {
        "truth": overall, "sign_family": sign_name,
        "euclidean_median": e["best_median"], "sign_median": s["best_median"],
        "ratio": ratio(e["best_median"], s["best_median"]),
        "ratio_adam": ratio(e["best_median"], families["adam"]["best_median"]),
        "ratio_signum": ratio(e["best_median"], families["signum"]["best_median"]),
        "per_seed_ratios": per_ratio, "per_seed_labels": per_label,
        "seed_agreement": sum(lab == overall for lab in per_label) / len(per_label),
        "ratio_min": min(finite) if finite else None, "ratio_max": max(finite) if finite else None,
        "grid_limit_hit": {f: families[f]["limit_hit"] for f in families if families[f]["limit_hit"]},
    }
