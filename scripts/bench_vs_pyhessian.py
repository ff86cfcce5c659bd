"""Benchmark: hessdiag vs PyHessian 0.1 at equal *true* accuracy (issue 4).

    pip install -e '.[bench]'          # PyHessian, for this benchmark only
    python scripts/bench_vs_pyhessian.py [--samples 1797] [--seeds 3] [--train-steps 60] [--trace-seeds 3]

The problem: a 151,306-parameter tanh CNN (conv 32, conv 64, dense 128, dense 10) trained a fixed,
seeded number of full-batch Adam steps on all 1797 scikit-learn digits, in float32, all samples in one
batch, the same model object and tensors for both tools. PyHessian is used exactly as its README
shows (`hessian(model, criterion, data=(x, y), cuda=False)`), which keeps the gradient's graph and
reuses it for every product, as hessdiag's `retained` mode does.

1. A tight reference λ_max: hessdiag's Lanczos on the float64 copy of the problem, tol 1e-10.
2. PyHessian's power iteration, instrumented to record its Rayleigh quotient and a time stamp after
   every Hessian product: (a) at its defaults (maxIter 100, tol 1e-3): products, time and true error at
   its own stop; (b) the products and time until its estimate FIRST comes within 1e-3 (relative) of
   the reference — generous to PyHessian, which cannot know when that happens.
   hessdiag: Lanczos with tol 1e-3, stopping when the residual bound certifies |θ − λ| ≤ 1e-3·|θ|;
   products and time, and the true error. Times include building the graph (PyHessian's constructor,
   hessdiag's problem and operator).
3. Trace: a tight reference from Hutch++ with 600 products (its standard error printed), then at
   equal budgets the RMS relative error over seeds of PyHessian's Hutchinson (`trace(maxIter=n,
   tol=0)`, n products) and of hessdiag's Hutch++ (n products), and hessdiag's mean reported stderr.

PyHessian draws from torch's global RNG; each of its runs is wrapped in `torch.random.fork_rng` and
seeded. hessdiag never touches the global RNG. Neither tool imports torchvision here.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hessdiag.estimators.lanczos import lanczos_top_eigenvalues  # noqa: E402
from hessdiag.estimators.trace import hutchpp_trace  # noqa: E402
from hessdiag.load import problem_from_objects  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.operators import HessianOperator  # noqa: E402
from hessdiag.rng import generator  # noqa: E402

TARGET = 1e-3


def cnn(gen: torch.Generator) -> nn.Module:
    model = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 32, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.Tanh(), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 128), nn.Tanh(), nn.Linear(128, 10),
    )
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                bound = 1 / math.sqrt(fan_in)
                m.weight.uniform_(-bound, bound, generator=gen)
                m.bias.uniform_(-bound, bound, generator=gen)
    return model


def trained_cnn(x: torch.Tensor, y: torch.Tensor, steps: int) -> nn.Module:
    """Seeded init, then `steps` full-batch Adam steps (lr 1e-3): a checkpoint part-way through training."""
    model = cnn(torch.Generator().manual_seed(0))
    params = list(model.parameters())
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        grads = torch.autograd.grad(nn.functional.cross_entropy(model(x), y), params)
        with torch.no_grad():
            for p, g, a, b in zip(params, grads, m1, m2):
                a.mul_(0.9).add_(g, alpha=0.1)
                b.mul_(0.999).addcmul_(g, g, value=0.001)
                p.addcdiv_(a / (1 - 0.9**step), (b / (1 - 0.999**step)).sqrt_().add_(1e-8), value=-1e-3)
    return model.eval()


def pyhessian_module():
    """The module `pyhessian.hessian` (its package re-exports the class `hessian` under the same name)."""
    import pyhessian  # noqa: F401

    return sys.modules["pyhessian.hessian"]


class ReachedTarget(Exception):
    pass


class Recorder:
    """Wraps pyhessian's product function: after each product, the time and ⟨Hv, v⟩ (v is unit-norm).

    With `stop_at`, raises ReachedTarget once ⟨Hv, v⟩ is within TARGET of it (saves running on to maxIter).
    The Rayleigh quotient is the value PyHessian itself computes right after the product.
    """

    def __init__(self, module, stop_at: float | None = None) -> None:
        self.module, self.original, self.stop_at = module, module.hessian_vector_product, stop_at
        self.events: list[tuple[float, float]] = []

    def __enter__(self):
        def recorded(gradsH, params, v):
            hv = self.original(gradsH, params, v)
            value = float(sum((a * b).sum() for a, b in zip(hv, v)))
            self.events.append((time.perf_counter(), value))
            if self.stop_at is not None and abs(value - self.stop_at) <= TARGET * abs(self.stop_at):
                raise ReachedTarget
            return hv

        self.module.hessian_vector_product = recorded
        return self

    def __exit__(self, *exc) -> None:
        self.module.hessian_vector_product = self.original


def pyhessian_top(model, x, y, seed: int, reference: float, max_iter: int, tol: float,
                  stop_at_target: bool = False) -> dict:
    ph = pyhessian_module()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        start = time.perf_counter()
        comp = ph.hessian(model, nn.CrossEntropyLoss(), data=(x, y), cuda=False)
        values = [float("nan")]
        with Recorder(ph, reference if stop_at_target else None) as rec:
            try:
                values, _ = comp.eigenvalues(maxIter=max_iter, tol=tol, top_n=1)
            except ReachedTarget:
                values = [rec.events[-1][1]]
        end = time.perf_counter()
    del comp
    model.zero_grad(set_to_none=True)
    first = next((i for i, (_, v) in enumerate(rec.events) if abs(v - reference) <= TARGET * reference), None)
    return {"products": len(rec.events), "seconds": end - start, "value": values[0],
            "error": abs(values[0] - reference) / reference,
            "to_target_products": None if first is None else first + 1,
            "to_target_seconds": None if first is None else rec.events[first][0] - start}


def hessdiag_top(model, x, y, seed: int, reference: float) -> dict:
    start = time.perf_counter()
    problem = problem_from_objects(model, x, y, "ce", dtype="float32", device="cpu")
    op = HessianOperator(problem, mode="retained")
    result = lanczos_top_eigenvalues(op, 1, tol=TARGET, max_matvecs=300, generator=generator(seed, "bench-top"))
    end = time.perf_counter()
    top = result.values[0]
    return {"products": result.matvecs, "seconds": end - start, "value": top.value, "residual": top.residual,
            "converged": result.converged, "error": abs(top.value - reference) / reference}


def trace_errors(model, x, y, budgets: list[int], seeds: int, reference: float) -> None:
    ph = pyhessian_module()
    problem = problem_from_objects(model, x, y, "ce", dtype="float32", device="cpu")
    op = HessianOperator(problem, mode="retained")
    comp = ph.hessian(model, nn.CrossEntropyLoss(), data=(x, y), cuda=False)
    print(f"\ntrace at equal products (relative to the reference; RMS over {seeds} seeds)")
    print(f"{'products':>8} {'PyHessian Hutchinson':>21} {'hessdiag Hutch++':>17} {'Hutch++ stderr':>15} {'ratio':>6}")
    for n in budgets:
        ph_err, hd_err, hd_se = [], [], []
        for seed in range(seeds):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(100 + seed)
                samples = comp.trace(maxIter=n, tol=0.0)
            ph_err.append((statistics.mean(samples) - reference) / reference)
            r = hutchpp_trace(op, generator=generator(seed, "bench-trace"), rtol=0.0, max_matvecs=n)
            hd_err.append((r.estimate - reference) / reference)
            hd_se.append(r.stderr / abs(reference))
        rms_ph = math.sqrt(statistics.mean(e * e for e in ph_err))
        rms_hd = math.sqrt(statistics.mean(e * e for e in hd_err))
        print(f"{n:8d} {rms_ph:21.2%} {rms_hd:17.2%} {statistics.mean(hd_se):15.2%} {rms_ph / rms_hd:5.1f}×")
    model.zero_grad(set_to_none=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1797)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=60)
    parser.add_argument("--trace-seeds", type=int, default=3)
    parser.add_argument("--trace-budgets", default="30,90")
    parser.add_argument("--trace-reference-products", type=int, default=600)
    args = parser.parse_args()
    import pyhessian  # noqa: F401  (fail early, before the long parts, if the bench extra is missing)

    x, y = load_sklearn("digits")
    x, y = x[: args.samples].float(), y[: args.samples]
    model = trained_cnn(x, y, args.train_steps)
    d = sum(p.numel() for p in model.parameters())
    print(f"tanh CNN, d = {d:,}, {x.shape[0]} digits in one batch, float32, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {args.train_steps} Adam steps")
    assert "torchvision" not in sys.modules, "the benchmark must not import torchvision"

    ref_problem = problem_from_objects(model, x, y, "ce", dtype="float64", device="cpu")
    ref = lanczos_top_eigenvalues(HessianOperator(ref_problem, mode="retained"), 2, tol=1e-10, max_matvecs=300,
                                  generator=generator(0, "bench-reference"))
    lmax = ref.values[0].value
    print(f"reference λ_max = {lmax:.10g} ± {ref.values[0].residual:.1e} (float64 Lanczos, {ref.matvecs} products); "
          f"λ_2 = {ref.values[1].value:.6g}")

    print(f"\nλ_max to within {TARGET:g} of the reference (median over {args.seeds} seeds)")
    defaults, reach, ours = [], [], []
    for seed in range(args.seeds):
        defaults.append(pyhessian_top(model, x, y, seed, lmax, 100, 1e-3))
        reach.append(pyhessian_top(model, x, y, seed, lmax, 300, 0.0, stop_at_target=True))
        ours.append(hessdiag_top(model, x, y, seed, lmax))
        print(f"  seed {seed}: PyHessian defaults {defaults[-1]['products']} products, error "
              f"{defaults[-1]['error']:.2%}; PyHessian to {TARGET:g}: {reach[-1]['to_target_products']} products, "
              f"{reach[-1]['to_target_seconds']:.2f} s; hessdiag certified: {ours[-1]['products']} products, "
              f"{ours[-1]['seconds']:.2f} s, residual {ours[-1]['residual'] / abs(ours[-1]['value']):.1e}, "
              f"true error {ours[-1]['error']:.1e}")
    med = statistics.median
    ph_products = med(r["to_target_products"] for r in reach)
    ph_seconds = med(r["to_target_seconds"] for r in reach)
    hd_products = med(r["products"] for r in ours)
    hd_seconds = med(r["seconds"] for r in ours)
    assert all(r["error"] <= TARGET and r["converged"] for r in ours), "hessdiag missed the target"
    print(f"PyHessian at its defaults: stops after {med(r['products'] for r in defaults)} products, "
          f"{med(r['error'] for r in defaults):.2%} from λ_max")
    print(f"PyHessian to {TARGET:g}: {ph_products} products, {ph_seconds:.2f} s")
    print(f"hessdiag certified to {TARGET:g}: {hd_products} products, {hd_seconds:.2f} s")
    print(f"ratios: {ph_products / hd_products:.1f}× fewer products (goal ≥ 4×), "
          f"{ph_seconds / hd_seconds:.1f}× less time (goal ≥ 3×)")

    budgets = [int(b) for b in args.trace_budgets.split(",")]
    problem = problem_from_objects(model, x, y, "ce", dtype="float32", device="cpu")
    tight = hutchpp_trace(HessianOperator(problem, mode="retained"), generator=generator(0, "bench-trace-ref"),
                          rtol=0.0, max_matvecs=args.trace_reference_products)
    print(f"\nreference tr(H) = {tight.estimate:.6g} ± {tight.stderr:.2g} (Hutch++, {tight.matvecs} products, "
          f"sketch {tight.sketch})")
    trace_errors(model, x, y, budgets, args.trace_seeds, tight.estimate)


if __name__ == "__main__":
    main()
