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

from typing import TYPE_CHECKING, Any, Callable

from torch import Tensor, nn

from .load import Inputs, Settings, load_problem, make_settings, problem_from_objects
from .report.document import Report
from .report.outputs import write_outputs
from .sections import resolve_only
from .sections.run import diagnose_problem
from .work import CostPlan, ProgressFactory, Timer

if TYPE_CHECKING:  # scipy.stats (the calibration grid) costs a second to import
    from .experiments.calibration import Calibration
    from .recommend.calibration import CalibrationCalls

__all__ = ["Report", "calibrate", "diagnose", "diagnose_problem", "run", "write_reports"]


def run(settings: Settings, progress: ProgressFactory | None = None,
        loaded: Callable[[], None] | None = None,
        on_plan: Callable[[CostPlan], None] | None = None) -> Report:
    """Load the problem the settings describe and diagnose it; `loaded()` (if given) is called once the
    model and data are loaded, before any measurement (the CLI checks its output paths again), and
    `on_plan` receives the cost plan before the work."""
    resolve_only(settings.only)  # an unknown section is refused before any work
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = load_problem(settings)
    if loaded is not None:
        loaded()
    return diagnose_problem(problem, settings, progress, timings, on_plan=on_plan)


def diagnose(model: nn.Module, data: tuple[Inputs, Tensor], loss: str, **settings: Any) -> Report:
    """Diagnose an in-memory model on data (x, y) with loss 'ce', 'mse', 'bce', 'token_ce' or 'next_token_ce'.

    `x` is a tensor or a mapping of tensors (passed to the model as keyword arguments). Keyword
    arguments are the run settings (`top_k`, `tol`, `seed`, `samples`, `batch_size`, `dtype`,
    `device`, `only`, `output`, `ignore_index`, `budget`, ...), as on the command line.
    """
    s = make_settings(loss=loss, **settings)
    resolve_only(s.only)
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = problem_from_objects(model, data[0], data[1], loss, samples=s.samples,
                                       batch_size=s.batch_size, seed=s.seed, dtype=s.dtype, device=s.device,
                                       output=s.output, ignore_index=s.ignore_index)
    return diagnose_problem(problem, s, None, timings)


def calibrate(dim: int = 10, reps: int = 20, seed: int = 0) -> tuple[Calibration, CalibrationCalls]:
    """The thesis' calibration grid (App. C.4) and the recommendation's call in every cell."""
    from .experiments.calibration import calibrate as run_calibration
    from .recommend.calibration import calibration_calls

    result = run_calibration(dim=dim, reps=reps, seed=seed)
    return result, calibration_calls(result)


def write_reports(report: Report, *, json_path: str | None = None, html_path: str | None = None,
                  png_dir: str | None = None) -> list:
    """Write the JSON, HTML and PNG reports the CLI writes (each atomically); returns the paths written."""
    return write_outputs(report, json_path=json_path, html_path=html_path, png_dir=png_dir)
