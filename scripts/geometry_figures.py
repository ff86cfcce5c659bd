"""Figures for the geometry section (issue 5): ρ_diag interval coverage, L∞ interval width, timings.

    python scripts/geometry_figures.py [--seeds 200] [--skip-default]

1. Coverage of the sampled ρ_diag interval (stratified columns, bootstrap-t, nominal 95 %) against
   the exact value, over `--seeds` seeds, at 128/256/512 columns, on the built-in default problem
   (d = 2410) and on a tanh MLP 32-48-10 (d = 2074). Columns are read from the dense matrix, so no
   products are spent per seed; the dense matrix itself comes from d products.
2. The L∞ interval on the default problem: every bound, hi/lo.
3. Timings of the pieces on the default problem, each as a ratio to one gradient measured in the
   same run: all d columns in blocks of 64 vs one at a time (on 256 columns), the sign ascent, the
   separable bound with its certificate.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from _timing import interleaved_medians  # noqa: E402

from hessdiag.estimators.geometry.columns import column_source  # noqa: E402
from hessdiag.estimators.geometry.linf.lower import ascent_starts, sign_ascent  # noqa: E402
from hessdiag.estimators.geometry.linf.upper import abs_sum_bound, separable_bound  # noqa: E402
from hessdiag.estimators.geometry.rho_diag import rho_diag_exact, rho_diag_sampled  # noqa: E402
from hessdiag.linalg import columns  # noqa: E402
from hessdiag.load import ParamLayout, load_problem, make_settings, problem_from_objects  # noqa: E402
from hessdiag.operators import HessianOperator, loss_and_gradient  # noqa: E402


def coverage(name: str, h: np.ndarray, layout: ParamLayout, seeds: int) -> None:
    exact = rho_diag_exact(column_source(h), layout).estimate
    for budget in (128, 256, 512):
        hits, widths = 0, []
        for seed in range(seeds):
            r = rho_diag_sampled(column_source(h), layout, budget, np.random.default_rng(10_000 + seed))
            hits += r.ci[0] <= exact <= r.ci[1]
            widths.append((r.ci[1] - r.ci[0]) / exact)
        print(f"  {name:8} {budget:4d} columns: coverage {hits / seeds:.3f} ({hits}/{seeds}), "
              f"median width {np.median(widths):.1%} of ρ = {exact:.5g}")


def mlp_problem():
    gen = torch.Generator().manual_seed(11)
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(32, 48), nn.Tanh(), nn.Linear(48, 10))
    model = model.to_empty(device="cpu").to(torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
    x = torch.randn(96, 32, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 10, (96,), generator=gen)
    return problem_from_objects(model.eval(), x, y, "ce", dtype="float64", device="cpu")


def dense(problem) -> np.ndarray:
    all_columns = columns(HessianOperator(problem), np.arange(problem.d))
    return 0.5 * (all_columns + all_columns.T)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--skip-default", action="store_true")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("1. coverage of the 95 % bootstrap-t interval for ρ_diag")
    mlp = mlp_problem()
    coverage("mlp", dense(mlp), mlp.layout, args.seeds)
    if args.skip_default:
        return
    problem = load_problem(make_settings())
    start = time.perf_counter()
    h = dense(problem)
    print(f"  (default problem: all {problem.d} columns in {time.perf_counter() - start:.1f} s)")
    coverage("default", h, problem.layout, args.seeds)

    print("2. L∞ on the default problem")
    g = loss_and_gradient(problem).gradient.numpy()
    starts, names = ascent_starts(problem.d, np.random.default_rng(0), 32, {"gradient": g})
    t0 = time.perf_counter()
    ascent = sign_ascent(lambda x: h @ x, starts, names)
    t1 = time.perf_counter()
    sep = separable_bound(h)
    t2 = time.perf_counter()
    abs_sum = abs_sum_bound(h).value
    print(f"  lower (sign ascent) {ascent.value:.6g}; upper: separable {sep.value:.6g}, ‖H‖_1,1 {abs_sum:.6g}; "
          f"hi/lo = {sep.value / ascent.value:.4f}")
    print(f"  sign ascent {t1 - t0:.2f} s, separable bound with certificate {t2 - t1:.2f} s")

    print("3. column products on the default problem (medians of interleaved repetitions, ratio to ∇R)")
    op = HessianOperator(problem)
    idx = np.arange(256)

    def block64(indices):  # hessdiag's way: `linalg.columns`, 64 unit vectors per product call
        return columns(op, indices)

    def single(indices):
        return [columns(op, indices[i : i + 1]) for i in range(indices.size)]

    times = interleaved_medians({"gradient": lambda: loss_and_gradient(problem),
                                 "256 columns, blocks of 64": lambda: block64(idx),
                                 "256 columns, one at a time": lambda: single(idx)}, repeats=3, warmup=1)
    base = times["gradient"]
    for key, value in times.items():
        print(f"  {key:28} {value:8.3f} s  {value / base:8.1f}× gradient")
    print(f"  blocks of 64 are {times['256 columns, one at a time'] / times['256 columns, blocks of 64']:.1f}× "
          "faster than one column at a time")


if __name__ == "__main__":
    main()
