"""hessdiag: curvature and gradient-noise diagnostics for PyTorch checkpoints.

Loads a model, its checkpoint and data, measures the Hessian spectrum, the geometry of sign descent
and gradient noise, and recommends an optimizer family. README.md ('What it measures') names every
quantity; `hessdiag schema` prints the JSON report's schema.

The public names, by role (heavy modules load on first use, not at `import hessdiag`):
- run a diagnosis: `diagnose` (a model and tensors in memory), `run` (settings, as the CLI does),
  `make_settings`, `calibrate` (the thesis' grid of quadratics);
- read and write its results: `Report`, `write_reports`;
- a training run: `Tracker` (inside a loop; `hessdiag track` for saved checkpoints);
- errors: `HessdiagError`;
- the version: `__version__`.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import HessdiagError

try:
    __version__ = version("hessdiag")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"

__all__ = [
    # run a diagnosis
    "diagnose", "run", "make_settings", "calibrate",
    # read and write its results
    "Report", "write_reports",
    # a training run
    "Tracker",
    # errors and version
    "HessdiagError", "__version__",
]

_LAZY = {"diagnose": "api", "run": "api", "calibrate": "api", "write_reports": "api", "Report": "api",
         "make_settings": "load", "Tracker": "track"}
# subpackages reachable as attributes after a plain `import hessdiag` (`hessdiag.linalg.lanczos_top_eigenvalues`)
_SUBPACKAGES = {"api", "distributed", "estimators", "experiments", "linalg", "load", "operators", "recommend",
                "report", "sections", "track", "work"}


def __getattr__(name: str):
    """The heavy names and subpackages without importing torch at `import hessdiag` time."""
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hessdiag' has no attribute {name!r}")
