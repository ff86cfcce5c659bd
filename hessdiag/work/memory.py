"""The memory plan of a run: what it holds at once, within `--memory` (issue 18).

The budget is `--memory` GB (10⁹ bytes), or by default `RAM_FRACTION` of the memory the machine has
available (MemAvailable of /proc/meminfo, psutil, or the physical pages) on a CPU and `GPU_FRACTION`
of the free memory on a GPU. It is planned after the cost plan's measured products, when the model,
the data, the gradient and the retained graphs are resident (`resident`, read from the process), and
the sections then run one phase after another, each allocating its own vectors above that
(v = d · the products' item size for a basis row; w = 8d for a float64 working vector):

- a Lanczos run (every extreme-eigenvalue run: H top/bottom, and Σ, GGN, F_mc, EF): its basis of at
  most `lanczos_capacity` rows (v each; thick restart when full, `linalg.eigen`) plus
  `WORKING_VECTORS` · p working vectors of its block of p and the products' own transient memory;
- the spectral density (SLQ): one group of probes' bases (steps · v each; the group within the budget
  and within `linalg.quadrature.BASIS_BYTES`), one probe at a time when that is all that fits, with
  fewer steps when not even one probe's basis fits (a recorded cut);
- the trace (Hutch++): the sketch Q and H S (2 s · w) and a block of probes (3 · block · w);
- the dense Hessian (d ≤ --exact-max-d): 3 · 8d² (its columns, the matrix, the symmetrised copy);
- the dense curvature matrices (d ≤ the plan's limit) and one batch's per-sample gradients, a few rows
  at a time when a batch does not fit; the sign ascent of L∞ (int8 signs, a few columns per product);
- the Ritz vectors each Lanczos run keeps for later sections (`kept`: k · w per run).

The transient memory of a product is measured with the cost plan's round of products (`UnitCosts.
product_bytes`: the rise of the resident set over the round, per vector). The plan's peak is
resident + kept + the largest phase; the report records it beside the measured peak. When the
smallest plan does not fit (a Lanczos basis of k + 1 + 2p rows, one SLQ probe of `MIN_SLQ_STEPS`
steps, a sketch of one vector), the run stops before the work with a `MemoryBudgetError` that names
what needed how much and the flags that reduce it; an allocation that fails during the work becomes
the same error (`out_of_memory.out_of_memory`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from ..errors import MemoryBudgetError
from ..linalg.quadrature import probes_at_once
from ..linalg.trace import MAX_ROUND, MAX_SKETCH
from ..load import Settings
from .cost import UnitCosts, expected_lanczos
from .plan import Plan
from .resident import resident_bytes

GB = 10**9
RAM_FRACTION = 0.8  # default budget on a CPU: this share of the available RAM
GPU_FRACTION = 0.9  # default budget on a GPU: this share of its free memory
WORKING_VECTORS = 6  # float64 d-vectors per block column beside the basis: Q_j, Q_{j−1}, A Q_j, W, Q_{j+1}, one copy
MIN_SLQ_STEPS = 8
REDUCE = "--samples, --batch-size, --max-matvecs or --hvp fwd-rev, or raise --memory"


def gb(n: float) -> str:
    return f"{n / GB:.3g} GB"


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available_bytes(device: torch.device) -> tuple[int, str]:
    """The default budget on `device` and where it comes from."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(GPU_FRACTION * free), f"{GPU_FRACTION:.0%} of the free GPU memory"
    available = _meminfo_available()
    if available is None:
        try:
            import psutil  # optional

            available = int(psutil.virtual_memory().available)
        except Exception:  # noqa: BLE001 - not installed, or no answer: fall back to the physical pages
            available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return int(RAM_FRACTION * available), f"{RAM_FRACTION:.0%} of the available RAM"


def resolve_budget(settings: Settings, device: torch.device) -> tuple[int, str]:
    """`--memory` in bytes, or the device's default."""
    if settings.memory is not None:
        return int(settings.memory * GB), "--memory"
    return available_bytes(device)


@dataclass
class MemoryItem:
    what: str
    bytes: int
    note: str = ""


@dataclass
class MemoryPlan:
    """The budget, what is resident, each phase's own memory, and the limits chosen to fit."""

    budget: int
    source: str
    resident: int
    graphs: int
    items: list[MemoryItem] = field(default_factory=list)
    kept: int = 0
    lanczos_capacity: int | None = None
    slq_basis_bytes: int | None = None
    slq_group: int | None = None  # density probes whose bases are held at once
    trace_sketch: int | None = None
    trace_block: int | None = None
    cuts: dict[str, dict[str, Any]] = field(default_factory=dict)
    measured_peak: int | None = None

    @property
    def peak(self) -> int:
        return self.resident + self.kept + max((i.bytes for i in self.items), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {"budget_bytes": self.budget, "source": self.source, "resident_bytes": self.resident,
                "retained_graph_bytes": self.graphs, "kept_bytes": self.kept,
                "phases": [{"what": i.what, "bytes": i.bytes, "note": i.note} for i in self.items],
                "expected_peak_bytes": self.peak, "lanczos_capacity": self.lanczos_capacity,
                "slq_basis_bytes": self.slq_basis_bytes, "slq_group": self.slq_group, "trace_sketch": self.trace_sketch,
                "trace_block": self.trace_block, "cuts": self.cuts, "measured_peak_bytes": self.measured_peak}

    def lines(self) -> list[str]:
        head = (f"memory plan: budget {gb(self.budget)} ({self.source}); resident {gb(self.resident)} (model, data, "
                f"gradient, retained graphs {gb(self.graphs)}); expected peak {gb(self.peak)}")
        rows = [head] + [f"  {i.what:<28} {gb(i.bytes):>10}  {i.note}".rstrip() for i in self.items]
        rows += [f"  memory cut {name}: {c['from']} → {c['to']} ({c['effect']})" for name, c in self.cuts.items()]
        return rows


@dataclass(frozen=True)
class _Sizes:
    d: int
    v: int  # bytes of one basis row (products' dtype)
    w: int  # bytes of one float64 working vector
    per_vector: int  # measured transient of one product (per vector of a round)
    free: int  # budget − resident


def _transient(sizes: _Sizes, columns: int) -> int:
    return sizes.per_vector * columns + 2 * sizes.w * columns


def plan_memory(units: UnitCosts, d: int, device: torch.device, dtype: torch.dtype, settings: Settings, plan: Plan,
                only: tuple[str, ...], exact: bool, block: int, batch_rows: int) -> tuple[MemoryPlan, Settings, Plan]:
    """The memory plan and the limits it sets (Lanczos capacity, SLQ grouping, trace sketch and block);
    raises MemoryBudgetError when even the smallest plan does not fit."""
    from .. import distributed

    budget, source = resolve_budget(settings, device)
    resident = resident_bytes(device)
    # one plan on every rank of a data-parallel run: the smallest budget against the largest resident set
    budget, resident = int(distributed.agree_min([float(budget)])[0]), int(distributed.agree_max([float(resident)])[0])
    v = d * torch.empty((), dtype=dtype).element_size()
    sizes = _Sizes(d, v, 8 * d, int(units.product_bytes), budget - resident)
    memory = MemoryPlan(budget, source, resident, units.graph_bytes)
    if sizes.free <= 0:
        raise MemoryBudgetError(
            f"out of memory budget: this process already holds {gb(resident)} (libraries, model, data, gradient; "
            f"retained graphs {gb(units.graph_bytes)}), more than the {gb(budget)} budget ({source}); "
            f"reduce with {REDUCE}")
    k = settings.top_k
    runs = 2 + (4 if {"noise", "fisher"} & set(only) else 0)
    memory.kept = runs * k * sizes.w
    _plan_lanczos(memory, sizes, settings, k, block)
    if exact:
        _need(memory, sizes, MemoryItem("dense Hessian", 3 * 8 * d * d + _transient(sizes, 1), "3 × 8d²"),
              "the dense Hessian", "--exact-max-d below d, or --memory")
    elif "spectrum" in only:
        settings = _plan_slq(memory, sizes, settings)
    if not exact and {"spectrum", "noise", "fisher"} & set(only):
        _plan_trace(memory, sizes, settings)
    rows = _plan_per_sample(memory, sizes, plan, batch_rows) if {"noise", "fisher"} & set(only) else None
    columns = _plan_ascent(memory, sizes, plan, k) if "geometry" in only and not exact else None
    plan = replace(plan, lanczos_capacity=memory.lanczos_capacity, slq_basis_bytes=memory.slq_basis_bytes,
                   trace_sketch=memory.trace_sketch, trace_block=memory.trace_block, per_sample_rows=rows,
                   ascent_columns=columns)
    return memory, settings, plan


def _plan_ascent(memory: MemoryPlan, sizes: _Sizes, plan: Plan, k: int) -> int | None:
    """The sign ascent of L∞ (geometry): r = 2k + 2 + restarts int8 start columns twice (signs and the
    previous ones), the 2k Ritz vectors' products (2k · w), and per product call of g columns its
    float64 input, copy, product, |H s| and sign temporaries (5 · g · w and the products' own); g is
    the whole round when it fits (None), else what the budget leaves."""
    starts = plan.ascent_starts(k)
    fixed = 2 * starts * sizes.d + 2 * k * sizes.w
    per_column = 5 * sizes.w + _transient(sizes, 1)
    columns = max(1, min(starts, (sizes.free - memory.kept - fixed) // per_column))
    _need(memory, sizes, MemoryItem("sign ascent (L∞)", fixed + columns * per_column,
                                    f"{starts} sign vectors, {columns} columns per product call"), "the sign ascent")
    return None if columns >= starts else columns


def _plan_per_sample(memory: MemoryPlan, sizes: _Sizes, plan: Plan, batch_rows: int) -> int | None:
    """One batch's per-sample gradients and their squares (2 · b · w) beside the dense curvature matrices;
    when the whole batch does not fit, as many rows at a time as do (None: the whole batch)."""
    dense = 5 * 8 * sizes.d * sizes.d if sizes.d <= plan.dense_curvature_max_d else 0
    room = sizes.free - memory.kept - dense
    rows = batch_rows if 2 * batch_rows * sizes.w <= room else max(1, room // (2 * sizes.w))
    _need(memory, sizes, MemoryItem("per-sample pass, dense curvature", 2 * rows * sizes.w + dense,
                                    f"per-sample gradients of {rows} rows at a time" + (", 5 × 8d²" if dense else "")),
          "one batch's per-sample gradients")
    if rows >= batch_rows:
        return None
    memory.cuts["per_sample_rows"] = {"from": batch_rows, "to": rows, "effect": (
        "per-sample gradients are formed this many rows at a time (the same sums, in more passes)")}
    return rows


def _need(memory: MemoryPlan, sizes: _Sizes, item: MemoryItem, what: str, flags: str = REDUCE) -> None:
    if item.bytes + memory.kept > sizes.free:
        raise MemoryBudgetError(
            f"out of memory budget: {what} needs {gb(item.bytes)} ({item.note}) beside the {gb(memory.resident)} "
            f"already resident, more than the {gb(memory.budget)} budget ({memory.source}); reduce with {flags}")
    memory.items.append(item)


def _plan_lanczos(memory: MemoryPlan, sizes: _Sizes, settings: Settings, k: int, block: int) -> None:
    """The basis capacity: every row that fits beside the working vectors, at least k + 1 + 2p (a thick
    restart keeps k + 1 Ritz vectors and needs room for two blocks); None when max_matvecs + p rows fit."""
    working = WORKING_VECTORS * block * sizes.w + _transient(sizes, block)
    rows = (sizes.free - memory.kept - working) // sizes.v
    smallest = min(k, sizes.d) + 1 + 2 * block
    if rows < smallest:
        need = smallest * sizes.v + working
        raise MemoryBudgetError(
            f"out of memory budget: a Lanczos run needs at least {smallest} basis vectors of {gb(sizes.v)} "
            f"(k = {k}, blocks of {block}) and {gb(working)} of working vectors, {gb(need)} beside the "
            f"{gb(memory.resident)} already resident, more than the {gb(memory.budget)} budget ({memory.source}); "
            f"reduce with {REDUCE} (or --top-k)")
    grows = min(settings.max_matvecs, sizes.d) + block
    memory.lanczos_capacity = None if rows >= grows else int(rows)
    used = min(rows, expected_lanczos(k, settings.max_matvecs, "smallest") + block)  # the longer run's
    note = f"{used} rows expected" + ("" if memory.lanczos_capacity is None
                                      else f", thick restart at {memory.lanczos_capacity} rows")
    memory.items.append(MemoryItem("Lanczos basis", used * sizes.v + working, note))


def _plan_slq(memory: MemoryPlan, sizes: _Sizes, settings: Settings) -> Settings:
    """Probes per group of the spectral density; fewer steps when not even one probe's basis fits."""
    steps = min(settings.slq_steps, sizes.d)
    per_probe = steps * sizes.v + 4 * sizes.w + _transient(sizes, 1)
    room = sizes.free - memory.kept
    group = min(probes_at_once(settings.slq_probes, steps, sizes.d), room // per_probe)  # SLQ's own rule, and room
    if group < 1:
        fit = (room - 4 * sizes.w - _transient(sizes, 1)) // sizes.v
        if fit < MIN_SLQ_STEPS:
            raise MemoryBudgetError(
                f"out of memory budget: one spectral-density probe needs {MIN_SLQ_STEPS} or more Lanczos vectors of "
                f"{gb(sizes.v)} beside the {gb(memory.resident)} already resident, more than the "
                f"{gb(memory.budget)} budget ({memory.source}); reduce with {REDUCE} (or --only without spectrum)")
        memory.cuts["slq_steps"] = {"from": settings.slq_steps, "to": int(fit),
                                    "effect": "each density probe's Gauss rule has fewer nodes (a coarser density)"}
        settings = replace(settings, slq_steps=int(fit))
        steps, group = int(fit), 1
        per_probe = steps * sizes.v + 4 * sizes.w + _transient(sizes, 1)
    memory.slq_basis_bytes, memory.slq_group = int(group * steps * sizes.d * 8), int(group)
    memory.items.append(MemoryItem("density (SLQ)", int(group * per_probe),
                                   f"{group} probe{'s' if group > 1 else ''} of {steps} steps at a time"))
    return settings


def _trace_bytes(sketch: int, block: int, sizes: _Sizes) -> int:
    """S, H S, Q and H Q (4 s w) unblocked, S, Y and Q (3 s w) blocked; a round: 5 w per probe and the products'."""
    held = (4 if block >= sketch else 3) * sketch * sizes.w
    return held + block * (5 * sizes.w + sizes.per_vector)


def _plan_trace(memory: MemoryPlan, sizes: _Sizes, settings: Settings) -> None:
    """Hutch++'s sketch size s and the probes per product call (block): halve the block, then shrink s."""
    sketch = min(MAX_SKETCH, max(1, settings.trace_matvecs // 6), sizes.d) if settings.trace_method == "hutch++" else 0
    room = sizes.free - memory.kept
    block = MAX_ROUND
    while block > 1 and _trace_bytes(sketch, block, sizes) > room:
        block //= 2
    while sketch > 1 and _trace_bytes(sketch, block, sizes) > room:
        sketch -= 1
    need = _trace_bytes(sketch, block, sizes)
    if need > room:
        raise MemoryBudgetError(
            f"out of memory budget: the trace needs {gb(need)} (a sketch and a probe of {gb(sizes.w)} each) "
            f"beside the {gb(memory.resident)} already resident, more than the {gb(memory.budget)} budget "
            f"({memory.source}); reduce with {REDUCE}")
    memory.trace_sketch = sketch if settings.trace_method == "hutch++" else None
    memory.trace_block = block
    memory.items.append(MemoryItem("trace", int(need), f"probes in blocks of {block}"
                                                       + (f", sketch of {sketch}" if sketch else "")))
