"""`hessdiag.Tracker`: the timeline of `hessdiag track`, recorded from inside a training loop.

```python
tracker = hessdiag.Tracker(model, (x, y), "mse", every=100, only="spectrum", lr=0.1, path="timeline.json")
for step in range(steps):
    ...                      # forward, backward, optimizer.step()
    tracker.step(step)       # every 100th step: diagnose a copy of the model at its current weights
tracker.close()              # marks the timeline complete
```

`step` diagnoses a deep copy of the model (`problem_from_objects`), so the model's weights, its
train/eval mode and its `.grad` are never touched; the optimizer is never seen; every random draw of
the diagnosis takes its own generator, and the global RNG (CPU and, for a CUDA model, CUDA) is
saved and restored around it all the same. The timeline is written atomically after each diagnosed
step, so a crash of the training run keeps every point recorded so far. Consecutive diagnoses are
warm-started from the previous point's Ritz vectors, as in `hessdiag track`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from .. import __version__
from ..load import make_settings, problem_from_objects
from ..report.atomic import write_atomic
from ..sections import resolve_only
from ..sections.run import diagnose_problem
from ..work import Timer
from .run import ritz_vectors, timeline_settings
from .schedule import learning_rates
from .timeline import Timeline, TrackPoint, point_from_report


def parameters_sha256(model: nn.Module) -> str:
    """sha256 over the model's state dict (names and raw bytes), the Tracker's stand-in for a checkpoint's hash."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode("utf-8"))
        data = tensor.detach().to("cpu").contiguous().reshape(-1)
        digest.update(data.view(torch.uint8).numpy().tobytes() if data.numel() else b"")
    return digest.hexdigest()


class Tracker:
    """Diagnose `model` on `data` = (x, y) with `loss` at every `every`-th step of a training loop.

    Keyword arguments are the run settings (`only`, `top_k`, `tol`, `max_matvecs`, `seed`, `samples`,
    `dtype`, ...), as for `hessdiag.diagnose`; `lr` is a number or a file of `STEP LR` lines (2/η is
    drawn beside λ_max); `path` is where the JSON timeline is (re)written after each diagnosed step.
    """

    def __init__(self, model: nn.Module, data: tuple[Tensor, Tensor], loss: str, *, every: int = 1,
                 lr: float | str | None = None, path: str | Path | None = None, warm_start: bool = True,
                 **settings: Any) -> None:
        if every < 1:
            from ..errors import ConfigError

            raise ConfigError(f"every must be at least 1; got {every}")
        self.model, self.data, self.loss, self.every = model, data, loss, every
        self.rates = learning_rates(lr)
        self.settings = timeline_settings(make_settings(loss=loss, **settings))
        resolve_only(self.settings.only)
        self.path = None if path is None else Path(path)
        self.warm_start = warm_start
        recorded = self.settings.recorded() | {"every": every, "warm_start": warm_start,
                                               "learning_rates": None if self.rates is None else self.rates.as_dict()}
        self.timeline = Timeline(__version__, f"Tracker({type(model).__name__})", recorded, complete=False)
        self._warm: dict[str, Tensor] | None = None

    def step(self, step: int) -> TrackPoint | None:
        """Diagnose the model at this training step if it is an `every`-th one; returns its point or None."""
        if step % self.every:
            return None
        devices = [torch.cuda.current_device()] if any(p.is_cuda for p in self.model.parameters()) else []
        with torch.random.fork_rng(devices=devices), torch.no_grad():
            point = self._diagnose(step)
        self.timeline.points.append(point)
        self.timeline.diagnosed += 1
        self._write()
        return point

    def _diagnose(self, step: int) -> TrackPoint:
        s, (x, y) = self.settings, self.data
        lr = s.lr if self.rates is None else self.rates.at(step)
        timings: dict[str, float] = {}
        with Timer(timings, "load"):
            problem = problem_from_objects(self.model, x, y, self.loss, samples=s.samples, batch_size=s.batch_size,
                                           seed=s.seed, dtype=s.dtype, device=s.device)
        settings = dataclasses.replace(s, lr=lr)
        warm = self._warm if self.warm_start else None
        with torch.enable_grad():
            report = diagnose_problem(problem, settings, None, timings, warm_start=warm)
        self._warm = ritz_vectors(report) or None
        self.timeline.warnings.extend(f"step {step}: {w}" for w in report.warnings)
        return point_from_report(report, step=step, checkpoint="(in memory)", sha256=parameters_sha256(self.model),
                                 step_source="tracker", warm_start=warm is not None, lr=lr)

    def _write(self) -> None:
        if self.path is not None:
            write_atomic(self.path, self.timeline.to_json())

    def close(self) -> Timeline:
        """Mark the timeline complete (and write it); returns it."""
        self.timeline.complete = True
        self._write()
        return self.timeline

    def __enter__(self) -> "Tracker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

