"""Import `package.module:factory` callables given on the command line or in a config file."""

from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..errors import ConfigError, ModelError, first_line


def looks_like_factory(spec: str) -> bool:
    """`module:attr` with a dotted module path and an attribute name (no path separators)."""
    if spec.count(":") != 1 or "/" in spec or "\\" in spec:
        return False
    module, attr = spec.split(":")
    return bool(module) and bool(attr) and all(p.isidentifier() for p in module.split(".") + attr.split("."))


@contextlib.contextmanager
def _import_paths(paths: Sequence[Path]) -> Iterator[None]:
    """Make `paths` importable for the duration of an import, then restore sys.path."""
    added = [str(Path(p).resolve()) for p in paths if str(Path(p).resolve()) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for p in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(p)


def resolve_factory(spec: str, search_paths: Sequence[Path], what: str) -> Callable[..., Any]:
    """The callable named by `module:attr`, importing `module` with `search_paths` importable."""
    if not looks_like_factory(spec):
        raise ConfigError(f"{what} '{spec}' is neither an existing file nor of the form package.module:factory")
    module_name, attr = spec.split(":")
    with _import_paths(search_paths):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise ModelError(f"cannot import module '{module_name}' for {what} '{spec}': {first_line(exc)}") from None
        except Exception as exc:  # the user's module raised while importing
            raise ModelError(
                f"importing module '{module_name}' for {what} '{spec}' failed: "
                f"{type(exc).__name__}: {first_line(exc)}"
            ) from None
    target: Any = module
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ModelError(f"module '{module_name}' has no attribute '{attr}' (from {what} '{spec}')")
        target = getattr(target, part)
    if not callable(target):
        raise ModelError(f"'{spec}' is not callable; {what} must name a zero-argument factory")
    return target


def call_factory(factory: Callable[[], Any], spec: str, what: str) -> Any:
    """Call a user's zero-argument factory, turning its exceptions into a one-line error."""
    try:
        return factory()
    except Exception as exc:
        raise ModelError(f"{what} factory '{spec}' raised {type(exc).__name__}: {first_line(exc)}") from None
