"""Before any work: can every requested report file be written, without clobbering an input?

A run that would fail at its end because of an output path (a missing or non-directory parent, a name
too long for the file system, no permission, the HTML and JSON on one path, a report on top of the
checkpoint or the data) fails here instead, in a second, with nothing written.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputFileError, first_line


def check_output_paths(files: dict[str, str | None], *, png_dir: str | None = None,
                       inputs: list[str | None] = ()) -> None:
    """Raise `InputFileError` for the first requested output that cannot be written as asked.

    `files` maps a description ("JSON report") to a requested path (None: not requested).
    """
    try:
        _check({what: p for what, p in files.items() if p}, png_dir, inputs)
    except OSError as exc:
        raise InputFileError(f"cannot check the output paths: {first_line(exc)}") from None


def _check(files: dict[str, str], png_dir: str | None, inputs) -> None:
    for what, path in files.items():
        _writable_file(Path(path), what)
    if png_dir:
        _writable_directory(Path(png_dir), "PNG directory")
    seen: dict[Path, str] = {}
    for what, path in files.items():
        key = Path(path).resolve()
        if key in seen:
            raise InputFileError(f"the {seen[key]} and the {what} name the same file '{path}': one would be lost")
        seen[key] = what
        for source in inputs:
            if source and Path(source).is_file() and Path(source).resolve() == key:
                raise InputFileError(f"the {what} '{path}' would overwrite the input file '{source}'")


def _name_fits(path: Path, directory: Path) -> None:
    limit = os.pathconf(directory, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    if len(path.name.encode()) > limit:
        raise InputFileError(f"cannot write '{str(path)[:60]}…': the file name is longer than {limit} bytes")


def _writable_file(target: Path, what: str) -> None:
    parent = target.parent if str(target.parent) else Path(".")
    if parent.is_dir():
        _name_fits(target, parent)
    if target.is_dir():
        raise InputFileError(f"{what} '{target}' is a directory")
    if not parent.exists():
        raise InputFileError(f"cannot write {what} '{target}': directory '{parent}' does not exist")
    if not parent.is_dir():
        raise InputFileError(f"cannot write {what} '{target}': '{parent}' is not a directory")
    if not os.access(parent, os.W_OK):
        raise InputFileError(f"cannot write {what} '{target}': permission denied in '{parent}'")


def _writable_directory(target: Path, what: str) -> None:
    if target.exists() and not target.is_dir():
        raise InputFileError(f"{what} '{target}' exists and is not a directory")
    ancestor = target
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputFileError(f"cannot create {what} '{target}': '{ancestor}' is not a directory")
    if not os.access(ancestor, os.W_OK):
        raise InputFileError(f"cannot create {what} '{target}': permission denied in '{ancestor}'")
    created = target.relative_to(ancestor).parts if ancestor != target else ()
    for part in created:
        _name_fits(Path(part), ancestor)
