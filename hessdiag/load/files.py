"""Check an input path (checkpoint, data, config, model file) before reading it, naming what is wrong.

"does not exist" only when nothing is there; a directory, a FIFO, a device or a socket is named as
such (opening a FIFO would block, /dev/zero would never end), and an unreadable file says so.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import HessdiagError, InputFileError, first_line

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def check_input_file(path: str | Path, what: str, error: type[HessdiagError] = InputFileError) -> Path:
    """`path` if it names a readable regular file (symbolic links followed); else raise `error` saying why.

    `what` is how the message names it: "checkpoint file", "data file", "config file", "model file".
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{what} '{path}' does not exist") from None
    except NotADirectoryError:
        raise error(f"{what} '{path}' does not exist (a part of the path is a file, not a directory)") from None
    except OSError as exc:
        raise error(f"cannot read {what} '{path}': {first_line(exc)}") from None
    if stat.S_ISDIR(mode):
        raise error(f"{what} '{path}' is a directory, not a file")
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise error(f"{what} '{path}' is not a regular file ({kind})")
    if not os.access(path, os.R_OK):
        raise error(f"cannot read {what} '{path}': permission denied")
    return path
