"""Warm vs cold Lanczos starts along a training run (`hessdiag track`, issue 16): products per checkpoint.

Trains an MLP 64-32-10 (tanh, d = 2410) on scikit-learn digits by full-batch GD, keeps every
`--spacing`-th step as a checkpoint, and at each checkpoint runs the Hessian's top-k and bottom-k
Lanczos (`extreme_eigenpairs`, tol as `hessdiag run`) twice: from a random start (cold) and from the
previous checkpoint's Ritz vectors (warm, `linalg.warm`). Prints the products each needed, their
ratio, and checks that both reach the tolerance and agree within the certified residuals. Products
are counted, not timed, so the figures do not depend on the machine's load.

    PYTHONPATH=. python scripts/bench_track_warm_start.py [--checkpoints 10] [--spacing 20] [--top-k 5]
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from hessdiag.linalg import extreme_eigenpairs
from hessdiag.linalg import warm as warm_module
from hessdiag.load import problem_from_objects
from hessdiag.load.data import load_sklearn
from hessdiag.operators import HessianOperator
from hessdiag.rng import generator


def run_of_checkpoints(count: int, spacing: int, lr: float) -> tuple[list[nn.Module], torch.Tensor, torch.Tensor]:
    """`count` snapshots of full-batch GD on digits, `spacing` steps apart (seeded; no global RNG)."""
    x, y = load_sklearn("digits")
    x = x.to(torch.float64)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10)).double()
    snapshots = []
    for step in range(count * spacing):
        if step % spacing == 0:
            snapshots.append(_copy(model))
        loss = nn.functional.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    return snapshots, x, y


def _copy(model: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(model).requires_grad_(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, default=10)
    parser.add_argument("--spacing", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--random-share", type=float, default=None, help="μ of linalg.warm (default: its own)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.random_share is not None:
        warm_module.RANDOM_SHARE = args.random_share
    snapshots, x, y = run_of_checkpoints(args.checkpoints, args.spacing, args.lr)
    previous: dict[str, torch.Tensor] = {}
    totals = {"cold": 0, "warm": 0}
    print(f"{'step':>6} {'which':>8} {'cold':>6} {'warm':>6} {'warm/cold':>9}   λ cold ± res          λ warm ± res")
    for index, model in enumerate(snapshots):
        problem = problem_from_objects(model, x, y, "ce")
        operator = HessianOperator(problem)
        for which in ("largest", "smallest"):
            runs = {}
            for mode, start in (("cold", None), ("warm", previous.get(which))):
                runs[mode] = extreme_eigenpairs(operator, args.top_k, which, tol=args.tol, max_matvecs=600,
                                                generator=generator(0, f"bench-{which}"), start=start)
            cold, warm = runs["cold"], runs["warm"]
            assert cold.converged and warm.converged, (index, which)
            for a, b in zip(cold.values, warm.values):
                assert abs(a.value - b.value) <= a.residual + b.residual + 1e-12 * abs(a.value), (index, which)
            previous[which] = warm.vectors
            if index:  # the first checkpoint has nothing to start from: both are cold
                totals["cold"] += cold.matvecs
                totals["warm"] += warm.matvecs
            print(f"{index * args.spacing:>6} {which:>8} {cold.matvecs:>6} {warm.matvecs:>6} "
                  f"{warm.matvecs / cold.matvecs:>9.2f}   {cold.values[0].value:.6g} ± {cold.values[0].residual:.1e}"
                  f"   {warm.values[0].value:.6g} ± {warm.values[0].residual:.1e}")
    print(f"checkpoints 2..{len(snapshots)}: cold {totals['cold']} products, warm {totals['warm']} products, "
          f"ratio warm/cold = {totals['warm'] / max(totals['cold'], 1):.3f}")


if __name__ == "__main__":
    main()
