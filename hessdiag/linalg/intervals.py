"""Interval statistics: typed estimates with their error, and intervals for ratios (Fieller).

- `Estimate` (estimate ± one standard error, with the method that produced it) and `Interval`
  ([lo, hi], either end possibly unknown) are the typed results the estimators return.
- `Z95` is the two-sided 95 % normal quantile, used wherever a standard error becomes an interval.
- `ratio_estimate`: a/b with first-order propagation of independent standard errors;
  `ratio_stderr`: the delta-method standard error of a ratio of correlated means.
- `fieller_interval`: confidence intervals for a ratio of two estimated quantities (Fieller's method).
- `wilson_interval`: the score interval of a proportion k/n (Wilson, 1927), for accuracies measured on
  few cases: the p with (k/n − p)² ≤ z² p(1 − p)/n, which stays inside [0, 1] and is not degenerate at
  k = 0 or k = n, unlike k/n ± z·√(p̂(1 − p̂)/n).

For estimates A and D of a numerator and a denominator that are jointly (asymptotically) normal with
variances v_A, v_D and covariance c, the Fieller set (Fieller, 1954) is

    { r : (A − r D)² ≤ z² (v_A − 2 r c + r² v_D) },

the values r for which A − rD is not significantly different from 0. It is a bounded interval
exactly when D is significantly different from zero (D² > z² v_D); otherwise it is unbounded, which
is the honest answer for η² = tr Σ/‖∇R‖² when the signal ‖∇R‖² cannot be told from noise (thesis
§4.3, Fig. 4.1: large noise-to-signal ratios are fundamentally hard to estimate). Unlike the
symmetric delta-method interval, it is exact-coverage for normal (A, D) and never crosses a pole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95 %


@dataclass(frozen=True)
class Estimate:
    """estimate ± stderr (one standard error; 0 when exact), and how it was obtained."""

    estimate: float
    stderr: float
    method: str

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "stderr": self.stderr, "method": self.method}

    def interval(self, z: float = Z95) -> "Interval":
        """[estimate − z·stderr, estimate + z·stderr]."""
        return Interval(self.estimate - z * self.stderr, self.estimate + z * self.stderr)


@dataclass(frozen=True)
class Interval:
    """A closed interval [lo, hi]; either end may be unknown (None)."""

    lo: float | None
    hi: float | None

    def above(self, threshold: float) -> bool:
        return self.lo is not None and self.lo > threshold

    def below(self, threshold: float) -> bool:
        return self.hi is not None and self.hi < threshold

    def as_list(self) -> list[float | None]:
        return [self.lo, self.hi]


def ratio_estimate(num: Estimate, den: Estimate) -> Estimate:
    """num/den with first-order propagation of independent standard errors."""
    if den.estimate == 0:
        return Estimate(math.nan, math.nan, "undefined: zero denominator")
    r = num.estimate / den.estimate
    se = math.hypot(num.stderr / den.estimate, r * den.stderr / den.estimate)
    return Estimate(r, se, "ratio, first-order error propagation")


@dataclass(frozen=True)
class RatioInterval:
    """A ratio estimate with its Fieller interval; `hi` is +inf when the interval is unbounded."""

    estimate: float | None
    lo: float
    hi: float
    bounded: bool

    def as_list(self) -> list[float | None]:
        return [self.lo, self.hi if math.isfinite(self.hi) else None]


def fieller_interval(a: float, d: float, var_a: float, var_d: float, cov: float, *, z: float = Z95,
                     nonnegative: bool = True) -> RatioInterval:
    """Fieller interval for a/d (clipped at 0 when the ratio is known to be non-negative).

    With zero variances the interval is the point a/d. When d ≤ 0 the point estimate is None (the
    ratio is unbounded there) and the interval is [lower bound, +inf); for a non-negative ratio with d
    significantly below 0 that lower bound is `floor` (the data bound nothing on the allowed side).
    """
    estimate = a / d if d > 0 else None
    floor = 0.0 if nonnegative else -math.inf
    z2 = z * z
    qa = d * d - z2 * var_d  # the set is {r : qa r² − 2 hb r + qc ≤ 0}
    hb = a * d - z2 * cov
    # (hb² − qa·qc), expanded so that no terms cancel when the variances are small or zero
    disc = z2 * (d * d * var_a - 2.0 * a * d * cov + a * a * var_d - z2 * (var_a * var_d - cov * cov))
    if qa > 0 and d < 0 and nonnegative:
        # D significantly negative although the ratio is known non-negative (a de-biased ‖∇R‖² on a
        # subset can fall below 0 by chance): the bounded Fieller set lies below 0 and says nothing
        # about the ratio; report it as not bounded (no finite upper end).
        return RatioInterval(None, floor, math.inf, False)
    if qa > 0:  # denominator significant: a bounded interval (a point when nothing varies)
        root = math.sqrt(max(disc, 0.0))
        return RatioInterval(estimate, max(floor, (hb - root) / qa), max(floor, (hb + root) / qa), True)
    # Denominator not significant: the set holds arbitrarily large ratios; it is the whole line
    # (disc ≤ 0) or the outside of two roots, of which only the part above `floor` counts.
    lower = floor
    if disc > 0 and qa < 0:
        root = math.sqrt(disc)
        r_low, r_high = sorted(((hb - root) / qa, (hb + root) / qa))
        if r_low < floor:
            lower = max(floor, r_high)
    return RatioInterval(estimate, lower, math.inf, False)


def ratio_stderr(a: float, d: float, var_a: float, var_d: float, cov: float) -> float:
    """Delta-method standard error of a/d: √(v_A − 2 r c + r² v_D)/|d| with r = a/d."""
    if d == 0:
        return math.inf
    r = a / d
    return math.sqrt(max(var_a - 2 * r * cov + r * r * var_d, 0.0)) / abs(d)


def wilson_interval(k: int, n: int, *, z: float = Z95) -> Interval:
    """Wilson's score interval for a proportion with k successes in n trials: the roots in p of
    (k/n − p)² = z² p(1 − p)/n,  p = (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
    Unknown (None, None) when n = 0."""
    if not 0 <= k <= n:
        raise ValueError(f"wilson_interval needs 0 <= k <= n, got k = {k}, n = {n}")
    if n == 0:
        return Interval(None, None)
    p, q = k / n, z * z / n
    centre = (p + q / 2) / (1 + q)
    half = z * math.sqrt(p * (1 - p) / n + q / (4 * n)) / (1 + q)
    return Interval(max(centre - half, 0.0), min(centre + half, 1.0))
