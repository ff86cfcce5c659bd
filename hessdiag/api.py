"""The Python API: `diagnose` for in-memory objects, `run` for settings (what the CLI calls),
`calibrate` for the thesis' grid of quadratics, and `write_reports`.

```python
import hessdiag
report = hessdiag.diagnose(model, (x, y), loss="ce", top_k=3)
report.spectrum.top.values[0].value, report.spectrum.L2.value, report.to_dict()
hessdiag.write_reports(report, json_path="r.json", html_path="r.html", png_dir="figs")
```
"""

from __future__ import annotations

from typing import Any, Callable

from torch import Tensor, nn

from .experiments.calibration import Calibration
from .experiments.calibration import calibrate as run_calibration
from .load import Settings, load_problem, make_settings, problem_from_objects
from .recommend.calibration import CalibrationCalls, calibration_calls
from .report.document import Report
from .report.outputs import write_outputs
from .sections import resolve_only
from .sections.run import diagnose_problem
from .work import ProgressFactory, Timer

__all__ = ["Report", "calibrate", "diagnose", "diagnose_problem", "run", "write_reports"]


def run(settings: Settings, progress: ProgressFactory | None = None,
        loaded: Callable[[], None] | None = None) -> Report:
    """Load the problem the settings describe and diagnose it; `loaded()` (if given) is called once
    the model and data are loaded, before any measurement (the CLI checks its output paths again)."""
    resolve_only(settings.only)  # an unknown section is refused before any work
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = load_problem(settings)
    if loaded is not None:
        loaded()
    return diagnose_problem(problem, settings, progress, timings)


def diagnose(model: nn.Module, data: tuple[Tensor, Tensor], loss: str, **settings: Any) -> Report:
    """Diagnose an in-memory model on data (x, y) with loss 'ce', 'mse' or 'bce'.

    Keyword arguments are the run settings (`top_k`, `tol`, `seed`, `samples`, `batch_size`, `dtype`,
    `device`, `only`, ...), as on the command line.
    """
    s = make_settings(loss=loss, **settings)
    resolve_only(s.only)
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = problem_from_objects(model, data[0], data[1], loss, samples=s.samples,
                                       batch_size=s.batch_size, seed=s.seed, dtype=s.dtype, device=s.device)
    return diagnose_problem(problem, s, None, timings)


def calibrate(dim: int = 10, reps: int = 20, seed: int = 0) -> tuple[Calibration, CalibrationCalls]:
    """The thesis' calibration grid (App. C.4) and the recommendation's call in every cell."""
    result = run_calibration(dim=dim, reps=reps, seed=seed)
    return result, calibration_calls(result)


def write_reports(report: Report, *, json_path: str | None = None, html_path: str | None = None,
                  png_dir: str | None = None) -> list:
    """Write the JSON, HTML and PNG reports the CLI writes (each atomically); returns the paths written."""
    return write_outputs(report, json_path=json_path, html_path=html_path, png_dir=png_dir)
