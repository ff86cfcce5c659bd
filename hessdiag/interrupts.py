"""Ctrl-C and SIGTERM: the first signal stops the run, every later one is absorbed (SPEC §8 exit codes).

The command line installs one handler for SIGINT and SIGTERM (`install`) as its first act and keeps it
until the process exits:

- the first signal is remembered (`Signals.first`); while the run is in a stretch where stopping is
  safe (`raising`) it raises `Interrupted`, a `KeyboardInterrupt`, at once;
- inside `deferred()` (the renames that make the report files appear, the removal of temporary files)
  and once the outcome is being reported (`settle`) it is only remembered, and the command line
  checks it afterwards (`check`), so a file set is never cut in half and no message is cut short;
- every later signal is absorbed: a second Ctrl-C during the write, the cleanup or the exit never
  interrupts them and never prints a traceback;
- Python drops an exception raised inside a `__del__` or a weakref callback ("Exception ignored in",
  with a traceback); the handler's hook on `sys.unraisablehook` silences such a dropped `Interrupted`
  and delivers it again at the next bytecode, so the run still stops.

SIGTERM is handled like SIGINT; the exit code is 128 + the number of the first signal (130 for
SIGINT, 143 for SIGTERM, as shells report them). `files` lists the report files planned and already in place,
so that the exit message says which files were written.

Outside the command line (the Python API) nothing is installed; `deferred()` then shields its block
with a temporary handler and raises the remembered KeyboardInterrupt when the block ends.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

HANDLED = (signal.SIGINT, signal.SIGTERM)
_STATE: "Signals | None" = None  # the handler the command line installed (None: the Python API)


class Interrupted(KeyboardInterrupt):
    """Raised by the handler for the first SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Ledger:
    """The files a write means to put in place (`planned`) and those already renamed into place
    (`written`), kept up to date by `hessdiag.report.outputs.write_files` inside `deferred()` blocks."""

    planned: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


class Signals:
    """The command line's signal state: the first signal, whether it may raise now, what was written."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.raising = True
        self.reported = False  # the exit message for the signal has been printed
        self.files = Ledger()  # the report files being written, and those already in place
        self.kept: str | None = None  # what work survives the interrupt (track: the cached checkpoints)
        self._redeliver = False
        self._in_hook = False
        self._previous: dict[int, Any] = {}
        self._previous_hook = None

    def handle(self, signum: int, frame: Any) -> None:
        if self._redeliver:  # an Interrupted that Python dropped (in a finalizer), raised again here
            if self._in_hook:  # still inside the hook: a raise here would be dropped too
                self._rearm()
                return
            self._redeliver = False
            if self.raising:
                raise Interrupted(self.first or signum)
            return
        if self.first is not None:
            return  # absorbed: a second signal never interrupts the write, the cleanup or the exit
        self.first = signum
        if self.raising:
            raise Interrupted(signum)

    def _unraisable(self, info: Any) -> None:
        self._in_hook = True
        try:
            if isinstance(info.exc_value, KeyboardInterrupt) and self.first is not None:
                self._redeliver = True  # dropped inside __del__ or a weakref callback: deliver it again
                self._rearm()
                return
            (self._previous_hook or sys.__unraisablehook__)(info)
        finally:
            self._in_hook = False

    def _rearm(self) -> None:
        """Trip the handler again from another thread a moment later, once the finalizer and this hook
        have returned (called from the main thread, `interrupt_main` would run it right here)."""
        timer = threading.Timer(0.001, _thread.interrupt_main, args=(self.first,))
        timer.daemon = True
        timer.start()

    def check(self) -> None:
        """Raise `Interrupted` if a signal arrived while it could not be raised (or was swallowed)."""
        if self.first is not None:
            raise Interrupted(self.first)

    def settle(self) -> None:
        """From now on signals are only remembered: the outcome is being reported."""
        self.raising = False

    @property
    def exit_code(self) -> int:
        return 128 + int(self.first or signal.SIGINT)

    def message(self) -> str:
        """The one exit line: which signal, and which report files are on disk."""
        what = "interrupted"
        if self.first not in (None, signal.SIGINT):
            what = f"terminated ({signal.Signals(self.first).name})"
        written = list(dict.fromkeys(self.files.written))
        if not written:
            return f"{what}; {self.kept}; no report was written" if self.kept else f"{what}; no report was written"
        missing = [p for p in self.files.planned if p not in written]
        if not missing:
            return f"{what} after the report was written; written: {describe_files(written)}"
        return f"{what} while writing the report; written: {describe_files(written)}; " \
               f"not written: {describe_files(missing)}"

    def install(self) -> bool:
        """Handle SIGINT and SIGTERM (those not ignored) in the main thread; False elsewhere."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for signum in HANDLED:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, self.handle)
        self._previous_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return True

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()
        if self._previous_hook is not None:
            sys.unraisablehook, self._previous_hook = self._previous_hook, None


def describe_files(paths: list[Path]) -> str:
    """`a.json, b.html, 5 files in figs/`: files listed, more than two in one directory counted."""
    by_parent: dict[Path, list[Path]] = {}
    for path in paths:
        by_parent.setdefault(Path(path).parent, []).append(Path(path))
    parts = []
    for parent, files in by_parent.items():
        if len(files) > 2:
            parts.append(f"{len(files)} files in {parent}/")
        else:
            parts.extend(str(f) for f in files)
    return ", ".join(parts)


def install() -> Signals:
    """The command line's handler, kept until the process exits (`hessdiag.__main__`)."""
    global _STATE
    _STATE = Signals()
    _STATE.install()
    return _STATE


def current() -> Signals | None:
    return _STATE


@contextlib.contextmanager
def session() -> Iterator[Signals]:
    """The state for one command: the process's (console script), or one installed for the duration
    of the command (the command line called in-process, e.g. by tests). The command calls `check()`
    first: a signal may have arrived while the command line was parsed."""
    global _STATE
    if _STATE is not None:
        _STATE.raising = True
        yield _STATE
        return
    state = Signals()
    installed = state.install()
    _STATE = state if installed else None
    try:
        yield state
    finally:
        if installed:
            state.uninstall()
            _STATE = None


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Run a block that must not be cut in half (renames, cleanup): a signal during it is remembered,
    not raised. Under the command line the command checks it afterwards; elsewhere (the Python API)
    a Ctrl-C is raised as KeyboardInterrupt when the block ends."""
    if _STATE is not None:
        before, _STATE.raising = _STATE.raising, False
        try:
            yield
        finally:
            _STATE.raising = before
        return
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if seen:
        raise KeyboardInterrupt


def raise_pending() -> None:
    """Under the command line, raise a signal that arrived during a `deferred()` block now (where a
    block ends at a safe point rather than at the end of the whole write)."""
    if _STATE is not None and _STATE.raising:
        _STATE.check()


def from_signal(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt came from a signal rather than from a `raise` in user code.

    Under the command line every signal raises `Interrupted`, so any other KeyboardInterrupt was raised
    by user code; without hessdiag's handler (the Python API), Python's default handler raises plain
    KeyboardInterrupts on Ctrl-C, so they are taken as interrupts.
    """
    if isinstance(exc, Interrupted):
        return True
    return _STATE is None and signal.getsignal(signal.SIGINT) is signal.default_int_handler
