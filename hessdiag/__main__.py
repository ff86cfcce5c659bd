"""`python -m hessdiag` and the `hessdiag` console script.

The CLI is imported inside the `try`, so that Ctrl-C even while the heavy modules load ends with
exit code 130 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from .phases import announce

        announce("start")
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        sys.stderr.write("hessdiag: error: interrupted; no report was written\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
