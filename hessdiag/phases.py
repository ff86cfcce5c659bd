"""Phase announcements on stderr, only when HESSDIAG_PHASE_LOG is set.

The interrupt tests start a run in a subprocess, wait for a phase line and send a signal then, so
that Ctrl-C is tested at known moments without sleeping. With HESSDIAG_PHASE_WAIT also set, the run
waits after each announcement until a line arrives on its stdin: a test can then signal a run at an
exact point (say, after its files are written and before it exits) and release it. Users never see
these lines.
"""

from __future__ import annotations

import os
import sys


def announce(name: str) -> None:
    if os.environ.get("HESSDIAG_PHASE_LOG"):
        sys.stderr.write(f"hessdiag-phase: {name}\n")
        sys.stderr.flush()
        if os.environ.get("HESSDIAG_PHASE_WAIT") and sys.stdin is not None:
            sys.stdin.readline()
