"""The learning rate η at each step, for the edge of stability 2/η: one number, or a per-step file.

A learning-rate file has one `STEP LR` pair a line (whitespace or a comma between them; `#` starts a
comment). The rate at step s is the one of the largest listed step ≤ s (piecewise constant, as
schedulers step), and the first one before the first listed step.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError


@dataclass(frozen=True)
class LearningRates:
    steps: tuple[int, ...]
    rates: tuple[float, ...]
    source: str

    def at(self, step: int) -> float:
        i = bisect.bisect_right(self.steps, step) - 1
        return self.rates[max(i, 0)]

    def as_dict(self) -> dict:
        return {"source": self.source, "steps": list(self.steps), "rates": list(self.rates)}


def _rate(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{where}: '{text}' is not a number") from None
    if not 0 < value < math.inf:
        raise ConfigError(f"{where}: the learning rate must be positive and finite; got {text}")
    return value


def learning_rates(spec: str | float | None) -> LearningRates | None:
    """`--lr`: a positive number (constant η) or the path of a learning-rate file; None when not given."""
    if spec is None:
        return None
    if isinstance(spec, (int, float)):
        return LearningRates((0,), (_rate(str(spec), "--lr"),), "constant")
    path = Path(spec)
    if not path.is_file():
        return LearningRates((0,), (_rate(spec, "--lr (a number or a learning-rate file)"),), "constant")
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].replace(",", " ").strip()
        if not line:
            continue
        fields = line.split()
        where = f"learning-rate file '{path}', line {number}"
        if len(fields) != 2 or not fields[0].lstrip("-").isdigit():
            raise ConfigError(f"{where}: expected 'STEP LR'; got '{line}'")
        pairs.append((int(fields[0]), _rate(fields[1], where)))
    if not pairs:
        raise ConfigError(f"learning-rate file '{path}' lists no 'STEP LR' pairs")
    pairs.sort()
    return LearningRates(tuple(s for s, _ in pairs), tuple(r for _, r in pairs), str(path))
