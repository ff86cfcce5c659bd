"""The Python API: `diagnose` for in-memory objects and `run` for settings (what the CLI calls).

```python
import hessdiag
report = hessdiag.diagnose(model, (x, y), loss="ce", top_k=3)
report.top.values[0].value, report.L2.value, report.to_dict()
hessdiag.write_reports(report, json_path="r.json", html_path="r.html", png_dir="figs")
```
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from .load import Settings, load_problem, make_settings, problem_from_objects
from .pipeline.context import ProgressFactory, Timer
from .pipeline.run import diagnose_problem
from .report.document import Report
from .report.outputs import write_outputs

__all__ = ["Report", "diagnose", "diagnose_problem", "run", "write_reports"]


def run(settings: Settings, progress: ProgressFactory | None = None) -> Report:
    """Load the problem the settings describe and diagnose it."""
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = load_problem(settings)
    return diagnose_problem(problem, settings, progress, timings)


def diagnose(model: nn.Module, data: tuple[Tensor, Tensor], loss: str, **settings: Any) -> Report:
    """Diagnose an in-memory model on data (x, y) with loss 'ce', 'mse' or 'bce'.

    Keyword arguments are the run settings (`top_k`, `tol`, `seed`, `samples`, `batch_size`, `dtype`,
    `device`, `only`, ...), as on the command line.
    """
    s = make_settings(loss=loss, **settings)
    timings: dict[str, float] = {}
    with Timer(timings, "load"):
        problem = problem_from_objects(model, data[0], data[1], loss, samples=s.samples,
                                       batch_size=s.batch_size, seed=s.seed, dtype=s.dtype, device=s.device)
    return diagnose_problem(problem, s, None, timings)


def write_reports(report: Report, *, json_path: str | None = None, html_path: str | None = None,
                  png_dir: str | None = None) -> list:
    """Write the JSON, HTML and PNG reports the CLI writes (each atomically); returns the paths written."""
    return write_outputs(report, json_path=json_path, html_path=html_path, png_dir=png_dir)
