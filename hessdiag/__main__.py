"""`python -m hessdiag` and the `hessdiag` console script.

The signal handler (`hessdiag.interrupts`) is installed first, before the CLI and its heavy modules
load, and kept until the process ends: Ctrl-C or SIGTERM at any moment from here on ends with one
line on stderr and exit 130 (SIGINT) or 143 (SIGTERM), never a traceback; a second signal is absorbed.

The process ends with `os._exit` after stdout and stderr are flushed, with SIGINT and SIGTERM
blocked and any pending one taken into account: the exit code is decided at one instant, and no
signal can land in the interpreter's shutdown (atexit callbacks, module teardown), where it would
print a traceback or kill the process. Every report file is complete (fsync'ed, renamed) by then.

Before torch allocates anything, `THP_MEM_ALLOC_ENABLE=1` (PyTorch's switch, unless the user set it)
asks for transparent huge pages on CPU tensors of 2 MiB and more: a vector of a 22.7M-parameter model
is 182 MB, and with 4 KiB pages every such temporary costs 44k page faults (measured: 50 rounds of two
such temporaries 10.2 s with 4 KiB pages, 3.1–3.6 s with huge pages, peak RSS unchanged). A kernel
without transparent huge pages ignores it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write(f"{exc.code}\n")
    return 1


def _finish(signals, handled, code: int) -> None:
    """Decide the exit code once, with signals blocked, and leave without the interpreter's shutdown."""
    signals.settle()
    from .phases import announce

    announce("exit")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    signal.pthread_sigmask(signal.SIG_BLOCK, set(handled))
    pending = [s for s in handled if s in signal.sigpending()]
    if signals.first is None and pending:
        signals.first = pending[0]
    if signals.first is not None and not signals.reported and code in (0, 3):
        with contextlib.suppress(Exception):  # the run had ended; its files are all there: say so
            sys.stderr.write(f"hessdiag: error: {signals.message()}\n")
            sys.stderr.flush()
        code = signals.exit_code
    os._exit(code)


def main() -> None:
    os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")  # before torch's first allocation; see the docstring
    from . import interrupts

    signals = interrupts.install()
    code = 1
    try:
        from .phases import announce

        announce("start")
        from .cli import main as cli_main

        signals.raising = False  # click parses the command line; the command raises a signal at its start
        cli_main()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except KeyboardInterrupt:  # a signal while the modules load
        signals.settle()
        if signals.first is None:
            signals.first = signal.SIGINT
        sys.stderr.write(f"hessdiag: error: {signals.message()}\n")
        signals.reported = True
        code = signals.exit_code
    _finish(signals, interrupts.HANDLED, code)


if __name__ == "__main__":
    main()
