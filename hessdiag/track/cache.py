"""The per-checkpoint cache of `hessdiag track`: rerunning on a growing run diagnoses only new checkpoints.

An entry's key is the sha256 of (the checkpoint bytes' sha256, the model's and data's fingerprints, every
setting that changes a number, whether Lanczos was warm-started, the hessdiag version); a fingerprint is
the sha256 of the file's bytes when the spec names a file, else the spec itself (`sklearn:digits`,
`module:factory`). An entry is two files in the cache directory, each written atomically: `KEY.pt` (the
top and bottom Ritz vectors, to warm-start the next checkpoint) and then `KEY.json` (the timeline point
and the checkpoint's whole report); an entry counts only once its JSON exists, so an interrupted run
keeps every checkpoint it finished and nothing half-written.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..load import Settings
from ..report.atomic import write_atomic
from .discover import file_sha256
from .timeline import TrackPoint

# Settings that only say where to write or what to print: they change no number.
_OUTPUT_ONLY = ("json", "html", "png_dir", "quiet", "fail_if", "checkpoint", "config", "trust_pickle")


def _fingerprint(spec: str | None) -> str | None:
    """sha256 of the file a model/data spec names (`file.py:factory` too), else the spec itself."""
    if spec is None:
        return None
    for candidate in (spec, spec.rsplit(":", 1)[0]):
        path = Path(candidate)
        if path.is_file():
            return "sha256:" + file_sha256(path)
    return spec


def cache_key(checkpoint_sha256: str, settings: Settings, *, warm_start: bool, version: str) -> str:
    """The entry's key: sha256 over everything that determines the checkpoint's numbers."""
    recorded = {k: v for k, v in settings.recorded().items() if k not in _OUTPUT_ONLY}
    recorded["model"], recorded["data"] = _fingerprint(settings.model), _fingerprint(settings.data)
    material = {"checkpoint": checkpoint_sha256, "settings": recorded, "warm_start": warm_start,
                "hessdiag_version": version}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode("utf-8")).hexdigest()


@dataclass
class CacheEntry:
    point: TrackPoint
    report: dict[str, Any]
    ritz: dict[str, torch.Tensor]  # "top"/"bottom" → (k, d) float64 Ritz vectors (may be empty)


class TrackCache:
    """Entries in one directory (created on the first write)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def get(self, key: str) -> CacheEntry | None:
        """The entry under `key`, or None (missing, or unreadable: then it is simply diagnosed again)."""
        doc_path, ritz_path = self.directory / f"{key}.json", self.directory / f"{key}.pt"
        try:
            doc = json.loads(doc_path.read_text(encoding="utf-8"))
            point = TrackPoint.from_dict(doc["point"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        ritz: dict[str, torch.Tensor] = {}
        if ritz_path.is_file():
            try:
                ritz = torch.load(ritz_path, map_location="cpu", weights_only=True)
            except Exception:  # a damaged vector file only costs the warm start
                ritz = {}
        return CacheEntry(point, doc["report"], ritz)

    def put(self, key: str, point: TrackPoint, report: dict[str, Any], ritz: dict[str, torch.Tensor]) -> None:
        """Store an entry: the vectors first, then the JSON that makes the entry count."""
        self.directory.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        torch.save({k: v.detach().cpu() for k, v in ritz.items()}, buffer)
        write_atomic(self.directory / f"{key}.pt", buffer.getvalue())
        doc = {"point": point.as_dict(), "report": report}
        write_atomic(self.directory / f"{key}.json", json.dumps(doc, allow_nan=False) + "\n")
