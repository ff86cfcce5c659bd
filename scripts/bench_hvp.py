"""Benchmark: one Hessian–vector product over one gradient, same batch, same run (float32).

    python scripts/bench_hvp.py [--samples 1797] [--repeats 15] [--device cpu]

For an MLP and a small CNN on scikit-learn digits, times (median of interleaved repetitions):
the mean gradient ∇R, one product H v in each of hessdiag's modes (`retained`: graph kept, one reverse
pass per product; `fwd-rev`: torch.func forward-over-reverse), and 8 products in one batched call
(per product). Prints each as a ratio to the gradient measured in the same run. Goal: ≤ 2.5×.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _bench_models import cnn, mlp, seeded  # noqa: E402
from _timing import interleaved_medians  # noqa: E402

from hessdiag.load import problem_from_objects  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.operators import HessianOperator, loss_and_gradient  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1797)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    x, y = load_sklearn("digits")
    print(f"device {args.device}, float32, {args.samples} samples in one batch, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"{'model':6} {'d':>8} {'gradient':>10} {'retained':>9} {'fwd-rev':>8} {'retained×8':>11} {'fwd-rev×8':>10}")
    for name, factory in (("mlp", mlp), ("cnn", cnn)):
        model = seeded(factory)
        problem = problem_from_objects(model, x, y, "ce", samples=args.samples, dtype="float32",
                                       device=args.device)
        gen = torch.Generator().manual_seed(1)
        v = torch.randn(problem.d, generator=gen).to(args.device)
        V = torch.randn(problem.d, 8, generator=gen).to(args.device)
        retained = HessianOperator(problem, mode="retained")
        fwd_rev = HessianOperator(problem, mode="fwd-rev")
        sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

        def timed(fn):
            return lambda: (fn(), sync())

        t = interleaved_medians({
            "gradient": timed(lambda: loss_and_gradient(problem)),
            "retained": timed(lambda: retained.matvec(v)),
            "fwd-rev": timed(lambda: fwd_rev.matvec(v)),
            "retained8": timed(lambda: retained.matmat(V)),
            "fwd-rev8": timed(lambda: fwd_rev.matmat(V)),
        }, repeats=args.repeats)
        g = t["gradient"]
        print(f"{name:6} {problem.d:8d} {g * 1e3:8.2f}ms {t['retained'] / g:8.2f}× {t['fwd-rev'] / g:7.2f}× "
              f"{t['retained8'] / 8 / g:10.2f}× {t['fwd-rev8'] / 8 / g:9.2f}×")
    print("ratios: time per Hessian-vector product / time of one gradient (goal ≤ 2.5×)")


if __name__ == "__main__":
    main()
