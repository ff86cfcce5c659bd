"""The exceptions hessdiag raises.

The library raises a `HessdiagError` (or a subclass) for every problem caused by the user's input:
files, models, data, configuration, unsupported layers or losses. The message is one line that says
what is wrong and, where possible, what to do. Only the command line turns these into an exit code and
a line on stderr; library code never prints or exits.
"""

from __future__ import annotations


class HessdiagError(Exception):
    """Base class of all errors caused by the user's input."""

    exit_code = 1


class InputFileError(HessdiagError):
    """A file is missing, truncated, corrupt, or not of the expected kind."""


class CheckpointError(HessdiagError):
    """A checkpoint cannot be loaded into the model (keys, shapes, pickled objects)."""


class ModelError(HessdiagError):
    """The model cannot be built, imported or evaluated."""


class DataError(HessdiagError):
    """The data are malformed or do not fit the model or the loss."""


class ConfigError(HessdiagError):
    """A configuration file or a setting is missing, malformed or inconsistent."""


class UnsupportedError(HessdiagError):
    """A layer, loss or feature is outside the explicit list hessdiag supports."""


class NonFiniteError(HessdiagError):
    """Weights, data or a computed quantity contain NaN or Inf."""


class MemoryBudgetError(HessdiagError):
    """The run needs more memory than `--memory` (or the machine) allows: planned before the work, or an
    allocation that failed during it. The message names what needed how much and the flags that reduce it."""


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, for one-line error reports."""
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line
    return type(exc).__name__


class UserCodeAbort(BaseException):
    """User code (a model or data factory, a forward, a data set) raised SystemExit, a KeyboardInterrupt
    that no signal caused, or another BaseException that is not an Exception.

    It stays a BaseException, like what it carries, so that no `except Exception` between the user's
    code and the command line (a fallback path, a retry) swallows or re-labels it; the command line
    turns it into exit 1 and its one-line message, never into exit 0.
    """

    exit_code = 1
