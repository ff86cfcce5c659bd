"""Block heterogeneity of the Hessian: how different the spectra of the blocks H_BB are (Zhang et al. 2024).

Zhang, Chen, Ding, Li, Sun & Luo ("Why Transformers Need Adam: A Hessian Perspective", 2024) call a
model *block-heterogeneous* when the spectra of its parameter blocks differ a lot, argue that one
learning rate for all blocks (SGD) then fits none of them while Adam's per-coordinate scaling adapts,
and measure it by JS⁰, the average Jensen–Shannon distance between the blocks' spectral densities.
hessdiag's version, written from that definition:

- each block's spectral measure μ_B (exact, or one Gauss rule per probe, `spectra.BlockSpectrum`) is
  smoothed with a Gaussian of width σ = 1 % of the range spanned by ALL blocks' nodes and evaluated on
  one common grid of `GRID_POINTS` points (the eigenvalue axis is linear and not rescaled per block:
  two blocks whose spectra have the same shape at different scales count as different, which is the
  heterogeneity that defeats a single learning rate); the grid values are normalised to probability
  vectors p_B;
- JS(p, q) = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2, natural logarithm, so 0 ≤ JS ≤ ln 2 (identical
  densities: 0; disjoint ones: ln 2);
- `average_js` = the mean of JS(p_B, p_B') over the L(L−1)/2 pairs of distinct blocks (averaging over
  all L² ordered pairs, the own pairs included, would multiply it by (L−1)/L). Its magnitude is not
  comparable with the values tabled by Zhang et al., whose densities, grids and scaling differ.

Uncertainty: the average is recomputed with each probe's rules alone (exact blocks use their exact
rule every time); the standard error is the spread of those K values over √K. Quadrature noise makes
identical spectra look slightly different, so the estimate is biased upwards when few Lanczos steps
are used; exact spectra have no such bias. `top_spread` = log10(max_B λ_top,B / min_B λ_top,B) over
the blocks whose top eigenvalue is certified positive, with the interval from the residuals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...linalg import Estimate, Interval
from .spectra import BlockSpectrum

GRID_POINTS = 512
SIGMA_FRACTION = 0.01


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon divergence (nats) of two probability vectors on the same support points."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)

    def kl(a: np.ndarray) -> float:
        mask = (a > 0) & (m > 0)  # m ≥ a/2 > 0 except where a/2 underflows
        return float(np.sum(a[mask] * np.log(a[mask] / m[mask])))

    return 0.5 * kl(p) + 0.5 * kl(q)


def common_grid(spectra: list[BlockSpectrum], points: int = GRID_POINTS) -> tuple[np.ndarray, float]:
    """The grid spanning every block's nodes ± 6σ, and σ = SIGMA_FRACTION of the nodes' range."""
    nodes = np.concatenate([np.concatenate(s.nodes) for s in spectra])
    lo, hi = float(nodes.min()), float(nodes.max())
    width = hi - lo if hi > lo else max(abs(hi), 1.0)
    sigma = SIGMA_FRACTION * width
    return np.linspace(lo - 6 * sigma, hi + 6 * sigma, points), sigma


def smoothed(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    """Σ_j w_j N(t; θ_j, σ²) on the grid, normalised to a probability vector over the grid points."""
    values = np.zeros(grid.size)
    for start in range(0, nodes.size, 1024):
        z = (grid[:, None] - nodes[None, start:start + 1024]) / sigma
        values += (np.exp(-0.5 * z**2) * weights[None, start:start + 1024]).sum(1)
    total = values.sum()
    return values / total if total > 0 else np.full(grid.size, 1.0 / grid.size)


def _average(densities: list[np.ndarray]) -> float:
    pairs = [js_divergence(densities[a], densities[b])
             for a in range(len(densities)) for b in range(a + 1, len(densities))]
    return float(np.mean(pairs))


@dataclass(frozen=True)
class BlockHeterogeneity:
    average_js: Estimate | None  # mean JS over distinct block pairs (nats), ± probe spread
    top_spread: float | None  # log10(max/min) of the certified-positive block tops
    top_spread_interval: Interval | None
    blocks: int
    pairs: int
    reason: str | None = None

    def as_dict(self) -> dict:
        return {"average_js": None if self.average_js is None else self.average_js.as_dict(),
                "top_spread_log10": self.top_spread,
                "top_spread_interval": None if self.top_spread_interval is None else self.top_spread_interval.as_list(),
                "blocks": self.blocks, "pairs": self.pairs, "reason": self.reason}


def _top_spread(spectra: list[BlockSpectrum]) -> tuple[float | None, Interval | None]:
    tops = [s.top for s in spectra if s.top.value - s.top.residual > 0]
    if len(tops) < 2:
        return None, None
    hi_block = max(tops, key=lambda t: t.value)
    lo_block = min(tops, key=lambda t: t.value)
    value = math.log10(hi_block.value / lo_block.value)
    upper = math.log10((hi_block.value + hi_block.residual) / (lo_block.value - lo_block.residual))
    lower = max(0.0, math.log10(max(t.value - t.residual for t in tops) / min(t.value + t.residual for t in tops)))
    return value, Interval(lower, upper)


def block_heterogeneity(spectra: list[BlockSpectrum]) -> BlockHeterogeneity:
    """The averaged JS divergence between block spectra and the spread of the block tops."""
    blocks = len(spectra)
    spread, spread_iv = _top_spread(spectra)
    if blocks < 2:
        return BlockHeterogeneity(None, spread, spread_iv, blocks, 0,
                                  "one parameter block: no pair of block spectra to compare")
    grid, sigma = common_grid(spectra)
    pooled = [smoothed(*s.pooled(), grid, sigma) for s in spectra]
    estimate = _average(pooled)
    k = max(len(s.nodes) for s in spectra if s.method != "exact") if any(
        s.method != "exact" for s in spectra) else 0
    stderr = 0.0 if k == 0 else math.inf  # one probe per block: no spread to measure
    if k >= 2:
        per_probe = []
        for j in range(k):
            dens = [smoothed(s.nodes[0] if s.method == "exact" else s.nodes[j],
                             s.weights[0] if s.method == "exact" else s.weights[j], grid, sigma) for s in spectra]
            per_probe.append(_average(dens))
        stderr = float(np.std(per_probe, ddof=1) / math.sqrt(k))
    method = "exact" if k == 0 else f"slq ({k} probes per block)"
    return BlockHeterogeneity(Estimate(estimate, stderr, method), spread, spread_iv, blocks,
                              blocks * (blocks - 1) // 2)
