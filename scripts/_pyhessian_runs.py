"""PyHessian 0.1's power iteration, instrumented for `bench_vs_pyhessian.py` (issues 4 and 14): the Rayleigh
quotient and a time stamp after every Hessian product, and the first product within TARGET of a reference
(which PyHessian itself cannot know). PyHessian draws from torch's global RNG: each run is wrapped in
`torch.random.fork_rng` and seeded. On CUDA (`cuda=True`, x on the GPU) the start follows a synchronisation
and every time stamp follows PyHessian's own `.item()` of the Rayleigh quotient, which synchronises."""

from __future__ import annotations

import sys
import time

import torch
from torch import nn

TARGET = 1e-3


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
    cuda = x.device.type == "cuda"
    with torch.random.fork_rng(devices=[x.device] if cuda else []):
        torch.manual_seed(seed)
        if cuda:
            torch.cuda.synchronize(x.device)
        start = time.perf_counter()
        comp = ph.hessian(model, nn.CrossEntropyLoss(), data=(x, y), cuda=cuda)
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
