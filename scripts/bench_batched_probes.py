"""Benchmark: throughput of batched probes (one `matmat` of k vectors) vs one-at-a-time products.

    python scripts/bench_batched_probes.py [--probes 16] [--samples 1797,256] [--repeats 7] [--threads N]

A round of k Rademacher probes (as Hutch++ and SLQ send them) through the Hessian of three models on
scikit-learn digits, all selected samples in one batch (the full 1797, and a mini-batch of 256): the
built-in default MLP (64-32-10 tanh, float64, as `hessdiag run` diagnoses it), the MLP and the CNN of
`bench_hvp.py` (float32). For each, the median time (interleaved repetitions) of the k products done
one `matvec` at a time in each mode, as one vmapped pass of all k in each mode, and as hessdiag's own
`matmat` (auto mode, which splits the k
vectors into cache-sized passes on a CPU), printed per vector; the ratios are throughput over the best
one-at-a-time throughput measured in the same run (goal ≥ 2×).

What to expect on a CPU: a single product at 1797 samples is bound by memory traffic over its
(batch × width) intermediates, and k vectors at once multiply that working set by k, so batching
gains little there; at mini-batch sizes a single product is bound by per-operation overhead, which
batching divides by k. On a busy machine (threads waiting on each other) batching gains most.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _bench_models import cnn, mlp  # noqa: E402
from _timing import interleaved_medians  # noqa: E402

from hessdiag.linalg.probes import rademacher  # noqa: E402
from hessdiag.load import problem_from_objects, set_tf32  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.load.default import default_mlp  # noqa: E402
from hessdiag.operators import HessianOperator  # noqa: E402
from hessdiag.rng import generator  # noqa: E402

MODES = ("retained", "linearized")
COLUMNS = ("1-by-1 retained", "1-by-1 linearized", "one pass retained", "one pass linearized", "hessdiag matmat")


def models():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return [("default", default_mlp(), "float64"), ("mlp", mlp(), "float32"), ("cnn", cnn(), "float32")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=16)
    parser.add_argument("--samples", default="1797,256")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    set_tf32(torch.device(args.device), False)  # full float32 products (cuDNN's convolutions default to TF32)
    x, y = load_sklearn("digits")
    k = args.probes
    print(f"device {args.device}, {k} probes per round, torch {torch.__version__}, {torch.get_num_threads()} threads")
    for samples in (int(s) for s in args.samples.split(",")):
        print(f"\n{samples} samples in one batch")
        run(x, y, samples, k, args)
    print("times are per vector; ratio = throughput of the best batched path over the best one-at-a-time path "
          "(goal ≥ 2×)")


def run(x, y, samples: int, k: int, args) -> None:
    print(f"{'model':8} {'d':>7} {'dtype':>7} " + " ".join(f"{c:>19}" for c in COLUMNS)
          + "   best batched / best 1-by-1, hessdiag / best 1-by-1")
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    for name, model, dtype in models():
        problem = problem_from_objects(model, x, y, "ce", samples=samples, dtype=dtype, device=args.device)
        forced = {m: HessianOperator(problem, mode=m, vectors_per_pass=k) for m in MODES}  # all k in one pass
        default = HessianOperator(problem)  # what the estimators get: auto mode, passes sized by the operator
        V = rademacher(problem.d, k, generator(0, "bench-probes"), args.device)
        ref = forced["retained"].matmat(V)
        for op in (*forced.values(), default):  # every path must give the same products before it is timed
            err = float((op.matmat(V) - ref).norm() / ref.norm())
            assert err < (1e-10 if dtype == "float64" else 1e-4), (name, op.mode, err)

        def one_by_one(op):
            return lambda: ([op.matvec(V[:, i]) for i in range(k)], sync())

        def batched(op):
            return lambda: (op.matmat(V), sync())

        fns = dict(zip(COLUMNS, [one_by_one(forced[m]) for m in MODES] + [batched(forced[m]) for m in MODES]
                       + [batched(default)]))
        t = interleaved_medians(fns, repeats=args.repeats, warmup=1)
        per_vec = {key: value / k * 1e3 for key, value in t.items()}
        best_single = min(per_vec[c] for c in COLUMNS[:2])
        best_batched = min(per_vec[c] for c in COLUMNS[2:])
        print(f"{name:8} {problem.d:7d} {dtype:>7} " + " ".join(f"{per_vec[c]:16.2f} ms" for c in COLUMNS)
              + f"   {best_single / best_batched:5.2f}×, {best_single / per_vec[COLUMNS[-1]]:5.2f}× "
              + f"({default.mode}, {min(default.vectors_per_pass, k)} per pass)", flush=True)


if __name__ == "__main__":
    main()
