"""Hessian–vector products H v, H = ∇²R(θ) (SPEC §2).

Two ways to the same numbers, chosen by `mode`:
- `fwd-rev`: forward-over-reverse, H v = jvp(∇ℓ_batch, θ; v) with torch.func, vmapped over many v.
  Recomputes the forward and backward pass for every product; memory as for one gradient.
- `retained`: the batch gradient is computed once with `create_graph=True` and its graph kept; each
  product is then one reverse pass through that graph, H v = ∂(∇ℓ_batch · v)/∂θ, and k products are one
  batched pass (`is_grads_batched`). Reuses the forward pass across products at the price of keeping
  every batch's graph in memory.
- `linearized`: forward-over-reverse with the primal computation done once: `torch.func.linearize`
  traces the batch gradient θ ↦ ∇ℓ_batch(θ) and keeps its linearisation at θ, a graph of tangent
  operations whose forward and backward values are stored constants; H v is one evaluation of that
  graph and k products are one vmapped evaluation. It keeps as much memory as `retained` and costs a
  tracing pass up front (one to two seconds on the CPU for the benchmark models); in exchange its
  single products are slightly cheaper and its batched products clearly cheaper than `retained`'s,
  whose vmapped double-backward graph copies batched tensors between layouts and, on the CPU, is
  slower per vector than k single products. (On a CPU with large batches no batched path gains much
  over single products: both are bound by memory traffic over the batch-sized intermediates;
  `scripts/bench_batched_probes.py` measures all four.) Not chosen by `auto`.
`auto` measures the saved tensors of the first batch's graph and retains graphs when all batches fit
in a memory budget (a quarter of RAM on the CPU, half the free memory on a GPU; a quarter of
`memory_bytes`, the run's `--memory`, when given).

Many vectors at once need memory for their tangents in proportion to the vectors and the batch: about
half the first batch's graph per vector (measured on the benchmark CNN). A `matmat` therefore passes
at most budget/2 ÷ (that graph's size) vectors through a batch at a time, in chunks, instead of
running out of memory on a large round of probes. On a CPU it also keeps k × (graph size) within
16 MiB: past that, the k vectors' intermediates spill out of cache and a batched pass is slower per
vector than single products (measured with `scripts/bench_batched_probes.py`, one thread, 16 probes:
batched/single throughput 2.2× at a 0.7 MB graph, 1.3× at 1.9 MB, 1.0× at 5 MB, 0.9× at 13 MB,
0.8× at 22 MB, 0.5× at 150 MB). The split depends only on the measured graph size, never on timing,
so the same run gives the same numbers.
"""

from __future__ import annotations

import os
import warnings

import torch
from torch import Tensor
from torch.func import functionalize, grad, jvp, linearize, vmap

from .. import distributed
from ..load.problem import Batch, Problem
from .base import CurvatureOperator
from .kernels import differentiable_kernels

HVP_MODES = ("auto", "retained", "fwd-rev", "linearized")
CPU_PASS_BYTES = 16 * 1024**2  # on a CPU, vectors per pass × first batch's graph stays below this


def memory_budget_bytes(device: torch.device) -> int:
    """How much memory retained graphs may take on `device`."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return free // 2
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 2 * 1024**3


class _RetainedGradient:
    """A batch's gradient with its graph kept for repeated differentiation."""

    def __init__(self, problem: Problem, batch: Batch, measure: bool = False) -> None:
        self.leaves = {n: t.detach().clone().requires_grad_(True) for n, t in problem.params.items()}
        self.saved_bytes = 0
        self.batched = True  # False once a batched double backward lacked a batching rule

        def pack(t: Tensor) -> Tensor:
            self.saved_bytes += t.numel() * t.element_size()
            return t

        if measure:
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                self.grads = self._gradient(problem, batch)
        else:
            self.grads = self._gradient(problem, batch)

    def _gradient(self, problem: Problem, batch: Batch) -> tuple[Tensor, ...]:
        """The gradient entries that depend on θ (a parameter the loss does not use, or on which it
        depends linearly, has a constant gradient: its rows and columns of H are zero)."""
        with torch.enable_grad(), differentiable_kernels():
            loss = problem.batch_loss(self.leaves, batch)
            grads = torch.autograd.grad(loss, tuple(self.leaves.values()), create_graph=True, allow_unused=True)
        self.varying = [i for i, g in enumerate(grads) if g is not None and g.requires_grad]
        return tuple(grads[i] for i in self.varying)

    def products(self, layout, vectors: Tensor) -> Tensor:
        parts = tuple(layout.unflatten(vectors).values())
        parts = tuple(parts[i] for i in self.varying)
        leaves = tuple(self.leaves.values())
        if not self.grads:  # the Hessian of this batch is zero
            return vectors.new_zeros(vectors.shape)
        if vectors.shape[0] == 1 or not self.batched:
            return torch.cat([self._single(layout, leaves, tuple(p[i] for p in parts))
                              for i in range(vectors.shape[0])])
        try:
            out = torch.autograd.grad(self.grads, leaves, parts, retain_graph=True, is_grads_batched=True,
                                      allow_unused=True)
        except RuntimeError:  # a double backward without a batching rule (GroupNorm): one vector at a time
            self.batched = False
            return self.products(layout, vectors)
        out = tuple(o if o is not None else vectors.new_zeros(vectors.shape[0], *l.shape)
                    for o, l in zip(out, leaves))
        return layout.flatten(out, batch_dims=1)

    def _single(self, layout, leaves: tuple[Tensor, ...], part: tuple[Tensor, ...]) -> Tensor:
        out = torch.autograd.grad(self.grads, leaves, part, retain_graph=True, allow_unused=True)
        return layout.flatten(_zeros_for_unused(out, leaves)).unsqueeze(0)


class _LinearizedGradient:
    """A batch's gradient linearised at θ: `tangent(v)` = H_batch v without recomputing the primal."""

    def __init__(self, problem: Problem, batch: Batch) -> None:
        gradient = grad(lambda p: problem.batch_loss(p, batch))
        with warnings.catch_warnings():  # torch.fx constant folding warns about its own get_attr nodes
            warnings.simplefilter("ignore", UserWarning)
            _, self.tangent = linearize(functionalize(gradient), problem.params)

    def products(self, layout, vectors: Tensor) -> Tensor:
        tangents = layout.unflatten(vectors)
        if vectors.shape[0] == 1:
            return layout.flatten(self.tangent({k: t[0] for k, t in tangents.items()})).unsqueeze(0)
        return vmap(lambda v: layout.flatten(self.tangent(v)))(tangents)


def _zeros_for_unused(grads: tuple[Tensor | None, ...], leaves: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return tuple(g if g is not None else torch.zeros_like(l) for g, l in zip(grads, leaves))


def _largest(graph_bytes: int) -> int:
    """The largest first-batch graph over the ranks of a data-parallel run (choices made from it agree)."""
    return int(distributed.agree_max([float(graph_bytes)])[0])


class HessianOperator(CurvatureOperator):
    """H = ∇²R(θ) = Σ_batches ∇² Σ_n w_n ℓ_n(θ)."""

    name = "H"

    def __init__(self, problem: Problem, mode: str = "auto", vectors_per_pass: int | None = None,
                 memory_bytes: int | None = None) -> None:
        super().__init__(problem)
        self._memory = memory_bytes // 4 if memory_bytes is not None else None
        if mode not in HVP_MODES:
            raise ValueError(f"unknown Hessian product mode '{mode}'")
        self._cache: dict[int, _RetainedGradient | _LinearizedGradient] = {}
        self._graph_bytes: int | None = None
        self._per_pass: int | None = vectors_per_pass  # None: from the measured graph, on first use
        if mode == "auto":
            first = _RetainedGradient(problem, problem.batches[0], measure=True)
            self._graph_bytes = _largest(first.saved_bytes)
            total = first.saved_bytes * len(problem.batches)
            fits = total <= self._budget()
            fits = bool(distributed.agree_min([float(fits)])[0])  # retained only where it fits on every rank
            mode = "retained" if fits else "fwd-rev"
            if mode == "retained":
                self._cache[0] = first
        self.mode = mode

    def _budget(self) -> int:
        return self._memory if self._memory is not None else memory_budget_bytes(self.device)

    @property
    def graph_bytes(self) -> int:
        """Bytes saved by the first batch's gradient graph (measured once)."""
        if self._graph_bytes is None:
            first = _RetainedGradient(self.problem, self.problem.batches[0], measure=True)
            self._graph_bytes = _largest(first.saved_bytes)
            if self.mode == "retained" and 0 not in self._cache:
                self._cache[0] = first
        return self._graph_bytes

    @property
    def vectors_per_pass(self) -> int:
        """How many vectors go through one batch at once (fixed on first use, from the first batch's graph)."""
        if self._per_pass is None:
            graph = max(self.graph_bytes, 1)
            self._per_pass = max(1, self._budget() // 2 // graph)
            if self.device.type == "cpu":
                self._per_pass = max(1, min(self._per_pass, CPU_PASS_BYTES // graph))
            self._per_pass = int(distributed.agree_min([float(self._per_pass)])[0])  # the same on every rank
        return self._per_pass

    def _batch_matmat(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        if vectors.shape[0] > 1 and vectors.shape[0] > self.vectors_per_pass:
            return torch.cat([self._products(index, batch, chunk) for chunk in vectors.split(self.vectors_per_pass)])
        return self._products(index, batch, vectors)

    def _products(self, index: int, batch: Batch, vectors: Tensor) -> Tensor:
        if self.mode == "retained":
            if index not in self._cache:
                self._cache[index] = _RetainedGradient(self.problem, batch)
            return self._cache[index].products(self.problem.layout, vectors)
        if self.mode == "linearized":
            if index not in self._cache:
                self._cache[index] = _LinearizedGradient(self.problem, batch)
            return self._cache[index].products(self.problem.layout, vectors)
        return self._forward_over_reverse(batch, vectors)

    def _forward_over_reverse(self, batch: Batch, vectors: Tensor) -> Tensor:
        problem, layout = self.problem, self.problem.layout
        gradient = grad(lambda p: problem.batch_loss(p, batch))

        def hvp(v: dict[str, Tensor]) -> Tensor:
            return layout.flatten(jvp(gradient, (problem.params,), (v,))[1])

        tangents = layout.unflatten(vectors)
        if vectors.shape[0] == 1:
            return hvp({k: t[0] for k, t in tangents.items()}).unsqueeze(0)
        return vmap(hvp)(tangents)
