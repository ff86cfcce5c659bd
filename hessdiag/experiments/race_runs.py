"""The race's runs: many (family, learning rate, seed) runs from θ, a group of them batched into one.

A run (`race`) is torch's SGD with momentum or Adam on mini-batches of the pooled rows, drawn epoch by
epoch from the run's seed's stream, with the full-data loss R recorded at each checkpoint. Runs differ
only in family, learning rate and batch order, so a group of R runs is one batched computation:

- the R copies of θ are stacked (R, …); each step evaluates the R mini-batch losses at once with
  `torch.func.vmap` over the stacked parameters and the runs' row indices, and takes all R gradients in
  ONE backward pass of their sum (the runs are independent: ∂(Σ_r ℓ_r)/∂θ_r = ∇ℓ_r(θ_r));
- each family's update is applied to its rows (contiguous: the group is ordered by family), written out
  as torch.optim computes it: SGD with momentum μ = 0.9, m ← μ m + g (m = g at the first step),
  θ ← θ − α m; Adam, m ← m + (1 − β₁)(g − m), v ← β₂ v + (1 − β₂) g²,
  θ ← θ − α/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε) with β = (0.9, 0.999), ε = 1e-8;
- a run whose mini-batch loss or checkpoint loss is not finite has diverged (+inf from there on) and
  leaves the group.

The race's steps are overhead-bound on the models it runs on by default, so a batched step costs far less
than R single ones (on 2 CPU cores, the built-in default: 1.35 ms for 12 runs against 0.33 ms for one).
The losses equal one-at-a-time runs' to rounding (`tests/experiments/test_race_runs.py`).

Where torch.func cannot batch the model (`batchable` tries one batched step on a copy: in torch 2.13
nn.LSTM and nn.GRU called on one tensor have no batching rule, nn.MultiheadAttention and
nn.TransformerEncoderLayer take a fused path without a derivative, and a `.item()` in the forward is
refused), or where a group would hold more than `BATCHED_MAX_WORK`, runs go one at a time (`run_one`,
torch.optim itself). Every layer form of the tests is checked either way (`tests/experiments`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from .. import distributed
from ..errors import HessdiagError
from ..load.batch import Inputs, count_rows, select_rows
from ..load.problem import Problem
from ..operators.reduction import reduce_sum
from ..rng import generator

MOMENTUM = 0.9
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
# runs·batch·d of one batched group at most (about R copies of a mini-batch step's activations); wider
# groups are split, and a model above it for two runs races one run at a time
BATCHED_MAX_WORK = 1e9


@dataclass(frozen=True)
class RunSpec:
    """One run: its family ("sgdm" or "adam"), learning rate and race seed (its batch order's stream)."""

    family: str
    lr: float
    seed: int


@dataclass(frozen=True)
class RaceData:
    """The pooled rows, the mini-batch size, the steps, the checkpoint steps and the run's seed; every run
    starts from `start` (None: the problem's θ)."""

    x: Inputs
    y: Tensor
    steps: int
    batch_size: int
    checkpoints: tuple[int, ...]
    seed: int
    start: dict[str, Tensor] | None = None

    def theta(self, problem: Problem) -> dict[str, Tensor]:
        return problem.params if self.start is None else self.start

    @property
    def rows(self) -> int:
        return count_rows(self.x)

    @property
    def minibatch(self) -> int:
        """Rows of each mini-batch: `batch_size`, at most all the pooled rows."""
        return min(self.batch_size, self.rows)


class BatchOrder:
    """The rows of each mini-batch of one race seed: permutations of all rows, epoch by epoch."""

    def __init__(self, data: RaceData, seed: int, device: torch.device) -> None:
        self.n, self.b, self.device = data.rows, data.minibatch, device
        self.gen = generator(data.seed, f"race-batches-{seed}")
        self.order, self.pos = torch.randperm(self.n, generator=self.gen), 0

    def next(self) -> Tensor:
        if self.pos + self.b > self.n:
            self.order, self.pos = torch.randperm(self.n, generator=self.gen), 0
        idx = self.order[self.pos:self.pos + self.b].to(self.device)
        self.pos += self.b
        return idx


def optimizer(family: str, params: dict[str, Tensor], lr: float) -> torch.optim.Optimizer:
    return (torch.optim.SGD(params.values(), lr=lr, momentum=MOMENTUM) if family == "sgdm"
            else torch.optim.Adam(params.values(), lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS))


def full_loss(problem: Problem, params: dict[str, Tensor]) -> float:
    """R(θ) over the whole selection (all-reduced over the ranks' shards)."""
    with torch.no_grad():
        local = sum((problem.batch_loss(params, b).to(torch.float64) for b in problem.iter_batches()),
                    torch.zeros((), dtype=torch.float64, device=problem.device))
    total = float(reduce_sum(local))
    return total if math.isfinite(total) else math.inf


def minibatch_step(problem: Problem, opt: torch.optim.Optimizer, params: dict[str, Tensor], x: Inputs, y: Tensor,
                   idx: Tensor) -> bool:
    """One step on the rows `idx`; False (and no step) when the mini-batch loss is not finite."""
    opt.zero_grad(set_to_none=True)
    loss = problem.row_losses(params, select_rows(x, idx), y[idx]).mean()
    if not torch.isfinite(loss):
        return False
    loss.backward()
    opt.step()
    return True


def run_one(problem: Problem, spec: RunSpec, data: RaceData) -> list[float]:
    """Full-data R at each checkpoint of one run, with torch.optim (+inf from a divergence on)."""
    params = {k: v.detach().clone().requires_grad_(True) for k, v in data.theta(problem).items()}
    opt = optimizer(spec.family, params, spec.lr)
    batches = BatchOrder(data, spec.seed, problem.device)
    out: list[float] = []
    for step in range(1, data.steps + 1):
        if not minibatch_step(problem, opt, params, data.x, data.y, batches.next()):
            break
        if step in data.checkpoints:
            out.append(full_loss(problem, params))
            if math.isinf(out[-1]):
                break
    return out + [math.inf] * (len(data.checkpoints) - len(out))


def group_width(problem: Problem, data: RaceData) -> int:
    """The most runs one batched group holds (`BATCHED_MAX_WORK`); 1: one at a time."""
    return max(1, int(BATCHED_MAX_WORK // (data.minibatch * problem.d)))


def run_group(problem: Problem, specs: list[RunSpec], data: RaceData, width: int,
              done: Callable[[int], None] | None = None) -> list[list[float]]:
    """Every run's checkpoint losses, in the order of `specs`: batched groups of at most `width` runs
    (`width` 1: one at a time). `done(i)` follows the end of run i."""
    out: list[list[float]] = []
    for start in range(0, len(specs), max(1, width)):
        part = specs[start:start + max(1, width)]
        losses = [run_one(problem, part[0], data)] if len(part) == 1 else _batched(problem, part, data)
        for i in range(len(part)):
            out.append(losses[i])
            if done is not None:
                done(start + i)
    return out


class RunGroup:
    """R runs of one group, stacked: parameters (R, …), optimiser states, row indices; ordered by family
    (sgdm rows first), so each family's update works on a slice."""

    def __init__(self, problem: Problem, specs: list[RunSpec], data: RaceData) -> None:
        self.problem, self.data, self.specs = problem, data, specs
        r = len(specs)
        self.params = {k: v.detach().unsqueeze(0).repeat(r, *[1] * v.dim()).requires_grad_(True)
                       for k, v in data.theta(problem).items()}
        self.momentum: list[Tensor] | None = None
        self.first = [torch.zeros_like(p) for p in self.params.values()]
        self.second = [torch.zeros_like(p) for p in self.params.values()]
        self.sgdm = sum(s.family == "sgdm" for s in specs)
        self.lrs = torch.tensor([s.lr for s in specs], dtype=torch.float64, device=problem.device)
        self.orders = {s.seed: BatchOrder(data, s.seed, problem.device) for s in specs}
        self.alive = list(range(r))  # indices into specs of the rows still stacked

    def losses(self, idx: dict[int, Tensor]) -> Tensor:
        """The R mini-batch losses ℓ_r(θ_r) = mean over the run's rows (vmapped over the stack)."""
        rows = torch.stack([idx[self.specs[i].seed] for i in self.alive])
        x, y, problem = self.data.x, self.data.y, self.problem

        def one(params: dict[str, Tensor], index: Tensor) -> Tensor:
            return problem.row_losses(params, select_rows(x, index), y[index]).mean()

        return torch.func.vmap(one)(self.params, rows)

    def step(self, t: int) -> Tensor:
        """One step of every run at step t (1-based); returns which rows had a finite mini-batch loss."""
        idx = {seed: order.next() for seed, order in self.orders.items()}
        losses = self.losses(idx)
        finite = torch.isfinite(losses)
        grads = torch.autograd.grad(torch.where(finite, losses, torch.zeros_like(losses)).sum(),
                                    list(self.params.values()))
        with torch.no_grad():
            self._update(list(grads), t)
        return finite

    def _update(self, grads: list[Tensor], t: int) -> None:
        params, s = list(self.params.values()), self.sgdm
        lrs = self.lrs
        if s:
            if self.momentum is None:
                self.momentum = [g[:s].clone() for g in grads]
            else:
                for m, g in zip(self.momentum, grads):
                    m.mul_(MOMENTUM).add_(g[:s])
            for p, m in zip(params, self.momentum):
                p[:s].sub_(lrs[:s].to(p.dtype).view(-1, *[1] * (p.dim() - 1)) * m)
        if s < len(self.alive):
            (b1, b2), root = ADAM_BETAS, math.sqrt(1 - ADAM_BETAS[1] ** t)
            step_size = (lrs[s:] / (1 - b1**t))
            for p, g, m, v in zip(params, grads, self.first, self.second):
                m[s:].lerp_(g[s:], 1 - b1)
                v[s:].mul_(b2).addcmul_(g[s:], g[s:], value=1 - b2)
                denom = (v[s:].sqrt() / root).add_(ADAM_EPS)
                p[s:].sub_(step_size.to(p.dtype).view(-1, *[1] * (p.dim() - 1)) * m[s:] / denom)

    def full_losses(self) -> list[float]:
        """R(θ_r) of every stacked run (all-reduced over the ranks' shards; non-finite: +inf)."""
        problem = self.problem
        with torch.no_grad():
            local = torch.zeros(len(self.alive), dtype=torch.float64, device=problem.device)
            for b in problem.iter_batches():
                local = local + torch.func.vmap(lambda p, b=b: problem.batch_loss(p, b))(self.params).to(torch.float64)
        return [v if math.isfinite(v) else math.inf for v in reduce_sum(local).tolist()]

    def keep(self, rows: list[int]) -> None:
        """Keep only these stacked rows (positions in `alive`): the others diverged."""
        index = torch.tensor(rows, dtype=torch.long, device=self.problem.device)
        with torch.no_grad():
            self.params = {k: v.detach().index_select(0, index).requires_grad_(True) for k, v in self.params.items()}
            self.first = [m.index_select(0, index) for m in self.first]
            self.second = [v.index_select(0, index) for v in self.second]
            self.lrs = self.lrs.index_select(0, index)
        old_sgdm = self.sgdm
        self.sgdm = sum(r < old_sgdm for r in rows)
        if self.momentum is not None:
            sgdm_rows = torch.tensor([r for r in rows if r < old_sgdm], dtype=torch.long, device=index.device)
            self.momentum = [m.index_select(0, sgdm_rows) for m in self.momentum]
        self.alive = [self.alive[r] for r in rows]


def _batched(problem: Problem, specs: list[RunSpec], data: RaceData) -> list[list[float]]:
    """Every run's checkpoint losses, the runs batched (see the module docstring); in the order of `specs`."""
    order = sorted(range(len(specs)), key=lambda i: specs[i].family != "sgdm")  # sgdm first, stable
    group = RunGroup(problem, [specs[i] for i in order], data)
    out: list[list[float]] = [[] for _ in specs]  # by position in the group
    for t in range(1, data.steps + 1):
        going = group.step(t).tolist()
        if t in data.checkpoints:
            for pos, value in enumerate(group.full_losses()):
                out[group.alive[pos]].append(value if going[pos] else math.inf)
                going[pos] = going[pos] and math.isfinite(value)
        if not all(going):
            group.keep([pos for pos, ok in enumerate(going) if ok])
        if not group.alive:
            break
    marks = len(data.checkpoints)
    padded = [out[pos] + [math.inf] * (marks - len(out[pos])) for pos in range(len(specs))]
    return [padded[pos] for pos in sorted(range(len(specs)), key=order.__getitem__)]


def batchable(problem: Problem, data: RaceData) -> bool:
    """Whether torch.func batches this model's race steps: one batched step of two runs (and a checkpoint
    loss) on copies of θ; every rank decides alike (all must, or none). The problem is left as it was."""
    probe = RaceData(data.x, data.y, 1, data.batch_size, (1,), data.seed)
    try:
        _batched(problem, [RunSpec("sgdm", 0.0, 0), RunSpec("adam", 0.0, 0)], probe)
        ok = True
    except HessdiagError:
        raise
    except Exception:  # noqa: BLE001 — any failure of torch.func here means: race one run at a time
        ok = False
    return all(distributed.all_gather_object(ok))
