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

from ..load.problem import ParamLayout
from .gradient_moments import GradientMoments
from .noise_scalars import REFERENCE_BATCH_SIZES

COIN_FLIP_MARGIN = 0.05
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
FACTORS = ("eta2", "svag", "adam", "sign_factor", "rho")


def quantile_summary(values: Tensor) -> dict[str, float | None]:
    """Order-statistic quantiles q05…q95 and the mean of a 1-D tensor (None when it is empty)."""
    array = values.detach().to("cpu", torch.float64).numpy()
    if array.size == 0:
        return {f"q{round(100 * q):02d}": None for q in QUANTILES} | {"mean": None}
    qs = np.quantile(array, QUANTILES, method="inverted_cdf")
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(array.mean())
    return {f"q{round(100 * q):02d}": float(v) for q, v in zip(QUANTILES, qs)} | {"mean": mean}


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


def _summaries(mean: Tensor, variance: Tensor) -> dict:
    factors = coordinate_factors(mean, variance)
    out = {name: quantile_summary(factors[name]) for name in FACTORS}
    out["coin_flip_share"] = coin_flip_share(factors["rho"])
    out["zero_coordinates"] = int((~factors["defined"]).sum())
    out["infinite_eta2"] = int(torch.isinf(factors["eta2"]).sum())
    return out


def coordinate_noise(moments: GradientMoments, layout: ParamLayout) -> CoordinateNoise:
    """Quantiles of the per-coordinate factors (m = 1) overall and per layer; sign agreement."""
    mean, variance = moments.mean, moments.variance
    overall = {"reference_batch_size": 1, "d": layout.d} | _summaries(mean, variance)
    per_layer = {}
    for block in layout.blocks:
        sl = slice(block.offset, block.offset + block.numel)
        g, s = mean[sl], variance[sl]
        g2, trace = float(g @ g), float(s.sum())
        per_layer[block.name] = {"d": block.numel, "trace_Sigma": trace, "grad_norm_sq": g2,
                                 "noise_to_signal": trace / g2 if g2 > 0 else None} | _summaries(g, s)
    rho = coordinate_factors(mean, variance)["rho"]
    by_batch = {str(m): coin_flip_share(coordinate_factors(mean, variance, m)["rho"]) for m in REFERENCE_BATCH_SIZES}
    sign_agreement = {
        "quantiles": quantile_summary(rho), "coin_flip_share": coin_flip_share(rho),
        "coin_flip_threshold": 0.5 + COIN_FLIP_MARGIN, "reference_batch_size": 1,
        "model": "Gaussian gradient: rho_i = Phi(1/eta_i) (Lemma 5.2, Eq. 5.10)",
        "coin_flip_share_by_batch_size": by_batch,
    }
    return CoordinateNoise(overall, per_layer, sign_agreement)
