"""The Problem-free numerical core: symmetric linear maps and what is estimated from their products.

Every function here takes "a symmetric linear map" in one form (`LinearMap`: `matmat`, `d`, `dtype`,
`device`, `@`; a dense matrix or a `matmat` callable is converted by `as_linear_map`), takes its
randomness as an argument (a `torch.Generator`), and returns a typed result that carries its error.
As in matfree, estimators are composed from a sampler (`probes.rademacher`) and an integrand; the
one Lanczos recurrence (`lanczos.Lanczos`) serves both the extreme eigenvalues and the quadrature.
Nothing here knows about models, data or reports.
"""

from .cg import CGResult, cosine_with_bound, damped_cg, dense_damped_solve
from .dense import UNIT_BLOCK, columns, dense_matrix, dense_top
from .eigen import (
                    LanczosResult,
                    RitzValue,
                    extreme_eigenpairs,
                    lanczos_bottom_eigenvalues,
                    lanczos_top_eigenvalues,
)
from .intervals import Z95, Estimate, Interval, RatioInterval, fieller_interval, ratio_estimate, ratio_stderr
from .lanczos import Lanczos
from .linear_map import CallableMap, CountedProducts, DenseMap, LinearMap, as_linear_map
from .probes import rademacher
from .quadrature import MeanAbsEigenvalue, Quadrature, SpectralDensity, stochastic_lanczos_quadrature
from .subspaces import chance_overlap, subspace_overlap
from .trace import TRACE_METHODS, TraceResult, estimate_trace, exact_trace, hutchinson_trace, hutchpp_trace

__all__ = [
    # linear maps
    "CallableMap", "CountedProducts", "DenseMap", "LinearMap", "as_linear_map", "UNIT_BLOCK", "columns",
    "dense_matrix",
    # sampler and recurrence
    "Lanczos", "rademacher",
    # eigenvalues, quadrature, traces, solves
    "LanczosResult", "RitzValue", "dense_top", "extreme_eigenpairs", "lanczos_bottom_eigenvalues",
    "lanczos_top_eigenvalues", "MeanAbsEigenvalue", "Quadrature", "SpectralDensity",
    "stochastic_lanczos_quadrature", "TRACE_METHODS", "TraceResult", "estimate_trace", "exact_trace",
    "hutchinson_trace", "hutchpp_trace", "CGResult", "cosine_with_bound", "damped_cg", "dense_damped_solve",
    "chance_overlap", "subspace_overlap",
    # interval statistics
    "Z95", "Estimate", "Interval", "RatioInterval", "fieller_interval", "ratio_estimate", "ratio_stderr",
]
