"""Benchmark: gradient-noise statistics over N samples against a gradient pass and a per-sample loop.

    python scripts/bench_noise.py [--samples 1797] [--tile 1] [--batch-size 256] [--repeats 5] [--device cpu]

For an MLP and a small CNN on scikit-learn digits (float32; `--tile K` repeats the data K times for
a larger N), times (median of interleaved repetitions, all in the same run):
- `gradient`: one plain pass for ∇R over the N samples (the baseline);
- `backpack`, `func`: hessdiag's noise statistics with each per-sample path, end to end: choosing and
  checking the path, the streaming pass (`gradient_moments`: Σ w g, Σ w g², ‖g_n‖² and the feature
  moments), the scalars and the per-layer quantiles;
- `bp pass`, `func pass`: the streaming pass alone (the part that grows with N);
- `loop`: the same sums from a Python loop of one autograd call per sample.
Prints noise time / gradient time (goal ≤ 2×) and loop time / noise time (goal ≥ 5×).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _bench_models import cnn, mlp, seeded  # noqa: E402
from _timing import interleaved_medians  # noqa: E402

from hessdiag.estimators.noise.coordinates import coordinate_noise  # noqa: E402
from hessdiag.estimators.noise.moments import gradient_moments  # noqa: E402
from hessdiag.estimators.noise.scalars import scalar_noise  # noqa: E402
from hessdiag.load import problem_from_objects  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.operators import loss_and_gradient  # noqa: E402
from hessdiag.operators.per_sample import PerSampleGradients  # noqa: E402


def noise_statistics(problem, preference: str, gradient: torch.Tensor):
    """What the `noise` section computes from per-sample gradients (without the Lanczos alignment), for
    the whole data set: no per-sample projections (they only serve intervals on a subset)."""
    per_sample = PerSampleGradients(problem, preference)
    moments = gradient_moments(per_sample, gradient, projections=False)
    per_sample.close()
    scalar_noise(moments, population_size=problem.n_samples, lr=0.1)
    coordinate_noise(moments, problem.layout)
    return per_sample.path


def per_sample_loop(problem):
    """The naive baseline: one autograd gradient per sample, accumulating the same sums."""
    params = {k: v.detach().requires_grad_(True) for k, v in problem.params.items()}
    leaves = tuple(params.values())
    total = torch.zeros(problem.d, dtype=torch.float64, device=problem.device)
    squares, signs = torch.zeros_like(total), torch.zeros_like(total)
    for batch in problem.batches:
        for n in range(batch.size):
            loss = problem.loss.per_sample(problem.forward(params, batch.x[n : n + 1]), batch.y[n : n + 1])[0]
            g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss, leaves)]).to(torch.float64)
            w = float(batch.w[n])
            total += w * g
            squares += w * g * g
            signs += w * torch.sign(g)
    return total, squares - total**2, signs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1797)
    parser.add_argument("--tile", type=int, default=1, help="repeat the data this many times")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    x, y = load_sklearn("digits")
    x, y = x[: args.samples].repeat(args.tile, 1), y[: args.samples].repeat(args.tile)
    print(f"device {args.device}, float32, N = {len(y)} samples in batches of {args.batch_size}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; medians of {args.repeats} interleaved runs")
    for name, factory in (("mlp", mlp), ("cnn", cnn)):
        model = seeded(factory)
        problem = problem_from_objects(model, x, y, "ce", batch_size=args.batch_size, dtype="float32",
                                       device=args.device)
        gradient = loss_and_gradient(problem).gradient
        sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
        paths = {}

        def timed(fn, key=None):
            def run():
                result = fn()
                sync()
                if key:
                    paths[key] = result

            return run

        ready = {k: PerSampleGradients(problem, k) for k in ("backpack", "func")}
        t = interleaved_medians({
            "gradient": timed(lambda: loss_and_gradient(problem)),
            "backpack": timed(lambda: noise_statistics(problem, "backpack", gradient), "backpack"),
            "func": timed(lambda: noise_statistics(problem, "func", gradient), "func"),
            "bp pass": timed(lambda: gradient_moments(ready["backpack"], gradient, projections=False)),
            "func pass": timed(lambda: gradient_moments(ready["func"], gradient, projections=False)),
            "loop": timed(lambda: per_sample_loop(problem)),
        }, repeats=args.repeats, warmup=1)
        assert paths == {"backpack": "backpack", "func": "func"}, paths
        g = t["gradient"]
        print(f"{name} (d = {problem.d}): gradient {g * 1e3:.1f} ms, per-sample loop {t['loop'] * 1e3:.0f} ms")
        for key in ("backpack", "func", "bp pass", "func pass"):
            line = f"  {key:9} {t[key] * 1e3:9.1f} ms  {t[key] / g:6.2f}× gradient"
            if key in ("backpack", "func"):
                line += f"  loop {t['loop'] / t[key]:5.1f}× slower"
            print(line)
    print("goals: noise statistics / gradient ≤ 2×; per-sample loop / noise statistics ≥ 5×")


if __name__ == "__main__":
    main()
