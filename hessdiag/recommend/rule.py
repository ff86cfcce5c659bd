"""The rule that makes the call: a logistic score over a few features, chosen and scored on the benchmark.

    s = b + Σ_j w_j z_j,   z_j = (x_j − mean_j) / scale_j,

with x_j the features of `features.py` (log10 ratios mostly) and (w, b, mean, scale, margin μ) fitted
by scripts/recommendation_bench (rule_fit.py: logistic regression of "the sign family wins" on the
benchmark's clear cases). The call is `sign` when the whole score interval lies above μ, `euclidean`
when it lies below −μ, `inconclusive` otherwise — the score interval pushes every feature's interval
through the (monotone in each feature) linear score, so uncertain evidence widens it, and
`inconclusive` also covers evidence that disagrees (terms of opposite sign that cancel to |s| ≤ μ).
A missing feature is imputed at the benchmark mean (z = 0: it pushes neither way) for the score, is
named, and makes the call `inconclusive` (the rule has not got the evidence it was fitted on). A feature
outside the range the rule was fitted on (`Term.seen`) is named too: the call stands, with a caveat that
the score extrapolates beyond the benchmark.

Each rule carries its provenance (`benchmark_score.BenchmarkScore`): the date it was fitted, the benchmark
version (ground-truth settings hash, evidence and race-study versions), and the counts of the NESTED
leave-one-kind-out cross-validated calls of the selection procedure that produced it, with the constant
"always sign-based" answer beside them; the report states them next to the call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .benchmark_score import BenchmarkScore
from .features import Feature


@dataclass(frozen=True)
class Term:
    feature: str
    weight: float
    mean: float
    scale: float
    # the feature's smallest and largest value on the benchmark's clear cases the rule was fitted on: outside
    # it the score extrapolates, and the rule's measured accuracy was not measured there
    seen: tuple[float, float] | None = None

    def outside(self, value: float) -> bool:
        """Whether `value` lies outside the range the rule was fitted on."""
        return self.seen is not None and not self.seen[0] <= value <= self.seen[1]


@dataclass(frozen=True)
class LogisticRule:
    name: str
    intercept: float
    terms: tuple[Term, ...]
    margin: float
    provenance: BenchmarkScore

    def describe(self) -> str:
        parts = " ".join(f"{'+' if t.weight >= 0 else '−'} {abs(t.weight):.3g}·z({t.feature})" for t in self.terms)
        below = f"−{self.margin:g}" if self.margin else "0"
        return (f"s = {self.intercept:.3g} {parts}, z = (x − benchmark mean)/benchmark sd; sign if the score "
                f"interval lies above {self.margin:g}, euclidean if below {below}, else inconclusive")


@dataclass
class RuleOutcome:
    call: str
    score: float
    interval: tuple[float, float]
    contributions: dict[str, float]  # w_j z_j at the feature values
    missing: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # features beyond the range the rule was fitted on

    @property
    def probability(self) -> float:
        """The fitted logistic probability that the sign family wins, 1/(1 + e^{−s})."""
        return 1.0 / (1.0 + math.exp(-max(min(self.score, 50.0), -50.0)))


def apply(rule: LogisticRule, feats: dict[str, Feature | None]) -> RuleOutcome:
    """The rule's call on these features (see the module docstring)."""
    score = low = high = rule.intercept
    contributions, missing, outside = {}, [], []
    for t in rule.terms:
        f = feats.get(t.feature)
        if f is None:
            missing.append(t.feature)
            contributions[t.feature] = 0.0
            continue
        if t.outside(f.value):
            outside.append(t.feature)
        z = [(x - t.mean) / t.scale for x in (f.value, f.lo, f.hi)]
        z = [max(min(v, 50.0), -50.0) for v in z]  # an unbounded end counts as far out, not infinite
        terms = [t.weight * v for v in z]
        contributions[t.feature] = terms[0]
        score += terms[0]
        low += min(terms[1:])
        high += max(terms[1:])
    low, high = min(low, score), max(high, score)
    call = "sign" if low > rule.margin else "euclidean" if high < -rule.margin else "inconclusive"
    if missing:
        call = "inconclusive"
    return RuleOutcome(call, score, (low, high), contributions, missing, outside)
