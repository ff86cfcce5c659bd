"""Per-coordinate noise and variance-adaptation factors, summarised per layer (SPEC §5; thesis ch. 5).

For coordinate i with mean gradient ḡ_i = ∇R_i and per-sample variance s_i (1/N on the selection), a
stochastic gradient over m samples has relative variance η_i²(m) = s_i/(m ḡ_i²) (Eq. 5.7). Then
- SVAG's optimal factor 1/(1 + η_i²) (Lemma 5.1, Eq. 5.8/5.11), computed as m ḡ²/(m ḡ² + s);
- Adam's implicit factor (1 + η_i²)^(−1/2) (Eq. 5.6) = √(SVAG factor);
- the optimal factor for the sign, 2ρ_i − 1 = erf(1/(√2 η_i)) (Lemma 5.2, Eq. 5.10), with
  ρ_i = P[sign g_i = sign ∇R_i] = Φ(1/η_i) under a Gaussian gradient;
A coordinate's sign is "close to a coin flip" when ρ_i < ½ + COIN_FLIP_MARGIN (sign factor < 0.1).
Coordinates with ḡ_i = 0 and s_i = 0 (parameters that nothing moves) are counted and left out;
ḡ_i = 0 with s_i > 0 has η_i² = ∞ and ρ_i = ½. Quantiles are order statistics (no interpolation),
exact for the selection: these are plug-in values, with no de-biasing of ḡ_i².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ...load.problem import ParamLayout
from .moments import GradientMoments
from .scalars import REFERENCE_BATCH_SIZES

COIN_FLIP_MARGIN = 0.05
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
FACTORS = ("eta2", "svag", "adam", "sign_factor", "rho")


def _order_index(q: float, n: int, increasing: bool) -> int:
    """0-based index in ascending order of the inverted-CDF q-quantile of f(X), f monotone."""
    k = max(1, math.ceil(q * n - 1e-12))
    return k - 1 if increasing else n - k


def quantile_summary(values: Tensor) -> dict[str, float | None]:
    """Order-statistic quantiles q05…q95 (inverted CDF, no interpolation) and the mean of a 1-D tensor."""
    array = values.detach().to("cpu", torch.float64).numpy()
    if array.size == 0:
        return {f"q{round(100 * q):02d}": None for q in QUANTILES} | {"mean": None}
    qs = np.quantile(array, QUANTILES, method="inverted_cdf")
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(array.mean())
    return {f"q{round(100 * q):02d}": float(v) for q, v in zip(QUANTILES, qs)} | {"mean": mean}


def _summaries_by_selection(eta2: Tensor, factors: dict[str, Tensor]) -> dict[str, dict]:
    """`quantile_summary` of every factor from one selection of η²'s order statistics: all factors are
    monotone (decreasing) functions of η², so their order statistics are the factors of η²'s, read in
    reverse; only 2×len(QUANTILES) order statistics are selected (np.partition, linear time)."""
    n = eta2.numel()
    if n == 0:
        return {name: {f"q{round(100 * q):02d}": None for q in QUANTILES} | {"mean": None} for name in FACTORS}
    up = {q: _order_index(q, n, True) for q in QUANTILES}
    down = {q: _order_index(q, n, False) for q in QUANTILES}
    kth = sorted(set(up.values()) | set(down.values()))
    array = eta2.detach().to("cpu", torch.float64).numpy()
    selected = np.partition(array, kth)
    out = {}
    for name in FACTORS:
        picks = up if name == "eta2" else down
        values = _factor(name, torch.tensor([selected[picks[q]] for q in QUANTILES], dtype=torch.float64))
        out[name] = {f"q{round(100 * q):02d}": float(v) for q, v in zip(QUANTILES, values)} | {
            "mean": float(factors[name].mean())}
    return out


def _factor(name: str, eta2: Tensor) -> Tensor:
    """A factor as a function of η² alone (on selected order statistics; as in `coordinate_factors`)."""
    if name == "eta2":
        return eta2
    svag = 1.0 / (1.0 + eta2)
    if name == "svag":
        return svag
    if name == "adam":
        return svag.sqrt()
    sign = torch.special.erf(1.0 / (math.sqrt(2.0) * eta2.sqrt()))
    return sign if name == "sign_factor" else 0.5 * (1.0 + sign)


def coordinate_factors(mean: Tensor, variance: Tensor, m: int = 1) -> dict[str, Tensor]:
    """η_i², SVAG, Adam and sign factors and ρ_i for a batch of m samples, on defined coordinates."""
    defined = (mean != 0) | (variance > 0)
    g2, s = m * mean[defined] ** 2, variance[defined]
    svag = g2 / (g2 + s)
    eta2 = torch.where(g2 > 0, s / g2.clamp_min(torch.finfo(g2.dtype).tiny), torch.full_like(g2, math.inf))
    snr = torch.where(s > 0, g2.sqrt() / s.sqrt().clamp_min(torch.finfo(s.dtype).tiny), torch.full_like(g2, math.inf))
    sign_factor = torch.special.erf(snr / math.sqrt(2.0))
    return {"eta2": eta2, "svag": svag, "adam": svag.sqrt(), "sign_factor": sign_factor,
            "rho": 0.5 * (1.0 + sign_factor), "defined": defined}


def coin_flip_share(rho: Tensor) -> float | None:
    return None if rho.numel() == 0 else float((rho < 0.5 + COIN_FLIP_MARGIN).double().mean())


@dataclass
class CoordinateNoise:
    """Per-coordinate summaries for the whole model and per parameter tensor."""

    overall: dict
    per_layer: dict
    sign_agreement: dict

    def coin_flip_share_at(self, batch_size: int) -> float | None:
        """The coin-flip share at one of `REFERENCE_BATCH_SIZES` (None when no coordinate is defined)."""
        if batch_size not in REFERENCE_BATCH_SIZES:
            raise ValueError(f"coin-flip shares are measured at batch sizes {REFERENCE_BATCH_SIZES}, not {batch_size}")
        return self.sign_agreement["coin_flip_share_by_batch_size"][str(batch_size)]

    @property
    def median_eta2(self) -> float | None:
        """The median per-coordinate η_i² of one sample (m = 1)."""
        return self.overall["eta2"]["q50"]


def _summaries(factors: dict[str, Tensor]) -> dict:
    out = _summaries_by_selection(factors["eta2"], factors)
    out["coin_flip_share"] = coin_flip_share(factors["rho"])
    out["zero_coordinates"] = int((~factors["defined"]).sum())
    out["infinite_eta2"] = int(torch.isinf(factors["eta2"]).sum())
    return out


def _restrict(factors: dict[str, Tensor], sl: slice) -> dict[str, Tensor]:
    """The factors of the coordinates in `sl`, from factors computed once for all coordinates."""
    defined = factors["defined"]
    start = int(defined[: sl.start].sum())
    defined_here = defined[sl]
    stop = start + int(defined_here.sum())
    return {name: (defined_here if name == "defined" else factors[name][start:stop]) for name in factors}


def coin_flip_shares_by_batch_size(mean: Tensor, variance: Tensor) -> dict[str, float | None]:
    """Share of coordinates with ρ_i(m) < ½ + margin for each reference m, from |ḡ|/σ alone:
    ρ_i(m) < ½ + δ ⇔ erf(√m |ḡ_i|/(√2 σ_i)) < 2δ ⇔ |ḡ_i|/σ_i < √2·erfinv(2δ)/√m."""
    defined = (mean != 0) | (variance > 0)
    g, s = mean[defined].abs(), variance[defined].sqrt()
    if g.numel() == 0:
        return {str(m): None for m in REFERENCE_BATCH_SIZES}
    snr = torch.where(s > 0, g / s.clamp_min(torch.finfo(s.dtype).tiny), torch.full_like(g, math.inf))
    edge = math.sqrt(2.0) * float(torch.special.erfinv(torch.tensor(2 * COIN_FLIP_MARGIN, dtype=torch.float64)))
    return {str(m): float((snr < edge / math.sqrt(m)).double().mean()) for m in REFERENCE_BATCH_SIZES}


def coordinate_noise(moments: GradientMoments, layout: ParamLayout) -> CoordinateNoise:
    """Quantiles of the per-coordinate factors (m = 1) overall and per layer; sign agreement."""
    mean, variance = moments.mean, moments.variance
    factors = coordinate_factors(mean, variance)
    overall = {"reference_batch_size": 1, "d": layout.d} | _summaries(factors)
    per_layer = {}
    for block in layout.blocks:
        sl = slice(block.offset, block.offset + block.numel)
        g, s = mean[sl], variance[sl]
        g2, trace = float(g @ g), float(s.sum())
        per_layer[block.name] = {"d": block.numel, "trace_Sigma": trace, "grad_norm_sq": g2,
                                 "noise_to_signal": trace / g2 if g2 > 0 else None} | _summaries(_restrict(factors, sl))
    sign_agreement = {
        "quantiles": overall["rho"], "coin_flip_share": overall["coin_flip_share"],
        "coin_flip_threshold": 0.5 + COIN_FLIP_MARGIN, "reference_batch_size": 1,
        "model": "Gaussian gradient: rho_i = Phi(1/eta_i) (Lemma 5.2, Eq. 5.10)",
        "coin_flip_share_by_batch_size": coin_flip_shares_by_batch_size(mean, variance),
    }
    return CoordinateNoise(overall, per_layer, sign_agreement)
