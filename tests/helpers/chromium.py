"""Headless Chromium for the tests that open HTML reports (Debian's package, installed by .ci/run).

`find()` gives the browser's path; locally without Chromium the calling test is skipped, under CI
(CI=true) a missing Chromium is a failure. `browse(path, profile, *args)` runs it once with the flags
that keep it offline and quiet and its console on stderr; `console_errors(stderr)` lists the console
lines that report an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0")


def find() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium not installed")
    return path


def browse(path: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([path, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line and "rror" in line]
