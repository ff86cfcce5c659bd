"""Block heterogeneity from given block spectra, against the module docstring's definitions by brute force.

Spectra are built directly (`BlockSpectrum`): exact ones, and SLQ-like ones with K probes (one Gauss
rule each), so that the per-probe standard error and the certified-top spread can be checked without
a model. The densities are Gaussian kernels of width σ = 1 % of the range of all nodes on a 512-point
grid over that range ± 6σ; JS is scipy's Jensen–Shannon distance squared (natural log). Tolerance
1e-9 relative (exponentials and logarithms of the same float64 numbers, summed in another order).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from hessdiag.estimators.blocks import block_heterogeneity
from hessdiag.estimators.blocks.spectra import BlockSpectrum
from hessdiag.linalg import RitzValue


def _density(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, sigma: float) -> np.ndarray:
    k = (np.exp(-0.5 * ((grid[:, None] - nodes[None, :]) / sigma) ** 2) * weights[None, :]).sum(1)
    k[k < 1e-300] = 0.0  # scipy's JS is inf where p/2 underflows; such terms add < 1e-297 nats
    return k / k.sum()


def _average_js(rules: list[tuple[np.ndarray, np.ndarray]], grid: np.ndarray, sigma: float) -> float:
    dens = [_density(n, w, grid, sigma) for n, w in rules]
    return float(np.mean([jensenshannon(p, q) ** 2 for p, q in itertools.combinations(dens, 2)]))


def _spectra(probes: int, seed: int) -> list[BlockSpectrum]:
    rng = np.random.default_rng(seed)
    exact = np.sort(rng.normal(0.0, 1.0, 6))
    out = [BlockSpectrum("exact", 6, RitzValue(float(exact[-1]), 1e-12), [exact], [np.full(6, 1 / 6)], "exact")]
    for b, scale in enumerate((3.0, 0.5)):
        nodes = [np.sort(rng.normal(scale, scale, 4)) for _ in range(probes)]
        weights = [rng.dirichlet(np.ones(4)) for _ in range(probes)]
        top = max(float(n[-1]) for n in nodes)
        out.append(BlockSpectrum(f"slq{b}", 40, RitzValue(top, 0.1 * abs(top)), nodes, weights, "lanczos", 4))
    return out


@pytest.mark.parametrize("probes, seed", [(2, 0), (3, 1), (5, 2)])
def test_average_and_standard_error_over_probes(probes, seed):
    """The estimate uses every block's pooled rule; the error is the spread of the K per-probe averages
    (exact blocks reuse their one rule) over √K, with the K − 1 divisor."""
    spectra = _spectra(probes, seed)
    nodes = np.concatenate([np.concatenate(s.nodes) for s in spectra])
    sigma = 0.01 * (nodes.max() - nodes.min())
    grid = np.linspace(nodes.min() - 6 * sigma, nodes.max() + 6 * sigma, 512)
    pooled = [(np.concatenate(s.nodes), np.concatenate(s.weights) / len(s.nodes)) for s in spectra]
    per_probe = [_average_js([(s.nodes[0 if s.method == "exact" else j], s.weights[0 if s.method == "exact" else j])
                              for s in spectra], grid, sigma) for j in range(probes)]
    result = block_heterogeneity(spectra)
    assert result.pairs == 3 and result.average_js.method == f"slq ({probes} probes per block)"
    assert result.average_js.estimate == pytest.approx(_average_js(pooled, grid, sigma), rel=1e-9)
    assert result.average_js.stderr == pytest.approx(np.std(per_probe, ddof=1) / math.sqrt(probes), rel=1e-9)


def _with_top(name: str, value: float, residual: float) -> BlockSpectrum:
    return BlockSpectrum(name, 1, RitzValue(value, residual), [np.array([value])], [np.ones(1)], "exact")


def test_top_spread_uses_only_certified_positive_tops_and_the_extremes_of_their_bars():
    """Tops 10 ± 1, 2 ± 0.5 and 4 ± 0.2 are certified positive; 0.5 ± 1 is not and is left out (it
    would make the spread log10(10/0.5)). Over the bars, the spread log10(max t/min t) ranges from
    log10(9/2.5) (each top at its end nearest the others) to log10(11/1.5)."""
    spectra = [_with_top("a", 10.0, 1.0), _with_top("b", 2.0, 0.5), _with_top("c", 0.5, 1.0), _with_top("d", 4.0, 0.2)]
    result = block_heterogeneity(spectra)
    boxes = [np.linspace(v - r, v + r, 5) for v, r in ((10.0, 1.0), (2.0, 0.5), (4.0, 0.2))]
    spreads = [math.log10(max(t) / min(t)) for t in itertools.product(*boxes)]
    assert result.top_spread == pytest.approx(math.log10(10.0 / 2.0), rel=1e-12)
    assert (result.top_spread_interval.lo, result.top_spread_interval.hi) == pytest.approx(
        (min(spreads), max(spreads)), rel=1e-12)


def test_overlapping_top_bars_give_a_spread_interval_from_zero():
    spectra = [_with_top("a", 3.0, 1.0), _with_top("b", 2.5, 1.0)]
    iv = block_heterogeneity(spectra).top_spread_interval
    assert iv.lo == 0.0 and iv.hi == pytest.approx(math.log10(4.0 / 1.5), rel=1e-12)


def test_the_lowest_spread_takes_the_highest_lower_end_and_the_lowest_upper_end():
    """Tops 10 ± 5, 8 ± 0.1, 2 ± 1.5 and 2.2 ± 0.1: the largest top does not have the highest lower end
    (7.9, of 8) nor the smallest top the lowest upper end (2.3, of 2.2). Any tops in their bars have
    max ≥ 7.9 and min ≤ 2.3, and moving every top into [2.3, 7.9] attains both, so the spread's lower end
    is log10(7.9/2.3); its upper end is log10(15/0.5)."""
    spectra = [_with_top("a", 10.0, 5.0), _with_top("b", 8.0, 0.1), _with_top("c", 2.0, 1.5), _with_top("d", 2.2, 0.1)]
    result = block_heterogeneity(spectra)
    assert result.top_spread == pytest.approx(math.log10(10.0 / 2.0), rel=1e-12)
    assert (result.top_spread_interval.lo, result.top_spread_interval.hi) == pytest.approx(
        (math.log10(7.9 / 2.3), math.log10(15.0 / 0.5)), rel=1e-12)
