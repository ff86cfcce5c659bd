"""The sampled ρ_diag against the module docstring's estimator written out by brute force.

The reference re-draws the same columns and bootstrap indices from the same seed (the columns the
estimator asked for are recorded and must be those), then evaluates every formula plainly, one
replicate at a time: Â_B = n_B·mean(a), B̂_B = n_B·mean(b), se² = Σ_B n_B²(1−f_B)/m_B·s²_B(a − ρ̂b)/B̂²
(the residual's own sample variance, not the expanded va − 2ρ·cov + ρ²vb), the bootstrap-t interval
[ρ̂ − t*_hi·se, ρ̂ − t*_lo·se], and the same for ‖H‖_{1,1} and for each layer.

Tolerance 1e-8 relative: the same float64 numbers in another order; the expanded variance loses up to
~ε·Var(a)/Var(a − ρb) ≈ 1e-14 here, and the quantiles are continuous in the t* values.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers.dense import vector_layout
from hessdiag.estimators.geometry.columns import column_source
from hessdiag.estimators.geometry.rho_diag import (
    _studentized,
    allocate,
    column_strata,
    rho_diag_exact,
    rho_diag_sampled,
)

REL = 1e-8


def _matrix(d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d))
    return a @ a.T / d + np.diag(rng.uniform(0, 3, d)) + 0.3 * (a + a.T)  # indefinite, heavy diagonal


def _recording(h: np.ndarray):
    seen = []

    def source(indices):
        seen.append(np.asarray(indices).copy())
        return h[:, indices]

    return source, seen


def _t_interval(point: float, se: float, reps: np.ndarray, rep_se: np.ndarray, level: float) -> tuple[float, float]:
    t = (reps - point) / rep_se
    lo_t, hi_t = np.quantile(t[np.isfinite(t)], [(1 - level) / 2, (1 + level) / 2])
    return point - hi_t * se, point - lo_t * se


def _reference(h, layout, budget, seed, resamples, level, minimum):
    """(ρ̂, ci, B̂, abs ci, {layer: (ρ_B, ci_B, block_share_B)}, picked columns) by brute force."""
    rng = np.random.default_rng(seed)
    absolute = np.abs(h)
    a_all, b_all = np.diag(absolute), absolute.sum(axis=0)
    blocks = layout.blocks
    counts = allocate([b.numel for b in blocks], budget, minimum)
    picks = [np.sort(rng.choice(b.numel, size=m, replace=False)) + b.offset for b, m in zip(blocks, counts)]
    draws = [rng.integers(0, m, size=(resamples, m)) if m < b.numel else None for b, m in zip(blocks, counts)]
    weight = [b.numel ** 2 * (1 - m / b.numel) / m for b, m in zip(blocks, counts)]

    def estimate(rows, strata):  # rows[k]: the columns of stratum k in this (re)sample
        big_a = sum(blocks[k].numel * a_all[rows[k]].mean() for k in strata)
        big_b = sum(blocks[k].numel * b_all[rows[k]].mean() for k in strata)
        rho = big_a / big_b
        var = sum(weight[k] * np.var(a_all[rows[k]] - rho * b_all[rows[k]], ddof=1)
                  for k in strata if draws[k] is not None)
        var_b = sum(weight[k] * np.var(b_all[rows[k]], ddof=1) for k in strata if draws[k] is not None)
        return rho, np.sqrt(var) / big_b, big_b, np.sqrt(var_b)

    def replicates(strata):
        out = []
        for r in range(resamples):
            rows = [p if d is None else p[d[r]] for p, d in zip(picks, draws)]
            out.append(estimate(rows, strata))
        return np.array(out).T

    everything = range(len(blocks))
    rho, se, big_b, se_b = estimate(picks, everything)
    reps = replicates(everything)
    layers = {}
    for k, block in enumerate(blocks):
        lrho, lse, _, _ = estimate(picks, [k])
        lci = (lrho, lrho) if draws[k] is None else _t_interval(lrho, lse, *replicates([k])[:2], level)
        rows = slice(block.offset, block.offset + block.numel)
        layers[block.name] = (lrho, lci, absolute[rows][:, picks[k]].sum() / b_all[picks[k]].sum())
    return (rho, _t_interval(rho, se, reps[0], reps[1], level), big_b,
            _t_interval(big_b, se_b, reps[2], reps[3], level), layers, np.concatenate(picks))


@pytest.mark.parametrize("sizes, budget, minimum", [((30, 3, 24), 24, 4), ((40, 12), 20, 6), ((18, 25, 9), 30, 5)])
@pytest.mark.parametrize("seed", [0, 1])
def test_sampled_estimate_and_intervals_are_the_documented_bootstrap_t(sizes, budget, minimum, seed):
    layout = vector_layout(*sizes)
    h = _matrix(layout.d, seed + 10)
    source, seen = _recording(h)
    result = rho_diag_sampled(source, layout, budget, np.random.default_rng(seed), resamples=300, minimum=minimum)
    rho, ci, big_b, abs_ci, layers, picked = _reference(h, layout, budget, seed, 300, 0.95, minimum)
    assert result.method == "sampled" and np.array_equal(np.concatenate(seen), picked)
    assert result.estimate == pytest.approx(rho, rel=REL) and result.abs_sum == pytest.approx(big_b, rel=REL)
    assert result.ci == pytest.approx(ci, rel=REL) and result.ci[0] < rho < result.ci[1]
    assert result.abs_sum_ci == pytest.approx(abs_ci, rel=REL) and abs_ci[0] < big_b < abs_ci[1]
    for name, (lrho, lci, block_share) in layers.items():
        layer = result.per_layer[name]
        assert layer.estimate == pytest.approx(lrho, rel=REL) and layer.ci == pytest.approx(lci, rel=REL), name
        assert layer.block_share == pytest.approx(block_share, rel=REL), name


def test_exact_block_share_is_the_mass_in_the_diagonal_block():
    """block_share_B = Σ_{i,j∈B} |H_ij| / Σ_{j∈B} Σ_i |H_ij| (App. C.1.2), from the dense matrix."""
    layout = vector_layout(7, 2, 11)
    h = _matrix(layout.d, 3)
    absolute = np.abs(h)
    result = rho_diag_exact(column_source(h), layout)
    for block in layout.blocks:
        rows = slice(block.offset, block.offset + block.numel)
        expected = absolute[rows, rows].sum() / absolute[:, rows].sum()
        assert result.per_layer[block.name].block_share == pytest.approx(expected, rel=1e-12), block.name
        assert result.per_layer[block.name].block_share < 1  # the coupling to other tensors is not empty


def _best_rounding_cost(sizes, budget, minimum):
    """The smallest Σ_B (m_B − q_B)² over integer allocations above the floors that give every column
    of the budget, q_B = floor_B + rest·room_B/Σroom (the proportional share), by enumeration."""
    sizes = np.asarray(sizes)
    base = np.minimum(sizes, minimum)
    rest = budget - base.sum()
    quota = base + rest * (sizes - base) / (sizes - base).sum()
    floors = np.floor(quota).astype(int)
    best = np.inf
    for ups in itertools.combinations(range(sizes.size), budget - int(floors.sum())):
        m = floors.copy()
        m[list(ups)] += 1
        best = min(best, float(((m - quota) ** 2).sum()))
    return best, quota


@pytest.mark.parametrize("sizes, budget, minimum", [([2048, 32, 320, 10], 512, 16), ([50, 7, 33, 90, 4], 60, 5),
                                                    ([101, 103, 107], 40, 3), ([9, 60, 61, 25], 70, 8)])
def test_allocation_is_the_closest_rounding_of_the_proportional_share(sizes, budget, minimum):
    """The columns beyond the floors go in proportion to n_B − floor_B; rounded, the allocation must be
    the closest integer one (largest remainders), not merely one within a column of the share."""
    counts = allocate(sizes, budget, minimum)
    best, quota = _best_rounding_cost(sizes, budget, minimum)
    assert counts.sum() == budget and np.all(np.abs(counts - quota) < 1)
    assert float(((counts - quota) ** 2).sum()) == pytest.approx(best, rel=1e-12)


def test_strata_merge_the_adjacent_pair_with_fewest_columns_first():
    """Floors min(n, 16) of (100, 5, 5, 100, 3, 3) add to 48 > 40. Merging by fewest columns together:
    (3, 3) → 6 (still 48), (5, 5) → 10 (48), then 100 + 6 = 106 < 110 → (100, 6) (42 > 40), then the
    first of the two 110 pairs: (100, 10) → 16 + 16 = 32 ≤ 40. So t0…t2 and t3…t5."""
    spans = column_strata(vector_layout(100, 5, 5, 100, 3, 3), 40, 16)
    assert [(s.first, s.last, s.offset, s.numel, s.count) for s in spans] == [
        ("t0", "t2", 0, 110, 3), ("t3", "t5", 110, 106, 3)]


def test_a_floor_below_three_still_draws_three_columns_per_sampled_stratum():
    """minimum = 1 would leave a stratum one column and no variance, and 2 columns a bootstrap with no spread
    (each resample is the sample, t* = 0, or has se* = 0: the per-layer interval was the point [ρ̂_B, ρ̂_B]);
    the estimator raises the floor to 3, so every sampled layer's interval is finite and has a width."""
    layout = vector_layout(50, 10)
    result = rho_diag_sampled(column_source(_matrix(60, 4)), layout, 6, np.random.default_rng(0),
                              resamples=200, minimum=1)
    assert [(layer.method, layer.columns) for layer in result.per_layer.values()] == [("sampled", 3)] * 2
    for layer in result.per_layer.values():
        assert np.all(np.isfinite(layer.ci)) and layer.ci[0] < layer.estimate < layer.ci[1], layer.name
    assert np.all(np.isfinite(result.ci)) and result.ci[1] > result.ci[0]


@pytest.mark.parametrize("replicates, replicate_se", [(np.full(50, 0.4), np.full(50, 0.05)),  # t* all 0
                                                      (np.linspace(0.3, 0.5, 50), np.zeros(50))])  # se* all 0
def test_a_bootstrap_without_spread_gives_the_normal_interval_not_a_point(replicates, replicate_se):
    """[ρ̂ − z·se, ρ̂ + z·se] with z = Φ⁻¹(0.975) = 1.959964 where the t* carry no information; with a
    spread, the bootstrap-t quantiles; with se = 0, the point."""
    tails = (0.025, 0.975)
    assert _studentized(0.4, 0.01, replicates, replicate_se, tails) == pytest.approx((0.4 - 0.0195996,
                                                                                     0.4 + 0.0195996), rel=1e-6)
    assert _studentized(0.4, 0.0, replicates, replicate_se, tails) == (0.4, 0.4)
    spread = np.linspace(0.3, 0.5, 50)
    t = (spread - 0.4) / 0.05
    expected = (0.4 - np.quantile(t, 0.975) * 0.01, 0.4 - np.quantile(t, 0.025) * 0.01)
    assert _studentized(0.4, 0.01, spread, np.full(50, 0.05), tails) == pytest.approx(expected, rel=1e-12)
