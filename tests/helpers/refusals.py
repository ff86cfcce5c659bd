"""Assertions for a refused or failed command (issue 17): its exit code, exactly one line on stderr, no
traceback, and every file that existed before byte-identical afterwards (sha256), nothing added.

`snapshot(*roots)` records every entry under the roots: regular files by their sha256, other nodes
(FIFOs, sockets, directories) by their kind, so that a FIFO replaced by a file is seen. FIFOs are never
opened (reading one would block).
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

from hessdiag.cli import app


def _entry(path: Path) -> str:
    mode = path.lstat().st_mode
    if stat.S_ISREG(mode):
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    if stat.S_ISLNK(mode):
        return "link:" + os.readlink(path)
    return f"kind:{stat.S_IFMT(mode)}"


def snapshot(*roots: Path) -> dict[str, str]:
    found = {}
    for root in roots:
        for path in [Path(root), *sorted(Path(root).rglob("*"))]:
            if "__pycache__" in path.parts:  # Python's byte-code cache of an imported module
                continue
            found[str(path)] = _entry(path)
    return found


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("hessdiag-phase:")]


def assert_one_line(stderr: str, stdout: str = "", fragment: str = "") -> str:
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("hessdiag: error: "), lines
    assert fragment in lines[0], (fragment, lines[0])
    assert "Traceback" not in stderr + stdout and "Exception ignored" not in stderr + stdout
    return lines[0]


def invoke_refused(args: list[str], roots: list[Path], fragment: str, code: int = 1) -> str:
    """Run `hessdiag ARGS` in-process; assert the refusal; return its line."""
    from typer.testing import CliRunner

    before = snapshot(*roots)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, (result.exit_code, result.stderr, result.stdout)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    line = assert_one_line(result.stderr, result.stdout, fragment)
    assert snapshot(*roots) == before, "a file changed, appeared or vanished"
    return line


def run_module(args: list[str], cwd: Path, env: dict | None = None, timeout: int = 300):
    """`python -m hessdiag ARGS` in a subprocess (the console script's own exit path)."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "hessdiag", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)
