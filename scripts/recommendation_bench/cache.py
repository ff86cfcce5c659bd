"""The benchmark's JSON caches (ground truth, evidence, race study): read, and written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def load(path: Path, empty: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached document, or `empty()` when there is none yet."""
    return json.loads(path.read_text()) if path.exists() else empty()


def save(doc: dict[str, Any], path: Path, *, compact: bool = True) -> None:
    """Write atomically (a temporary file in the same folder, then rename), keys sorted; `compact` writes
    one line, else one key per line (the ground truth, read by people). A document that cannot be written (a
    non-finite number where strict JSON is asked for) leaves the old file as it was and no temporary file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            if compact:
                json.dump(doc, fh, indent=None, sort_keys=True, separators=(",", ":"))
            else:
                json.dump(doc, fh, indent=1, sort_keys=True, allow_nan=False)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
