"""hessdiag: curvature and gradient-noise diagnostics for PyTorch checkpoints.

Loads a model, its checkpoint and data, measures the Hessian spectrum, the geometry of sign descent
and gradient noise, and recommends an optimizer family. See SPEC.md for every quantity.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import HessdiagError

try:
    __version__ = version("hessdiag")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"

__all__ = ["HessdiagError", "__version__", "diagnose", "run", "write_reports"]


def __getattr__(name: str):
    """`hessdiag.diagnose`, `.run` and `.write_reports` without importing torch at `import hessdiag` time."""
    if name in ("diagnose", "run", "write_reports"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'hessdiag' has no attribute {name!r}")
