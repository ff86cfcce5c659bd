"""The checkpoints of a training run: found in a directory or by a glob, ordered by their training step.

A checkpoint's step is read, in this order, from
1. its file name: Lightning's `epoch=3-step=400.ckpt` (`step=`), `step_1000.pt`, `step-1000.pt`, or
   else the last number in the name (`ckpt_0005.pt`);
2. the checkpoint itself: a `global_step`, `step` or `epoch` integer entry at its top level (a name
   without any number, such as `last.ckpt`, is read with `weights_only=True`, never unpickling code);
3. its position in name order, when neither says (`step_source` records which one it was).
"""

from __future__ import annotations

import glob
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError

SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".tar")
_STEP_IN_NAME = re.compile(r"(?:^|[^a-z])(?:global_)?step[=_-]?(\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"(\d+)")
STEP_ENTRIES = ("global_step", "step", "epoch")


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint file of a run and its training step (`step_source`: name, entry or order)."""

    path: Path
    step: int
    step_source: str


def _step_from_name(name: str) -> int | None:
    stem = name
    for suffix in SUFFIXES:
        stem = stem.removesuffix(suffix)
    match = _STEP_IN_NAME.search(stem)
    if match:
        return int(match.group(1))
    numbers = _NUMBER.findall(stem)
    return int(numbers[-1]) if numbers else None


def _step_from_entries(path: Path) -> int | None:
    """`global_step`, `step` or `epoch` at the checkpoint's top level (a safe load), or None."""
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # unreadable here: the diagnosis will say why, with the loader's message
        return None
    if isinstance(obj, dict):
        for key in STEP_ENTRIES:
            value = obj.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if hasattr(value, "item") and getattr(value, "numel", lambda: 0)() == 1:
                return int(value.item())
    return None


def _candidates(source: str) -> list[Path]:
    path = Path(source)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES)
    if glob.has_magic(source):
        return sorted(Path(p) for p in glob.glob(source, recursive=True) if Path(p).is_file())
    if path.is_file():
        return [path]
    raise InputFileError(f"'{source}' is neither a directory, a file nor a glob that matches files")


def discover(source: str | Path) -> list[Checkpoint]:
    """The checkpoints in a directory (files ending in .pt/.pth/.ckpt/.bin/.tar) or matching a glob,
    ordered by step (then name). Two files with the same step are refused: the timeline would be ambiguous."""
    paths = _candidates(str(source))
    if not paths:
        raise InputFileError(f"no checkpoints found in '{source}' (looked for {', '.join(SUFFIXES)} files)")
    found = []
    for order, path in enumerate(paths):
        step, how = _step_from_name(path.name), "name"
        if step is None:
            step, how = _step_from_entries(path), "entry"
        if step is None:
            step, how = order, "order"
        found.append(Checkpoint(path, step, how))
    found.sort(key=lambda c: (c.step, c.path.name))
    for a, b in zip(found, found[1:]):
        if a.step == b.step:
            raise InputFileError(f"checkpoints '{a.path.name}' and '{b.path.name}' both are step {a.step}; "
                                 "name them by step (step_1000.pt) or select one with a glob")
    return found


def every(checkpoints: list[Checkpoint], k: int) -> list[Checkpoint]:
    """Every k-th checkpoint (the first one, then each k-th), always keeping the last one."""
    if k < 1:
        from ..errors import ConfigError

        raise ConfigError(f"--every must be at least 1; got {k}")
    kept = checkpoints[::k]
    if checkpoints and kept[-1] is not checkpoints[-1]:
        kept.append(checkpoints[-1])
    return kept


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a file's bytes (hex), read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()
