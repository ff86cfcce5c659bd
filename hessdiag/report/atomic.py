"""Write report files atomically: a temporary file in the target's directory, then `os.replace`.

A reader (or a CI job) sees either the old file or the complete new one, never a half-written file,
even when the run is interrupted. `stage` writes the temporary file (named `.NAME.XXXXXXXX.tmp`, made
by `make_temp`, which the output-path checks also use up front), `commit` renames it over the target,
`discard` removes it; `write_atomic` does all three for one file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..errors import InputFileError, first_line


def _file_mode(path: Path) -> int:
    """Keep an existing file's mode; a new file gets 0o666 minus the umask, as open() would give it."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def directory_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def make_temp(path: str | Path) -> tuple[int, str]:
    """An open temporary file beside `path`, as `tempfile.mkstemp` returns it (raises OSError)."""
    path = Path(path)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory_of(path))


def stage(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to a synced temporary file beside `path` (with `path`'s mode); return its name."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if not directory_of(path).is_dir():
        raise InputFileError(f"cannot write '{path}': directory '{directory_of(path)}' does not exist")
    try:
        fd, tmp = make_temp(path)
    except OSError as exc:
        raise InputFileError(f"cannot write '{path}': {first_line(exc)}") from None
    try:
        os.chmod(tmp, _file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        discard(tmp)
        if isinstance(exc, OSError):
            raise InputFileError(f"cannot write '{path}': {first_line(exc)}") from None
        raise
    return Path(tmp)


def commit(tmp: Path, path: str | Path) -> Path:
    """Rename a staged file over `path` (atomic on POSIX)."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise InputFileError(f"cannot write '{path}': {first_line(exc)}") from None
    return Path(path)


def discard(tmp: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` via a temporary file and `os.replace`; return the path."""
    tmp = stage(path, data)
    try:
        return commit(tmp, path)
    except BaseException:
        discard(tmp)
        raise
