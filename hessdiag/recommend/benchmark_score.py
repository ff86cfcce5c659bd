"""How a rule's calls matched tuned training on the benchmark, scored as a forecaster would.

The facts are counts: the confusion table of the rule's NESTED cross-validated calls (truth sign,
euclidean or tie × call sign, euclidean or inconclusive; scripts/recommendation_bench) and the accuracy
against each seed's own label. Every share the report states is derived here, so a figure and its
count cannot disagree:

- accuracy on the clear cases (truth sign or euclidean), right/clear, with Wilson's 95 % interval
  (`linalg.intervals.wilson_interval`: the benchmark is small, and the interval says how small);
- per-class recall and balanced accuracy (their mean), wrong conclusive calls, the inconclusive share;
- the constant answer "always sign-based" on the same cases (on small problems Adam often wins, so it is
  the baseline to beat): its accuracy is the share of sign cases, its balanced accuracy ½ (a rule at or below
  that is not `skilful`, and makes no call); and the paired
  comparison, clear cases this rule gets right that the constant gets wrong (`better`) and the reverse
  (`worse`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..linalg.intervals import Interval, wilson_interval

CLEAR = ("sign", "euclidean")
TRUTHS = (*CLEAR, "tie")
CALLS = (*CLEAR, "inconclusive")
CONSTANT_BALANCED_ACCURACY = 0.5  # any constant answer: recall 1 on one class, 0 on the other


@dataclass(frozen=True)
class BenchmarkScore:
    fitted: str  # the date the rule was fitted
    benchmark: str  # ground-truth settings hash, evidence and race-study versions
    kinds: int
    cross_validation: str
    confusion: Mapping[str, Mapping[str, int]]  # cases by truth, then by the rule's call
    per_seed_accuracy_clear: tuple[float, ...]  # accuracy on the cases clear under each seed's own label

    def __post_init__(self) -> None:
        if set(self.confusion) != set(TRUTHS) or any(set(row) != set(CALLS) for row in self.confusion.values()):
            raise ValueError(f"confusion needs rows {TRUTHS} and columns {CALLS}")
        if any(self.cases_of(t) == 0 for t in CLEAR):
            raise ValueError("a benchmark score needs cases of both clear classes (recall and balanced accuracy)")

    def cases_of(self, truth: str) -> int:
        """The benchmark's cases of one truth (`sign`, `euclidean` or `tie`): a row of the confusion table."""
        return sum(self.confusion[truth].values())

    @property
    def cases(self) -> int:
        return sum(self.cases_of(t) for t in TRUTHS)

    @property
    def clear_cases(self) -> int:
        return sum(self.cases_of(t) for t in CLEAR)

    @property
    def right(self) -> int:
        return sum(self.confusion[t][t] for t in CLEAR)

    @property
    def wrong(self) -> int:
        return self.confusion["sign"]["euclidean"] + self.confusion["euclidean"]["sign"]

    @property
    def accuracy_clear(self) -> float:
        return self.right / self.clear_cases

    @property
    def accuracy_clear_interval(self) -> Interval:
        """Wilson's 95 % interval of the accuracy on the clear cases."""
        return wilson_interval(self.right, self.clear_cases)

    @property
    def wrong_conclusive(self) -> float | None:
        return self.wrong / (self.right + self.wrong) if self.right + self.wrong else None

    @property
    def inconclusive_share(self) -> float:
        return sum(self.confusion[t]["inconclusive"] for t in TRUTHS) / self.cases

    def recall(self, truth: str) -> float:
        return self.confusion[truth][truth] / self.cases_of(truth)

    @property
    def balanced_accuracy(self) -> float:
        return sum(self.recall(t) for t in CLEAR) / len(CLEAR)

    @property
    def skilful(self) -> bool:
        """Whether the rule forecast better than any constant answer: nested balanced accuracy above ½. A rule
        that did not has shown no skill, and the recommendation makes no call from it."""
        return self.balanced_accuracy > CONSTANT_BALANCED_ACCURACY

    @property
    def constant_sign_accuracy(self) -> float:
        """Accuracy of "always sign-based" on the clear cases: the share of them the sign family won."""
        return self.cases_of("sign") / self.clear_cases

    @property
    def better_than_constant(self) -> int:
        """Clear cases this rule calls right and "always sign-based" calls wrong: euclidean cases called so."""
        return self.confusion["euclidean"]["euclidean"]

    @property
    def worse_than_constant(self) -> int:
        """Clear cases "always sign-based" calls right and this rule does not: sign cases not called sign."""
        return self.cases_of("sign") - self.confusion["sign"]["sign"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "fitted": self.fitted, "benchmark": self.benchmark, "cases": self.cases, "kinds": self.kinds,
            "clear_cases": self.clear_cases, "cross_validation": self.cross_validation,
            "right_clear": self.right, "accuracy_clear": self.accuracy_clear,
            "accuracy_clear_interval": self.accuracy_clear_interval.as_list(),
            "wrong_conclusive": self.wrong_conclusive,
            "inconclusive_share": self.inconclusive_share, "recall_sign": self.recall("sign"),
            "recall_euclidean": self.recall("euclidean"), "balanced_accuracy": self.balanced_accuracy,
            "per_seed_accuracy_clear": list(self.per_seed_accuracy_clear),
            "confusion": {t: dict(self.confusion[t]) for t in TRUTHS},
            "constant_sign": {"accuracy_clear": self.constant_sign_accuracy,
                              "balanced_accuracy": CONSTANT_BALANCED_ACCURACY,
                              "rule_better": self.better_than_constant,
                              "rule_worse": self.worse_than_constant},
        }
