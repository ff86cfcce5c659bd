"""How a command of the command line ends: every error, exit of user code and signal becomes one line
on stderr and an exit code (`guarded`). A `HessdiagError` exits 1 (or its own code), `--fail-if` 3, a
signal 128 + its number (Ctrl-C 130); under torchrun every rank agrees on the code and rank 0 alone prints.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from typing import Callable

import typer

from . import interrupts
from .errors import HessdiagError, UserCodeAbort, first_line
from .interrupts import Signals

EXIT_BAD_INPUT, EXIT_FAIL_IF, EXIT_INTERRUPTED = 1, 3, 130


_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def one_line(text: str) -> str:
    """`text` with control characters escaped (a newline in a path as \\n, ESC as \\x1b), so that
    an error is one line on any terminal and cannot move the cursor or recolour it."""
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ord(ch) in _BIDI:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _say(message: str) -> None:
    sys.stderr.write(f"hessdiag: error: {one_line(message)}\n")
    sys.stderr.flush()


def _conclude(code: int, message: str | None) -> int:
    """The exit code all ranks of a launched run agree on (`hessdiag.distributed.conclude`: the first
    failure wins, rank 0 alone prints it); in a single process, `message` printed and `code` itself."""
    if int(os.environ.get("WORLD_SIZE", "1") or 1) > 1:
        from . import distributed

        return distributed.conclude(code, message, _say)
    if message is not None:
        _say(message)
    return code


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    return typer.Exit(_conclude(code, message))


def _message(exc: BaseException) -> str:
    """A HessdiagError's message whole (one line by contract; a newline in it comes from a path or a
    value and is escaped, not cut); the first line of anything else."""
    if isinstance(exc, (HessdiagError, UserCodeAbort)):
        return str(exc).strip() or type(exc).__name__
    return first_line(exc)


def _outcome(exc: BaseException, signals: Signals) -> typer.Exit:
    """The exit for an exception that ended a command: one line on stderr and the exit code."""
    if signals.first is not None:  # a signal came first: whatever followed, the run was interrupted
        signals.reported = True
        return _fail(signals.message(), signals.exit_code)
    if isinstance(exc, (HessdiagError, UserCodeAbort)):
        return _fail(_message(exc), exc.exit_code)
    if isinstance(exc, SystemExit):  # user code outside the wrappers of hessdiag.load.factory (a hook)
        return _fail(f"Python code that is not hessdiag's called exit (SystemExit: {exc.code!r}) during the run; "
                     "no report was written")
    if isinstance(exc, KeyboardInterrupt):  # raised, not signalled: every signal raises Interrupted
        return _fail("Python code that is not hessdiag's raised KeyboardInterrupt (no Ctrl-C was pressed); "
                     "no report was written")
    from .work.memory import REDUCE
    from .work.out_of_memory import is_out_of_memory

    if is_out_of_memory(exc):  # outside the sections' work (loading, rendering): no plan to name
        return _fail(f"out of memory ({type(exc).__name__}: {first_line(exc)}); reduce with {REDUCE}")
    if isinstance(exc, OSError):  # a file-system failure no check foresaw (the checks name the common ones)
        return _fail(first_line(exc))
    if isinstance(exc, Exception):  # a bug of ours: one line, the traceback only when asked for
        return _fail(f"internal error ({type(exc).__name__}: {first_line(exc)}); please report it, with the "
                     "traceback that HESSDIAG_TRACEBACK=1 shows")
    return _fail(f"Python code that is not hessdiag's raised {type(exc).__name__}: {first_line(exc)}; "
                 "no report was written")


def guarded(body: Callable[[Signals], int | None]) -> None:
    """Run a command body; map errors, exits of user code and signals to exit codes with one stderr line.

    A signal (SIGINT, SIGTERM) ends the run with 128 + its number and a line that says which report
    files are on disk; a second one is absorbed (`hessdiag.interrupts`).
    """
    with interrupts.session() as signals:
        try:
            try:
                signals.check()  # a signal while the command line was parsed
                code = body(signals)
                signals.check()  # a signal that user code or a finalizer swallowed still stops the run
                code = _conclude(code or 0, None)  # a launched run's ranks agree on rank 0's code
            finally:
                signals.settle()
        except BaseException as exc:
            signals.settle()
            if os.environ.get("HESSDIAG_TRACEBACK") and isinstance(exc, Exception) \
                    and not isinstance(exc, (HessdiagError, OSError, MemoryError)) and signals.first is None:
                raise
            raise _outcome(exc, signals) from None
    if code:
        raise typer.Exit(code)
