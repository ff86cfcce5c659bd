"""The recommendation (SPEC §7): pure functions from `Measurements` to a call with its evidence.

The call forecasts which family trains this model better under tuned training. It is made by a rule
chosen and scored on the benchmark of tuned runs (scripts/bench_recommendation.py): a logistic score
over a few features (`rule.py`, coefficients with their provenance in `coefficients.py`), which is
`inconclusive` when the evidence is balanced or its intervals straddle the decision, and always when the rule's
nested balanced accuracy on the benchmark is not above a constant answer's (`BenchmarkScore.skilful`). R(θ), the
thesis' local one-step guarantee (Eq. 6.30), stays in the evidence as the statement it is; it no
longer makes the call by itself (on the benchmark it did not predict tuned training well enough).
At a stationary point (‖∇R‖ at rounding level) the gradient-based features are dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..experiments.race import THRESHOLD
from ..linalg.intervals import Interval
from .advice import ef_warning, race_unread, variance_adaptation_advice, what_would_settle
from .benchmark_score import CONSTANT_BALANCED_ACCURACY
from .coefficients import RACE_TIEBREAK, rule_for
from .evidence import COIN_FLIP_HIGH, Evidence, gather_evidence
from .features import features
from .measurements import Measurements
from .rule import LogisticRule, RuleOutcome, apply

SIGN, EUCLIDEAN, INCONCLUSIVE, NEITHER = "sign", "euclidean", "inconclusive", "neither"
RACE_DECISIVE = math.log10(THRESHOLD)  # the benchmark's threshold for a clear winner, on the log10 ratio


@dataclass
class Recommendation:
    call: str
    summary: str
    evidence: list[Evidence]
    settle: str | None
    variance_adaptation: dict[str, Any]
    ef_warning: dict[str, Any] | None
    step_sizes: dict[str, float | None]
    batch_size: dict[str, float | None]
    race: dict[str, Any] | None = None
    caveats: list[str] = field(default_factory=list)
    features: dict[str, Any] = field(default_factory=dict)
    stationarity: dict[str, Any] | None = None
    rule: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "call": self.call, "summary": self.summary, "rule": self.rule,
            "evidence": [e.as_dict() for e in self.evidence],
            "settle": self.settle, "variance_adaptation": self.variance_adaptation,
            "ef_warning": self.ef_warning, "step_sizes": self.step_sizes, "batch_size": self.batch_size,
            "race": self.race, "caveats": list(self.caveats), "stationarity": self.stationarity,
            "features": {k: (None if v is None else v.as_dict()) for k, v in self.features.items()},
        }


def call_from_ratio(ratio: Interval | None) -> str:
    """The local statement of R alone: sign if R > 1 throughout its interval, euclidean if R < 1, else
    inconclusive (the calibration grid shows how often it picks the winner of a race)."""
    if ratio is None:
        return INCONCLUSIVE
    if ratio.above(1.0):
        return SIGN
    if ratio.below(1.0):
        return EUCLIDEAN
    return INCONCLUSIVE


def rule_json(rule: LogisticRule, outcome: RuleOutcome) -> dict[str, Any]:
    """What the report states about the rule: its form, today's score with its interval, its accuracy."""
    return {"name": rule.name, "description": rule.describe(), "margin": rule.margin,
            "terms": [{"feature": t.feature, "weight": t.weight, "mean": t.mean, "scale": t.scale,
                       "contribution": outcome.contributions.get(t.feature),
                       "fitted_range": list(t.seen) if t.seen is not None else None,
                       "outside_fitted_range": t.feature in outcome.outside} for t in rule.terms],
            "intercept": rule.intercept, "score": outcome.score, "score_interval": list(outcome.interval),
            "probability_sign": outcome.probability, "missing": list(outcome.missing),
            "benchmark": rule.provenance.as_dict()}


def _summary(call: str, rule: LogisticRule, outcome: RuleOutcome) -> str:
    b = rule.provenance
    lo, hi = b.accuracy_clear_interval.as_list()
    acc = (f"cross-validated on the benchmark: {100 * b.accuracy_clear:.0f} % right on {b.clear_cases} cases with a "
           f"clear winner, 95 % interval {100 * lo:.0f}–{100 * hi:.0f} %, where always sign-based is "
           f"{100 * b.constant_sign_accuracy:.0f} %; {100 * (b.wrong_conclusive or 0):.0f} % of conclusive calls wrong")
    if outcome.missing:
        return (f"Inconclusive: the rule reads {', '.join(outcome.missing)}, which this run did not measure "
                f"(a section left out by --only, or a measurement that failed) ({acc}).")
    lo, hi = outcome.interval
    score = f"score {outcome.score:+.2f} ∈ [{lo:+.2f}, {hi:+.2f}], margin ±{rule.margin:g}"
    if not b.skilful:
        return (f"Inconclusive: the rule for this run (on {', '.join(t.feature for t in rule.terms)}) forecast "
                f"tuned training no better than a constant answer on the benchmark (balanced accuracy "
                f"{100 * b.balanced_accuracy:.0f} %, a constant's is {100 * CONSTANT_BALANCED_ACCURACY:.0f} %), so its "
                f"{score} makes no call ({acc}).")
    if call == SIGN:
        return f"Sign-based (Adam family) is forecast to train better: {score} ({acc})."
    if call == EUCLIDEAN:
        return f"Euclidean (SGD, momentum) is forecast to train better: {score} ({acc})."
    return f"The evidence does not separate the families: {score} ({acc})."


def _extrapolation(rule: LogisticRule, feats: dict, outcome: RuleOutcome) -> list[str]:
    """A caveat per feature of the rule whose value lies outside the range the rule was fitted on."""
    clear = rule.provenance.clear_cases
    return [f"{t.feature} = {feats[t.feature].value:.3g} lies outside the range the rule was fitted on "
            f"({t.seen[0]:.3g} to {t.seen[1]:.3g} over the benchmark's {clear} clear cases): the score "
            "extrapolates, and the benchmark accuracy stated was not measured on such values"
            for t in rule.terms if t.feature in outcome.outside]


def _against_constant(rule: LogisticRule) -> list[str]:
    """A caveat when, on the benchmark, the rule was right on fewer clear cases than "always sign-based"."""
    b = rule.provenance
    if b.better_than_constant >= b.worse_than_constant:
        return []
    sign, euclidean = b.cases_of("sign"), b.cases_of("euclidean")
    return [f"on the benchmark this rule was right on fewer clear cases than always answering sign-based "
            f"({b.right} against {sign} of {b.clear_cases}): of the {euclidean} cases where Euclidean trained "
            f"better it calls {b.better_than_constant} right, all of which that constant misses; of the {sign} "
            f"where sign-based did it misses {b.worse_than_constant}"]


def recommend(m: Measurements) -> Recommendation:
    """The call, its evidence, and the advice that goes with it."""
    feats = features(m)
    rule = rule_for(feats, m.stationary)
    outcome = apply(rule, feats)
    call = outcome.call if rule.provenance.skilful else INCONCLUSIVE
    race = feats.get("log_race_ratio")
    tiebreak = RACE_TIEBREAK and call == INCONCLUSIVE and race is not None and abs(race.value) >= RACE_DECISIVE
    if tiebreak:
        call = SIGN if race.value > 0 else EUCLIDEAN
    caveats = []
    if m.coin_flip_share is not None and m.coin_flip_share > COIN_FLIP_HIGH:
        at = f" at batch size {m.reference_batch}" if m.reference_batch else ""
        caveats.append(f"{m.coin_flip_share:.0%} of coordinates have a stochastic sign{at} close to a coin flip: "
                       "sign-based steps need larger batches or variance adaptation")
    unread = race_unread(m)
    if unread:
        caveats.append(unread)
    if m.stationary:
        caveats.append("stationary point: ‖∇R‖ is at rounding level, so the gradient-based evidence (R, φ, η², "
                       "one-step ratios) compares rounding noise and the rule ignores it")
    caveats.extend(_extrapolation(rule, feats, outcome))
    caveats.extend(_against_constant(rule))
    local = call_from_ratio(m.improvement_ratio)
    if local != INCONCLUSIVE and call != INCONCLUSIVE and local != call:
        caveats.append(f"R(θ), the local one-step guarantee, points the other way ({local}); on the benchmark "
                       "the one-step statement alone did not predict tuned training")
    summary = _summary(call, rule, outcome)
    if tiebreak:
        summary += f" The rule was inconclusive; the tuned race (loss ratio {10 ** race.value:.3g}) settles it."
    return Recommendation(
        call=call, summary=summary, evidence=gather_evidence(m, outcome),
        settle=what_would_settle(m, rule, outcome) if call == INCONCLUSIVE else None,
        variance_adaptation=variance_adaptation_advice(m), ef_warning=ef_warning(m),
        step_sizes=dict(m.step_sizes), batch_size={"m_star": m.m_star, "cabs": m.cabs}, caveats=caveats,
        features=feats, rule={**rule_json(rule, outcome), "race_tiebreak": RACE_TIEBREAK, "settled_by_race": tiebreak},
    )
