"""Import `package.module:factory` callables given on the command line or in a config file, and run
the user's code (factories, forwards, data sets) so that whatever it raises becomes one clear line.

`user_code(what)` wraps a call into the user's code: a `HessdiagError` passes; `SystemExit`, a
KeyboardInterrupt that no signal caused (`hessdiag.interrupts.from_signal`) and any other BaseException
become `UserCodeAbort` naming `what` (exit 1, never exit 0); other exceptions become a `ModelError`
naming `what`, or pass unchanged with `exceptions=False` (where the caller explains them itself).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..errors import ConfigError, HessdiagError, ModelError, UserCodeAbort, first_line
from ..interrupts import from_signal


def looks_like_factory(spec: str) -> bool:
    """`module:attr` with a dotted module path and an attribute name (no path separators)."""
    if spec.count(":") != 1 or "/" in spec or "\\" in spec:
        return False
    module, attr = spec.split(":")
    return bool(module) and bool(attr) and all(p.isidentifier() for p in module.split(".") + attr.split("."))


class user_code:  # noqa: N801 - used as a context manager, named like one
    """`with user_code("model factory 'pkg:make'"):` around a call into the user's code (see module doc)."""

    def __init__(self, what: str, *, exceptions: bool = True) -> None:
        self.what, self.exceptions = what, exceptions

    def __enter__(self) -> "user_code":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or isinstance(exc, (HessdiagError, UserCodeAbort)):
            return False
        if isinstance(exc, KeyboardInterrupt):
            if from_signal(exc):
                return False
            raise UserCodeAbort(f"{self.what} raised KeyboardInterrupt (no Ctrl-C was pressed); "
                                "no report was written") from None
        if isinstance(exc, SystemExit):
            raise UserCodeAbort(f"{self.what} called exit (SystemExit: {exc.code!r}) instead of returning; "
                                "no report was written") from None
        if isinstance(exc, Exception):
            if not self.exceptions:
                return False
            raise ModelError(f"{self.what} raised {type(exc).__name__}: {first_line(exc)}") from None
        raise UserCodeAbort(f"{self.what} raised {type(exc).__name__}: {first_line(exc)}; "
                            "no report was written") from None


def call_user(what: str, function: Callable[..., Any], *args: Any, exceptions: bool = False) -> Any:
    """`function(*args)` inside `user_code(what, exceptions=exceptions)`."""
    with user_code(what, exceptions=exceptions):
        return function(*args)


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


def module_files(spec: str, search_paths: Sequence[Path]) -> list[Path]:
    """The files behind a `module:attr` spec — the module's source and its packages' `__init__` files —
    found as the import would find them, without importing (executing) anything; [] if not found."""
    if not looks_like_factory(spec):
        return []
    parts = spec.split(":")[0].split(".")
    where: list[str] = [str(Path(p).resolve()) for p in search_paths] + list(sys.path)
    files = []
    for i in range(len(parts)):
        name = ".".join(parts[: i + 1])
        module = sys.modules.get(name)
        if module is not None:
            origin, locations = getattr(module, "__file__", None), getattr(module, "__path__", None)
        else:
            try:
                found = importlib.machinery.PathFinder.find_spec(name, where)
            except (ImportError, ValueError, OSError):
                found = None
            if found is None:
                break
            origin, locations = found.origin, found.submodule_search_locations
        if isinstance(origin, str) and Path(origin).is_file():
            files.append(Path(origin))
        if locations is None:
            break
        where = list(locations)
    return files


def resolve_factory(spec: str, search_paths: Sequence[Path], what: str) -> Callable[..., Any]:
    """The callable named by `module:attr`, importing `module` with `search_paths` importable."""
    if not looks_like_factory(spec):
        raise ConfigError(f"{what} '{spec}' is neither an existing file nor of the form package.module:factory")
    module_name, attr = spec.split(":")
    with _import_paths(search_paths):
        try:
            with user_code(f"importing module '{module_name}' for {what} '{spec}'", exceptions=False):
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
    """Call a user's zero-argument factory, turning whatever it raises into a one-line error."""
    with user_code(f"{what} factory '{spec}'"):
        return factory()
