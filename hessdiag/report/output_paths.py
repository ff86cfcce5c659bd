"""Before any work: can every requested report file be written, without destroying anything?

A run that would fail at its end because of an output path fails here instead, in a second, with
nothing written. Refused: a target that is an input of the run (the config, the checkpoint, the data,
the model file or the module files behind `module:factory` specs — and, once the model and data are
loaded, the file of any module the run imported, `check_not_imported`); two outputs of the run on one
path (JSON, HTML and the PNG names `--png-dir` will write); an existing target that is not a regular
file (a directory, FIFO, character or block device, socket: the atomic write would replace the node
with a file); a missing or non-directory parent, a name too long for the file system; a directory
where the real temporary file (`atomic.make_temp`, the name the write will use) cannot be created and
removed — that is tried here, up front.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputFileError, first_line
from .atomic import directory_of, make_temp

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


@dataclass(frozen=True)
class Target:
    what: str  # "JSON report", "PNG figure 'density'"
    path: Path


def png_targets(png_dir: str | None, png_names: Iterable[str]) -> list[Target]:
    if not png_dir:
        return []
    return [Target(f"PNG figure '{name}'", Path(png_dir) / f"{name}.png") for name in png_names]


def run_inputs(settings: Any) -> list[tuple[str, str | Path]]:
    """(description, path) of every input file of a run: config, checkpoint, model and data files, and
    the module files behind `module:factory` specs (found without importing them)."""
    from ..load.factory import module_files

    search = [Path(p) for p in settings.search_paths]
    found: list[tuple[str, str | Path]] = [("the config", settings.config), ("--checkpoint", settings.checkpoint)]
    for flag, spec in (("--model", settings.model), ("--data", settings.data)):
        if spec is None or str(spec).startswith("sklearn:"):
            continue
        if Path(spec).exists():
            found.append((flag, spec))
        else:
            found.extend((f"a module behind {flag} {spec}", path) for path in module_files(spec, search))
    return [(what, path) for what, path in found if path]


def check_output_paths(files: dict[str, str | None], *, png_dir: str | None = None, png_names: Iterable[str] = (),
                       inputs: Iterable[tuple[str, str | Path]] = ()) -> None:
    """Raise `InputFileError` for the first requested output that cannot be written as asked.

    `files` maps a description ("JSON report") to a requested path (None: not requested); `png_names`
    are the figure names `--png-dir` will write (without `.png`); `inputs` are (description, path)
    pairs of the run's input files.
    """
    targets = [Target(what, Path(p)) for what, p in files.items() if p] + png_targets(png_dir, png_names)
    try:
        for target in targets:
            _check_target(target, png_dir)
        if png_dir:
            _check_png_dir(Path(png_dir), [t for t in targets if t.path.parent != Path(png_dir)])
        _check_collisions(targets)
        _check_inputs(targets, [(what, Path(p)) for what, p in inputs if p])
        for target in targets:
            _try_temp_file(target, png_dir)
    except InputFileError:
        raise
    except OSError as exc:
        raise InputFileError(f"cannot check the output paths: {first_line(exc)}") from None


def check_not_imported(files: dict[str, str | None], *, png_dir: str | None = None,
                       png_names: Iterable[str] = ()) -> None:
    """Refuse an output on the file of a module this process imported (a model's helper module, a
    package under the config's directory): call it once the model and data are loaded."""
    targets = [Target(what, Path(p)) for what, p in files.items() if p] + png_targets(png_dir, png_names)
    names = {t.path.name for t in targets}
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if not isinstance(origin, str) or Path(origin).name not in names:  # resolve only the candidates
            continue
        for target in targets:
            if target.path.resolve() == Path(origin).resolve():
                raise InputFileError(f"the {target.what} '{target.path}' would overwrite '{origin}', the source "
                                     f"of module '{name}', which this run imported")


def _kind(path: Path) -> str | None:
    """None for an absent path or a regular file (symbolic links followed), else what it is."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    return None if stat.S_ISREG(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _name_fits(path: Path, directory: Path) -> None:
    limit = os.pathconf(directory, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    if len(path.name.encode()) > limit:
        raise InputFileError(f"cannot write '{str(path)[:60]}…': the file name is longer than {limit} bytes")


def _check_target(target: Target, png_dir: str | None) -> None:
    path, what = target.path, target.what
    parent = directory_of(path)
    if parent.is_dir():
        _name_fits(path, parent)
    kind = _kind(path)
    if kind == "a directory":
        raise InputFileError(f"{what} '{path}' is a directory")
    if kind is not None:
        raise InputFileError(f"{what} '{path}' is {kind}, not a regular file; hessdiag writes a new file and "
                             "renames it over the target, which would replace it")
    if png_dir and parent == Path(png_dir) and not parent.exists():
        return  # created by the write; checked by _check_png_dir
    if not parent.exists():
        raise InputFileError(f"cannot write {what} '{path}': directory '{parent}' does not exist")
    if not parent.is_dir():
        raise InputFileError(f"cannot write {what} '{path}': '{parent}' is not a directory")


def _nearest_existing(target: Path) -> Path:
    ancestor = target
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    return ancestor


def _check_png_dir(target: Path, files: list[Target]) -> None:
    if target.exists() and not target.is_dir():
        raise InputFileError(f"PNG directory '{target}' exists and is not a directory")
    ancestor = _nearest_existing(target)
    if not ancestor.is_dir():
        raise InputFileError(f"cannot create PNG directory '{target}': '{ancestor}' is not a directory")
    created = target.relative_to(ancestor).parts if ancestor != target else ()
    for part in created:
        _name_fits(Path(part), ancestor)
    for other in files:  # `--json out --png-dir out/figs`: the directory would take the file's path
        if other.path.resolve() == target.resolve() or other.path.resolve() in target.resolve().parents:
            raise InputFileError(f"the PNG directory '{target}' and the {other.what} '{other.path}' overlap: "
                                 "one would be lost")


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return a.exists() and b.exists() and os.path.samefile(a, b)
    return False


def _check_collisions(targets: list[Target]) -> None:
    for i, first in enumerate(targets):
        for second in targets[i + 1:]:
            if _same(first.path, second.path):
                raise InputFileError(f"the {first.what} and the {second.what} name the same file "
                                     f"'{second.path}': one would be lost")


def _check_inputs(targets: list[Target], inputs: list[tuple[str, Path]]) -> None:
    for target in targets:
        for what, source in inputs:
            if source.is_file() and _same(target.path, source):
                raise InputFileError(f"the {target.what} '{target.path}' would overwrite the input file "
                                     f"'{source}' ({what})")


def _try_temp_file(target: Target, png_dir: str | None) -> None:
    """Create and remove the temporary file the write will use (or, for a directory still to be
    created, a temporary file in its nearest existing ancestor)."""
    parent = directory_of(target.path)
    try:
        if parent.is_dir():
            fd, tmp = make_temp(target.path)
        else:
            ancestor = _nearest_existing(parent)
            first_missing = parent.relative_to(ancestor).parts[0]
            fd, tmp = tempfile.mkstemp(prefix=f".{first_missing}.", suffix=".tmp", dir=ancestor)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        where = parent if parent.is_dir() else _nearest_existing(parent)
        raise InputFileError(f"cannot write {target.what} '{target.path}': cannot create a file in '{where}' "
                             f"({first_line(exc)})") from None
