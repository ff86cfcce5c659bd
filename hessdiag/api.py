"""The Python API: `diagnose` for in-memory objects and `run` for settings (what the CLI calls).

```python
import hessdiag
report = hessdiag.diagnose(model, (x, y), loss="ce", top_k=3)
report.top.values[0].value, report.L2.value, report.to_dict()
```
"""

from __future__ import annotations

import time
from typing import Any, Callable

from torch import Tensor, nn

from . import __version__
from .estimators.extremes import spectral_norm
from .estimators.lanczos import lanczos_bottom_eigenvalues, lanczos_top_eigenvalues
from .load import Problem, Settings, load_problem, make_settings, problem_from_objects
from .operators import HessianOperator, loss_and_gradient
from .report.document import ProblemInfo, Report
from .rng import generator

ProgressFactory = Callable[[str, int], Callable[[int, int], None]]

NOT_YET = {"html": "--html", "png_dir": "--png-dir", "fail_if": "--fail-if"}
NOT_YET_SECTIONS = ("geometry", "noise", "fisher")


class _Timer:
    def __init__(self, timings: dict[str, float], name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: Any) -> None:
        self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - self.start


def diagnose_problem(problem: Problem, settings: Settings, progress: ProgressFactory | None = None,
                     timings: dict[str, float] | None = None) -> Report:
    """Measure every requested section on a loaded problem and return the report."""
    timings = {} if timings is None else timings
    warnings = list(problem.warnings)
    with _Timer(timings, "gradient"):
        loss_value, _gradient = loss_and_gradient(problem)
    report = Report(
        hessdiag_version=__version__,
        problem=ProblemInfo(d=problem.d, n_samples=problem.n_samples, loss=problem.loss.name,
                            loss_value=loss_value, model=problem.model_description,
                            dtype=str(problem.dtype).replace("torch.", ""), device=str(problem.device),
                            mode=problem.mode),
        settings=settings.recorded(),
        timings=timings,
        warnings=warnings,
    )
    for key, flag in NOT_YET.items():
        if getattr(settings, key):
            warnings.append(f"{flag} is accepted but not implemented yet in this version; ignored")
    skipped = [s for s in settings.only if s in NOT_YET_SECTIONS]
    if skipped:
        warnings.append(f"section(s) {', '.join(skipped)} not implemented yet in this version; skipped")
    if "spectrum" in settings.only:
        hessian = HessianOperator(problem, mode=settings.hvp)
        report.settings["hvp_mode_used"] = hessian.mode
        tick = progress("Lanczos top-k", settings.max_matvecs) if progress else None
        with _Timer(timings, "eigenvalues"):
            report.top = lanczos_top_eigenvalues(hessian, settings.top_k, tol=settings.tol,
                                                 max_matvecs=settings.max_matvecs,
                                                 generator=generator(settings.seed, "lanczos-top"),
                                                 progress=tick)
        tick = progress("Lanczos bottom-k", settings.max_matvecs) if progress else None
        with _Timer(timings, "eigenvalues_bottom"):
            report.bottom = lanczos_bottom_eigenvalues(hessian, settings.top_k, tol=settings.tol,
                                                       max_matvecs=settings.max_matvecs,
                                                       generator=generator(settings.seed, "lanczos-bottom"),
                                                       progress=tick)
        report.L2 = spectral_norm(report.top, report.bottom)
        for name, result in (("top", report.top), ("bottom", report.bottom)):
            if not result.converged:
                warnings.append(
                    f"Lanczos {name}-k did not reach tol {settings.tol:g} within {result.matvecs} products; "
                    "the residual bars are still valid bounds"
                )
    return report


def run(settings: Settings, progress: ProgressFactory | None = None) -> Report:
    """Load the problem the settings describe and diagnose it."""
    timings: dict[str, float] = {}
    with _Timer(timings, "load"):
        problem = load_problem(settings)
    return diagnose_problem(problem, settings, progress, timings)


def diagnose(model: nn.Module, data: tuple[Tensor, Tensor], loss: str, **settings: Any) -> Report:
    """Diagnose an in-memory model on data (x, y) with loss 'ce', 'mse' or 'bce'.

    Keyword arguments are the run settings (`top_k`, `tol`, `seed`, `samples`, `batch_size`, `dtype`,
    `device`, `only`, ...), as on the command line.
    """
    s = make_settings(loss=loss, **settings)
    timings: dict[str, float] = {}
    with _Timer(timings, "load"):
        problem = problem_from_objects(model, data[0], data[1], loss, samples=s.samples,
                                       batch_size=s.batch_size, seed=s.seed, dtype=s.dtype, device=s.device)
    return diagnose_problem(problem, s, None, timings)
