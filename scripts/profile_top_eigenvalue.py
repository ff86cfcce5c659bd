"""Where the time of one certified λ_max goes, hessdiag against PyHessian (issue 14, for the GPU).

    python scripts/profile_top_eigenvalue.py [--device cuda] [--steps 0] [--repeats 5]

On the H200 (scripts/results/bench_vs_pyhessian_h200.txt) hessdiag needed 1.33× fewer products than
PyHessian but 1.5× more time (0.64×): per product about 10 ms against PyHessian's 5. This splits both
tools' time, on the 151,306-parameter CNN of `bench_vs_pyhessian.py` at one checkpoint, into
- hessdiag: building the problem (`problem_from_objects`: copy, casts, determinism check), building the
  operator (the retained gradient graph), the Hessian products inside Lanczos, and the rest of Lanczos
  (re-orthogonalisation, Ritz pairs, certificates), per step;
- PyHessian: its constructor (the gradient graph) and its power iteration per product (product,
  normalisation, Rayleigh quotient).
Every time stamp follows a device synchronisation. Medians over --repeats (the first run of each, which
warms the device's kernels, is left out).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_models import checkpoints  # noqa: E402
from _pyhessian_runs import TARGET, pyhessian_module  # noqa: E402
from bench_vs_pyhessian import synchronize  # noqa: E402

from hessdiag.linalg.eigen import extreme_eigenpairs  # noqa: E402
from hessdiag.load import problem_from_objects, set_tf32  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.operators import HessianOperator  # noqa: E402
from hessdiag.rng import generator  # noqa: E402


class TimedProducts:
    """The operator, with the time spent inside its products (synchronised on both sides)."""

    def __init__(self, inner) -> None:
        self.inner, self.d, self.dtype, self.device = inner, inner.d, inner.dtype, inner.device
        self.seconds, self.products = 0.0, 0

    def matmat(self, matrix):
        synchronize(self.device)
        start = time.perf_counter()
        out = self.inner.matmat(matrix)
        synchronize(self.device)
        self.seconds += time.perf_counter() - start
        self.products += matrix.shape[1]
        return out

    def matvec(self, vector):
        return self.matmat(vector.reshape(-1, 1))[:, 0]

    def __matmul__(self, other):
        return self.matvec(other) if other.ndim == 1 else self.matmat(other)


def hessdiag_phases(model, x, y, seed: int) -> dict[str, float]:
    device = x.device
    synchronize(device)
    t0 = time.perf_counter()
    problem = problem_from_objects(model, x, y, "ce", dtype="float32", device=device)
    synchronize(device)
    t1 = time.perf_counter()
    op = TimedProducts(HessianOperator(problem, mode="retained"))
    synchronize(device)
    t2 = time.perf_counter()
    result = extreme_eigenpairs(op, 1, "largest", tol=TARGET, max_matvecs=300, block=1,
                                generator=generator(seed, "bench-top"))
    synchronize(device)
    t3 = time.perf_counter()
    steps = result.matvecs
    return {"problem ms": (t1 - t0) * 1e3, "operator ms": (t2 - t1) * 1e3, "products": steps,
            "ms per product": op.seconds / steps * 1e3, "ms per step, rest": (t3 - t2 - op.seconds) / steps * 1e3,
            "total ms": (t3 - t0) * 1e3}


def pyhessian_phases(model, x, y, seed: int, products: int) -> dict[str, float]:
    ph = pyhessian_module()
    cuda = x.device.type == "cuda"
    with torch.random.fork_rng(devices=[x.device] if cuda else []):
        torch.manual_seed(seed)
        synchronize(x.device)
        t0 = time.perf_counter()
        comp = ph.hessian(model, nn.CrossEntropyLoss(), data=(x, y), cuda=cuda)
        synchronize(x.device)
        t1 = time.perf_counter()
        comp.eigenvalues(maxIter=products, tol=0.0, top_n=1)
        synchronize(x.device)
        t2 = time.perf_counter()
    model.zero_grad(set_to_none=True)
    return {"constructor ms": (t1 - t0) * 1e3, "products": products, "ms per product": (t2 - t1) / products * 1e3,
            "total ms": (t2 - t0) * 1e3}


def show(name: str, runs: list[dict[str, float]]) -> None:
    keys = runs[0].keys()
    print(f"{name}: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.2f}" for k in keys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=0, help="Adam steps of the checkpoint")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    set_tf32(torch.device(args.device), False)
    x, y = load_sklearn("digits")
    x, y = x.float().to(args.device), y.to(args.device)
    _, model = next(iter(checkpoints(x, y, [args.steps])))
    ours, theirs = [], []
    for seed in range(args.repeats + 1):  # the first run of each warms the device up and is left out
        mine = hessdiag_phases(model, x, y, seed)
        other = pyhessian_phases(model, x, y, seed, int(mine["products"]))
        if seed:
            ours.append(mine)
            theirs.append(other)
    print(f"CNN d = 151,306, {x.shape[0]} digits, checkpoint after {args.steps} Adam steps, {args.device}; "
          f"medians over {args.repeats} runs (PyHessian run for as many products as hessdiag's certified stop)")
    show("hessdiag ", ours)
    show("PyHessian", theirs)


if __name__ == "__main__":
    main()
