"""The trace tr(H) by Hutchinson or Hutch++, with a standard error and a stopping rule on it (SPEC §3).

Hutchinson (1990): for Rademacher z (E[z zᵀ] = I), E[zᵀ H z] = tr(H), so the mean of n quadratic forms
estimates tr(H); its standard error is the sample standard deviation over √n.

Hutch++ (Meyer, Musco, Musco & Woodruff, SOSA 2021, Alg. 1): draw a sketch S (d×s), let Q = orth(H S)
and P = Q Qᵀ. Then tr(H) = tr(Qᵀ H Q) + tr((I−P) H (I−P)) exactly (the cross terms vanish by
cyclicity), the first term is computed exactly with s more products, and Hutchinson estimates only the
second. Deflating the top of the spectrum removes most of the variance when a few outlier eigenvalues
dominate, as in neural-network Hessians. Given the sketch, the estimate is unbiased and its error is
the Hutchinson error of the deflated part alone, so the reported standard error — the sample standard
error of the n residual quadratic forms — is exactly the conditional standard error: it covers the
probe noise, and nothing else is random. (Products in float32 add rounding of relative size ~1e-7,
which it does not cover.)

Stopping: probes come in rounds, each one batched product; after a round the estimator stops when the
standard error is ≤ rtol·|estimate| ("stderr") or when the next probe would exceed the product budget
("budget"), and says which. A round is sized from the current standard error to just reach the
target (at most `block` probes per product call, 64 by default).

Memory (issue 18): a round holds 3 · block float64 d-vectors, and Hutch++'s sketch H S and Q (2s); with
`block` below s the sketch's products and tr(Qᵀ H Q) are taken `block` columns at a time, so no (d, s)
array of products is held beside them. The draws are those of the unblocked run (S is drawn whole;
rounds are only smaller), so a smaller block changes no number when it only splits the sketch.
Stopping on the estimated error slightly favours lucky runs; the minimum first round (default 16
probes) keeps that effect small (tests: ≥ 95 % of runs within 3 standard errors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
from torch import Tensor

from .linear_map import CountedProducts
from .probes import rademacher

TRACE_METHODS = ("hutch++", "hutchinson")
FIRST_ROUND = 16
MAX_ROUND = 64  # probes per product call: batched, without (round × batch × width) intermediates
MAX_SKETCH = 32


@dataclass(frozen=True)
class TraceResult:
    """tr(H) ≈ estimate ± stderr (one standard error of the probe noise; 0 for `exact`)."""

    estimate: float
    stderr: float
    method: str  # "hutch++", "hutchinson" or "exact"
    matvecs: int
    stopped_by: str  # "stderr", "budget" or "exact"
    probes: int  # Hutchinson quadratic forms averaged (of the deflated part for Hutch++)
    sketch: int = 0  # Hutch++ sketch size s (2s of the products went into the sketch)
    rtol: float | None = None

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "stderr": self.stderr, "method": self.method,
                "matvecs": self.matvecs, "stopped_by": self.stopped_by, "probes": self.probes,
                "sketch": self.sketch, "rtol": self.rtol}


def mean_and_stderr(values) -> tuple[float, float]:
    """The sample mean and its standard error (sample standard deviation / √n; ∞ for one value)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    mean = float(np.mean(values))
    return mean, (float(np.std(values, ddof=1)) / math.sqrt(n) if n > 1 else math.inf)


def quadratic_forms(products: CountedProducts, z: Tensor) -> Tensor:
    """zᵢᵀ A zᵢ for every column of z (d, n): one batched product; E zᵀAz = tr A for Rademacher z."""
    return (z * products(z)).sum(0)


def _adaptive_hutchinson(forms: Callable[[int], Tensor], offset: float, budget: int, rtol: float,
                         first_round: int, used: Callable[[], int],
                         progress: Callable[[int, int], None] | None,
                         block: int = MAX_ROUND) -> tuple[float, float, int, str]:
    """offset + mean of quadratic forms, drawn in rounds (at most `block` each) until the standard error or
    the budget stops it."""
    values: list[float] = []
    size = min(max(first_round, 2), budget - used(), max(block, 2))
    while True:
        values.extend(forms(size).tolist())
        mean, stderr = mean_and_stderr(values)
        estimate = offset + mean
        if progress is not None:
            progress(used(), budget)
        left = budget - used()
        if stderr <= rtol * abs(estimate):
            return estimate, stderr, len(values), "stderr"
        if left < 1:
            return estimate, stderr, len(values), "budget"
        target = rtol * abs(estimate)
        wanted = len(values) * ((stderr / target) ** 2 - 1) if target > 0 else left
        size = int(min(left, block, max(math.ceil(wanted), first_round // 2, 1)))


def _check(budget: int, needed: int, rtol: float) -> None:
    if budget < needed:
        raise ValueError(f"the trace needs a budget of at least {needed} products; got {budget}")
    if not rtol >= 0:
        raise ValueError(f"rtol must be ≥ 0; got {rtol}")


def hutchinson_trace(operator: Any, *, generator: torch.Generator, rtol: float = 1e-2,
                     max_matvecs: int = 300, first_round: int = FIRST_ROUND, d: int | None = None,
                     device=None, progress: Callable[[int, int], None] | None = None,
                     block: int = MAX_ROUND) -> TraceResult:
    """tr(H) ≈ (1/n) Σ_i z_iᵀ H z_i with Rademacher z_i, stopped on stderr ≤ rtol·|estimate| or the budget."""
    _check(max_matvecs, 2, rtol)
    products = CountedProducts.of(operator, d, device)

    def forms(n: int) -> Tensor:
        return quadratic_forms(products, rademacher(products.d, n, generator, products.device))

    estimate, stderr, n, stopped = _adaptive_hutchinson(forms, 0.0, max_matvecs, rtol, first_round,
                                                        lambda: products.matvecs, progress, block)
    return TraceResult(estimate, stderr, "hutchinson", products.matvecs, stopped, n, 0, rtol)


def hutchpp_trace(operator: Any, *, generator: torch.Generator, rtol: float = 1e-2,
                  max_matvecs: int = 300, sketch: int | None = None, first_round: int = FIRST_ROUND,
                  d: int | None = None, device=None,
                  progress: Callable[[int, int], None] | None = None, block: int = MAX_ROUND) -> TraceResult:
    """tr(H) ≈ tr(Qᵀ H Q) + (1/n) Σ_i g_iᵀ (I−P) H (I−P) g_i (Hutch++, Meyer et al. 2021, Alg. 1).

    `sketch` s defaults to min(32, budget/6, d): 2s products for the sketch, the rest for probes.
    """
    products = CountedProducts.of(operator, d, device)
    s = min(sketch if sketch is not None else min(MAX_SKETCH, max(1, max_matvecs // 6)), products.d)
    _check(max_matvecs, 2 * s + (2 if s < products.d else 0), rtol)
    S = rademacher(products.d, s, generator, products.device)
    if block >= s:
        Q, _ = torch.linalg.qr(products(S))
        exact_part = float((Q * products(Q)).sum())
    else:
        Q, exact_part = _blocked_sketch(products, S, block)
        del S
    if Q.shape[1] >= products.d:  # the sketch spans the whole space: nothing left to estimate
        return TraceResult(exact_part, 0.0, "hutch++", products.matvecs, "stderr", 0, s, rtol)

    def forms(n: int) -> Tensor:
        g = rademacher(products.d, n, generator, products.device)
        return quadratic_forms(products, g - Q @ (Q.T @ g))

    estimate, stderr, n, stopped = _adaptive_hutchinson(forms, exact_part, max_matvecs, rtol, first_round,
                                                        lambda: products.matvecs, progress, block)
    return TraceResult(estimate, stderr, "hutch++", products.matvecs, stopped, n, s, rtol)


def _blocked_sketch(products: CountedProducts, S: Tensor, block: int) -> tuple[Tensor, float]:
    """Q = orth(H S) and tr(Qᵀ H Q), with products of `block` columns at a time."""
    Y = torch.empty(S.shape, dtype=torch.float64, device=S.device)
    for a in range(0, S.shape[1], block):
        Y[:, a : a + block] = products(S[:, a : a + block])
    Q, _ = torch.linalg.qr(Y)
    del Y
    exact_part = sum(float((Q[:, a : a + block] * products(Q[:, a : a + block])).sum())
                     for a in range(0, Q.shape[1], block))
    return Q, exact_part


def estimate_trace(operator: Any, method: str, **kwargs) -> TraceResult:
    """Dispatch on `method` ("hutch++" or "hutchinson")."""
    if method == "hutch++":
        return hutchpp_trace(operator, **kwargs)
    if method == "hutchinson":
        return hutchinson_trace(operator, **kwargs)
    raise ValueError(f"unknown trace method '{method}'; choose from {', '.join(TRACE_METHODS)}")


def exact_trace(eigenvalues: np.ndarray, matvecs: int) -> TraceResult:
    """tr(H) = Σ λ_i from the dense matrix's eigenvalues (small d): no probe noise, stderr 0."""
    return TraceResult(float(np.sum(eigenvalues)), 0.0, "exact", matvecs, "exact", 0, 0, None)
