"""The plain numbers the rules read, built from the typed results of the sections that ran.

The rules (`hessdiag.recommend`) never see the report's JSON or any tensor: every measurement arrives
here as a number with its interval (`Measured`), or None when its section did not run or it is
undefined at this θ.
"""

from __future__ import annotations

import math
from typing import Any

from ...estimators.imbalance import ClassStatistics
from ...estimators.spectrum.step_sizes import basic_steps
from ...linalg import Estimate, Interval
from ...recommend import Measured, Measurements
from ...report.section import Results
from ..blocks import BlocksResult
from ..fisher import FisherComparison
from ..geometry import GeometryResult
from ..noise import NoiseReport
from ..preconditioning import Preconditioned, PreconditioningResult
from ..spectrum import SpectrumResult


def finite(x: float | None) -> float | None:
    """None for a missing or non-finite number (what the JSON report shows as null)."""
    return x if x is not None and math.isfinite(x) else None


def _measured(value: float | None, interval: Interval | None) -> Measured | None:
    return None if finite(value) is None else Measured(value, interval)


def _spectrum_and_geometry(out: dict[str, Any], spectrum, geometry) -> None:
    if spectrum is not None:
        if spectrum.ratios.outlier is not None:
            r = spectrum.ratios
            stderr = None if r.outlier_stderr is None else Estimate(r.outlier, r.outlier_stderr, "").interval()
            out["outlier_ratio"] = _measured(r.outlier, stderr)
        top = spectrum.top.values[0]
        out["lambda_max"] = Measured(top.value, Interval(top.value - top.residual, top.value + top.residual))
    if geometry is not None:
        out["Linf"] = Interval(geometry.Linf.lo, finite(geometry.Linf.hi))
        out["Linf_hi_source"] = geometry.Linf.hi_source
        out["grad_density"] = finite(geometry.grad_density)
        ratio = geometry.improvement_ratio
        if ratio is not None:
            out["improvement_ratio"] = Interval(finite(ratio.lo), finite(ratio.hi))
        rho = geometry.rho_diag
        out["rho_diag"] = _measured(rho.estimate, Interval(*rho.ci) if rho.ci else None)


def _noise_and_fisher(out: dict[str, Any], noise, fisher, reference_batch: int) -> None:
    if noise is not None:
        eta2 = noise.scalars.eta2
        out["noise_to_signal"] = _measured(eta2.estimate, Interval(*eta2.as_list()))
        out["coin_flip_share"] = noise.coordinates.coin_flip_share_at(reference_batch)
        median = finite(noise.coordinates.median_eta2)
        if median is not None:
            out["median_coordinate_eta2"], out["reference_batch"] = median / reference_batch, reference_batch
        out["m_star"] = finite(noise.scalars.m_star)
        out["cabs"] = None if noise.scalars.cabs is None else finite(noise.scalars.cabs.estimate)
    if fisher is not None:
        out["ef_over_f_trace"] = finite(fisher.ef_over_f.estimate)
        out["rel_fro_ef_vs_f"] = finite(fisher.distances["EF_vs_F"].estimate)
        out["cos_precond_f_ef"] = None if fisher.cosine is None else finite(fisher.cosine.value)


def _preconditioning(out: dict[str, Any], result: PreconditioningResult | None) -> None:
    if result is None:
        return
    entries: dict[str, Preconditioned] = {"adam": result.adam, "jacobi": result.jacobi}
    for name, entry in entries.items():
        out[f"{name}_rate"] = _measured(entry.rate_ratio, entry.rate_interval)
        out[f"{name}_progress"] = _measured(entry.progress_ratio, entry.progress_interval)
    if result.adam.summary is not None and result.adam.summary.lambda_max.value > 0:
        out["adam_lambda_max"] = result.adam.summary.lambda_max.value


def _blocks_and_classes(out: dict[str, Any], blocks: BlocksResult | None,
                        classes: ClassStatistics | None) -> None:
    if blocks is not None:
        h = blocks.heterogeneity
        if h.blocks < 2:  # one block: homogeneous by definition
            out["block_js"] = out["block_top_spread"] = Measured(0.0, Interval(0.0, 0.0))
            return _classes(out, classes)
        if h.average_js is not None:
            out["block_js"] = _measured(h.average_js.estimate, h.average_js.interval())
        out["block_top_spread"] = _measured(h.top_spread, h.top_spread_interval)
    _classes(out, classes)


def _classes(out: dict[str, Any], classes: ClassStatistics | None) -> None:
    if classes is not None:
        out["class_imbalance"] = finite(classes.imbalance_ratio)
        out["class_entropy"] = finite(classes.normalised_entropy)


def measurements_from(results: Results, d: int, reference_batch: int) -> Measurements:
    """The plain numbers the rules use, from the typed results of the sections that ran."""
    spectrum, geometry = results.get(SpectrumResult), results.get(GeometryResult)
    l2 = spectrum.L2 if spectrum is not None else (geometry.L2 if geometry is not None else None)
    out: dict[str, Any] = {"d": d, "L2": None if l2 is None else Measured(l2.value, Interval(l2.value - l2.residual,
                                                                                            l2.value + l2.residual))}
    _spectrum_and_geometry(out, spectrum, geometry)
    _noise_and_fisher(out, results.get(NoiseReport), results.get(FisherComparison), reference_batch)
    _preconditioning(out, results.get(PreconditioningResult))
    _blocks_and_classes(out, results.get(BlocksResult), results.get(ClassStatistics))
    lmax = spectrum.top.values[0] if spectrum is not None else None
    linf_hi = None if geometry is None else geometry.Linf.hi
    out["step_sizes"] = basic_steps(None if l2 is None else l2.value, lmax, linf_hi)
    return Measurements(**out)
