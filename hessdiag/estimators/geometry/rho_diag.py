"""Diagonal concentration ρ_diag(H) = Σ_i |H_ii| / Σ_{i,j} |H_ij| ∈ [1/d, 1] (thesis Prop. 6.4, SPEC §4).

Column j of H gives both |H_jj| and ‖H e_j‖₁, so with a_j = |H_jj| and b_j = ‖H e_j‖₁

    ρ_diag = Σ_j a_j / Σ_j b_j.

- **exact**: from all d columns (a dense matrix, or `matmat` on blocks of unit vectors).
- **sampled**: a stratified ratio estimate. The strata are the parameter tensors (`ParamLayout`
  blocks) — or, when their floors alone exceed the column budget (a transformer's ~100 tensors at 16
  columns each, against 32 columns under `--budget`), runs of adjacent tensors merged smallest pair
  first until the floors fit (`column_strata`), so that the columns drawn are the columns planned;
  stratum B of n_B columns gets m_B columns drawn without replacement (proportional allocation
  with a floor, whole strata when small), and the totals are estimated by
  Â_B = n_B·mean(a), B̂_B = n_B·mean(b); ρ̂ = Σ_B Â_B / Σ_B B̂_B.
  Its standard error is the linearised one of a stratified ratio estimator with the finite-population
  correction, se² = Σ_B n_B²(1−f_B)/m_B · s²_B(a − ρ̂ b) / B̂², f_B = m_B/n_B (Cochran, *Sampling
  Techniques*, §6.11). The confidence interval is a seeded bootstrap-t: columns are resampled within
  each stratum, t* = (ρ* − ρ̂)/se* and the interval is [ρ̂ − t*_{97.5%}·se, ρ̂ − t*_{2.5%}·se] (Efron &
  Tibshirani, ch. 12). Studentising corrects for the skew of heavy-tailed columns: over 200 seeds at
  128–512 columns, its 95 % interval covered the exact value in 94.0–96.5 % of seeds on the default
  problem (d = 2410) and 96.5–97.5 % on a 2074-parameter MLP (scripts/geometry_figures.py); a plain
  percentile bootstrap covered as little as 91.5 % in the same setting. Fully enumerated strata
  contribute no variance. `abs_sum_ci` is the same construction for ‖H‖_{1,1} = Σ_j b_j.

Per layer (parameter tensor B, or a merged run of them, named `first … last (k tensors)`):
ρ_B = Σ_{j∈B} a_j / Σ_{j∈B} b_j, the diagonal share of the columns of that tensor (their off-diagonal
mass includes the coupling to other tensors). The layers' sums add up to the whole: with
share_B = Σ_{j∈B} b_j / Σ_j b_j, ρ_diag = Σ_B share_B·ρ_B, exactly, in both modes. `block_share` is
the part of those columns' mass that lies in the tensor's own diagonal block H_BB (App. C.1.2's
block-diagonal concentration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from ...load.problem import ParamLayout
from .columns import ColumnSource

LEVEL = 0.95
RESAMPLES = 2000
MIN_PER_STRATUM = 16  # at least this many columns (or the whole tensor) from every stratum


@dataclass(frozen=True)
class LayerRho:
    """ρ_diag restricted to the columns of one parameter tensor."""

    name: str
    estimate: float | None
    ci: tuple[float, float] | None
    method: str
    numel: int
    columns: int
    diag_abs_sum: float  # Σ_{j∈B} |H_jj| (an estimated total when sampled)
    abs_sum: float  # Σ_{j∈B} ‖H e_j‖₁ (an estimated total when sampled)
    share: float | None  # abs_sum / Σ_j ‖H e_j‖₁
    block_share: float | None  # share of these columns' mass inside H_BB

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "ci": list(self.ci) if self.ci else None, "method": self.method,
                "numel": self.numel, "columns": self.columns, "diag_abs_sum": self.diag_abs_sum,
                "abs_sum": self.abs_sum, "share": self.share, "block_share": self.block_share}


@dataclass(frozen=True)
class RhoDiag:
    """ρ_diag with its interval: [ρ, ρ] when exact, a bootstrap interval at `level` when sampled."""

    estimate: float | None
    ci: tuple[float, float] | None
    method: str  # "exact" or "sampled"
    d: int
    columns: int
    diag_abs_sum: float
    abs_sum: float  # ‖H‖_{1,1} (an estimated total when sampled)
    abs_sum_ci: tuple[float, float] | None
    level: float | None
    resamples: int | None
    per_layer: dict[str, LayerRho] = field(default_factory=dict)
    reason: str | None = None  # why the estimate is null

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "ci": list(self.ci) if self.ci else None, "method": self.method,
                "level": self.level, "columns": self.columns, "d": self.d, "resamples": self.resamples,
                "diag_abs_sum": self.diag_abs_sum, "abs_sum": self.abs_sum,
                "abs_sum_ci": list(self.abs_sum_ci) if self.abs_sum_ci else None,
                "per_layer": {name: layer.as_dict() for name, layer in self.per_layer.items()},
                "reason": self.reason, "note": "local: the Hessian's diagonal concentration at this checkpoint θ"}


def rho_diag_dense(matrices: np.ndarray) -> np.ndarray:
    """Σ|H_ii| / Σ|H_ij| of one dense matrix (d, d) or a stack (..., d, d); NaN for a zero matrix."""
    absolute = np.abs(np.asarray(matrices, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.trace(absolute, axis1=-2, axis2=-1) / absolute.sum(axis=(-2, -1))


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def _column_stats(cols: np.ndarray, indices: np.ndarray, layout: ParamLayout) -> tuple[np.ndarray, ...]:
    """a_j = |H_jj|, b_j = ‖H e_j‖₁ and c_j = ‖(H e_j)_B‖₁ (rows of j's own tensor) for each column."""
    absolute = np.abs(cols)
    a = absolute[indices, np.arange(indices.size)]
    b = absolute.sum(axis=0)
    c = np.empty_like(b)
    for block in layout.blocks:
        inside = (indices >= block.offset) & (indices < block.offset + block.numel)
        c[inside] = absolute[block.offset : block.offset + block.numel][:, inside].sum(axis=0)
    return a, b, c


def _collect(source: ColumnSource, indices: np.ndarray, layout: ParamLayout) -> tuple[np.ndarray, ...]:
    """Column statistics in chunks, so that at most ~32 MB of columns are held at once."""
    chunk = max(1, min(256, 2**22 // max(layout.d, 1)))
    parts = [_column_stats(source(indices[s : s + chunk]), indices[s : s + chunk], layout)
             for s in range(0, indices.size, chunk)]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def rho_diag_exact(source: ColumnSource, layout: ParamLayout) -> RhoDiag:
    """ρ_diag and its per-layer split from all d columns (d products when the source is an operator)."""
    indices = np.arange(layout.d)
    a, b, c = _collect(source, indices, layout)
    total_a, total_b = float(a.sum()), float(b.sum())
    per_layer = {}
    for block in layout.blocks:
        sl = slice(block.offset, block.offset + block.numel)
        la, lb = float(a[sl].sum()), float(b[sl].sum())
        rho = _ratio(la, lb)
        per_layer[block.name] = LayerRho(block.name, rho, (rho, rho) if rho is not None else None, "exact",
                                         block.numel, block.numel, la, lb, _ratio(lb, total_b),
                                         _ratio(float(c[sl].sum()), lb))
    rho = _ratio(total_a, total_b)
    return RhoDiag(rho, (rho, rho) if rho is not None else None, "exact", layout.d, layout.d, total_a, total_b,
                   (total_b, total_b), None, None, per_layer, None if rho is not None else _ZERO)


_ZERO = "the Hessian is exactly zero, so ρ_diag = 0/0 is undefined"


def allocate(sizes: list[int] | np.ndarray, budget: int, minimum: int = MIN_PER_STRATUM) -> np.ndarray:
    """Columns per stratum: min(n_B, minimum) each, the rest of `budget` in proportion to n_B.

    Strata with at most `minimum` columns are taken whole. The total may exceed `budget` when the
    floors alone do (many small tensors); it never exceeds Σ n_B.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    if sizes.sum() <= budget:
        return sizes.copy()
    base = np.minimum(sizes, minimum)
    rest = budget - int(base.sum())
    if rest <= 0:
        return base
    room = sizes - base
    share = rest * room / room.sum()
    extra = np.floor(share).astype(np.int64)
    leftover = rest - int(extra.sum())
    extra[np.argsort(-(share - extra), kind="stable")[:leftover]] += 1
    return np.minimum(sizes, base + extra)


@dataclass(frozen=True)
class Span:
    """A stratum of columns: one parameter tensor, or a run of adjacent ones (`count` tensors)."""

    first: str
    last: str
    offset: int
    numel: int
    count: int = 1

    @property
    def name(self) -> str:
        return self.first if self.count == 1 else f"{self.first} … {self.last} ({self.count} tensors)"


def column_strata(layout: ParamLayout, budget: int, minimum: int = MIN_PER_STRATUM) -> list[Span]:
    """The parameter tensors as strata; while their floors min(n_B, minimum) add up to more than `budget`,
    the adjacent pair with the fewest columns together becomes one stratum."""
    spans = [Span(b.name, b.name, b.offset, b.numel) for b in layout.blocks]
    while len(spans) > 1 and sum(min(span.numel, minimum) for span in spans) > budget:
        i = min(range(len(spans) - 1), key=lambda j: spans[j].numel + spans[j + 1].numel)
        a, b = spans[i], spans[i + 1]
        spans[i:i + 2] = [Span(a.first, b.last, a.offset, a.numel + b.numel, a.count + b.count)]
    return spans


@dataclass(frozen=True)
class _Stratum:
    """One parameter tensor's sample: n columns in all, m drawn; a, b as in the module docstring."""

    n: int
    m: int
    a: np.ndarray
    b: np.ndarray
    draws: np.ndarray | None  # (resamples, m) bootstrap indices, None when m == n (no variance)

    @property
    def weight(self) -> float:
        """n²(1 − f)/m: turns a sample variance into the variance of an estimated total (f = m/n)."""
        return self.n * self.n * (1 - self.m / self.n) / self.m

    def moments(self) -> tuple[np.ndarray, ...]:
        """Bootstrap replicates of (mean a, mean b, var a, var b, cov ab), each of shape (resamples,)."""
        xs, ys = self.a[self.draws], self.b[self.draws]
        mx, my = xs.mean(axis=1), ys.mean(axis=1)
        dx, dy = xs - mx[:, None], ys - my[:, None]
        k = self.m - 1
        return mx, my, (dx * dx).sum(axis=1) / k, (dy * dy).sum(axis=1) / k, (dx * dy).sum(axis=1) / k


def _ratio_variance(strata: list[_Stratum], rho, den, moments) -> np.ndarray | float:
    """Linearised variance of Σ n·mean(a) / Σ n·mean(b): Σ_B n²(1−f)/m·Var(a − ρ b) / den²."""
    total = 0.0
    for stratum, mom in zip(strata, moments):
        if stratum.draws is None:
            continue
        va, vb, cab = mom
        total = total + stratum.weight * (va - 2 * rho * cab + rho * rho * vb)
    return np.maximum(total, 0.0) / (den * den)


def _studentized(estimate: float, se: float, replicates: np.ndarray, replicate_se: np.ndarray,
                 tails: tuple[float, float]) -> tuple[float, float]:
    """Bootstrap-t interval [θ̂ − t*_hi·se, θ̂ − t*_lo·se] with t* = (θ* − θ̂)/se* (Efron & Tibshirani, ch. 12).

    Where the finite t* have no spread (each resample is the sample or has se* = 0): the normal θ̂ ± z·se."""
    if not se > 0:
        return estimate, estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (replicates - estimate) / replicate_se
    t = t[np.isfinite(t)]
    if t.size == 0 or np.ptp(t) == 0:
        z = NormalDist().inv_cdf(tails[1])
        return estimate - z * se, estimate + z * se
    lo_t, hi_t = np.quantile(t, tails)
    return float(estimate - hi_t * se), float(estimate - lo_t * se)


def rho_diag_sampled(source: ColumnSource, layout: ParamLayout, budget: int, rng: np.random.Generator,
                     resamples: int = RESAMPLES, level: float = LEVEL,
                     minimum: int = MIN_PER_STRATUM) -> RhoDiag:
    """Stratified column-sampling estimate of ρ_diag with a seeded bootstrap-t interval.

    Draws `allocate(numels, budget)` columns, so about `budget` products. When that covers every
    column the result is the exact one (method "exact").
    """
    # ≥ 3 columns per sampled stratum: with 2, every resample is the sample (t* = 0) or has se* = 0
    floor = max(minimum, 3)
    spans = column_strata(layout, budget, floor)
    sizes = np.array([span.numel for span in spans], dtype=np.int64)
    counts = allocate(sizes, budget, floor)
    if np.array_equal(counts, sizes):
        return rho_diag_exact(source, layout)
    picks = [np.sort(rng.choice(n, size=m, replace=False)) + span.offset for span, n, m in zip(spans, sizes, counts)]
    indices = np.concatenate(picks)
    a, b, c = _collect(source, indices, layout)
    bounds = np.cumsum([0] + [p.size for p in picks])
    strata = [_Stratum(int(n), int(m), a[bounds[k]:bounds[k + 1]], b[bounds[k]:bounds[k + 1]],
                       None if m == n else rng.integers(0, m, size=(resamples, m)))
              for k, (n, m) in enumerate(zip(sizes, counts))]
    tails = ((1 - level) / 2, (1 + level) / 2)
    point = [(s.a.var(ddof=1), s.b.var(ddof=1), np.cov(s.a, s.b)[0, 1]) if s.draws is not None else None
             for s in strata]
    reps = [s.moments() if s.draws is not None else None for s in strata]
    rep_a = sum(s.n * (r[0] if r is not None else s.a.mean()) for s, r in zip(strata, reps))
    rep_b = sum(s.n * (r[1] if r is not None else s.b.mean()) for s, r in zip(strata, reps))
    total_a = float(sum(s.n * s.a.mean() for s in strata))
    total_b = float(sum(s.n * s.b.mean() for s in strata))
    rho = _ratio(total_a, total_b)
    ci = None
    if rho is not None:
        se = float(np.sqrt(_ratio_variance(strata, rho, total_b, point)))
        rep_rho = rep_a / rep_b
        rep_se = np.sqrt(_ratio_variance(strata, rep_rho, rep_b, [r[2:] if r is not None else None for r in reps]))
        ci = _studentized(rho, se, rep_rho, rep_se, tails)
    se_b = float(np.sqrt(sum(s.weight * p[1] for s, p in zip(strata, point) if p is not None)))
    rep_se_b = np.sqrt(sum(s.weight * r[3] for s, r in zip(strata, reps) if r is not None))
    abs_ci = _studentized(total_b, se_b, rep_b, rep_se_b, tails)
    layers = {}
    for k, (blk, s, p, r) in enumerate(zip(spans, strata, point, reps)):
        la, lb = s.n * float(s.a.mean()), s.n * float(s.b.mean())
        lrho = _ratio(la, lb)
        lci = (lrho, lrho) if lrho is not None else None
        if lrho is not None and s.draws is not None:
            lse = float(np.sqrt(_ratio_variance([s], lrho, lb, [p])))
            rrho = r[0] / r[1]
            rse = np.sqrt(_ratio_variance([s], rrho, s.n * r[1], [r[2:]]))
            lci = _studentized(lrho, lse, rrho, rse, tails)
        block_c = float(c[bounds[k]:bounds[k + 1]].sum())
        layers[blk.name] = LayerRho(blk.name, lrho, lci, "exact" if s.draws is None else "sampled", s.n, s.m,
                                    la, lb, _ratio(lb, total_b), _ratio(block_c, float(s.b.sum())))
    return RhoDiag(rho, ci, "sampled", layout.d, int(indices.size), total_a, total_b, abs_ci, level, resamples,
                   layers, None if rho is not None else "every sampled column of the Hessian is zero")
