"""Phase announcements on stderr, only when HESSDIAG_PHASE_LOG is set.

The interrupt tests start a run in a subprocess, wait for a phase line and send SIGINT then, so
that Ctrl-C is tested at known moments without sleeping. Users never see these lines.
"""

from __future__ import annotations

import os
import sys


def announce(name: str) -> None:
    if os.environ.get("HESSDIAG_PHASE_LOG"):
        sys.stderr.write(f"hessdiag-phase: {name}\n")
        sys.stderr.flush()
