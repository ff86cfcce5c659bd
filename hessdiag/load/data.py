"""Read a data set given as a file, a bundled scikit-learn set, or a factory (SPEC §8 `--data`).

Forms: a torch file holding `{"x": tensor, "y": tensor}`; an `.npz` with arrays `x` and `y`;
`sklearn:digits|breast_cancer|wine|diabetes` (bundled with scikit-learn, no download); or
`package.module:factory` returning a `torch.utils.data.Dataset` of (x, y) pairs or an `(x, y)` pair.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import Tensor

from ..errors import DataError, InputFileError, first_line
from .checkpoints import load_torch_file
from .factory import call_factory, call_user, resolve_factory
from .files import check_input_file

SKLEARN_SETS = ("digits", "breast_cancer", "wine", "diabetes")


def load_sklearn(name: str) -> tuple[Tensor, Tensor]:
    """A data set bundled with scikit-learn, preprocessed as documented in the README.

    digits: pixels ÷ 16 ∈ [0, 1], labels 0–9. breast_cancer, wine: features standardised (z-scores),
    class labels. diabetes: sklearn's scaled features; target standardised, shape (N, 1).
    """
    from sklearn import datasets

    if name not in SKLEARN_SETS:
        raise DataError(f"unknown scikit-learn data set '{name}'; choose one of {', '.join(SKLEARN_SETS)}")
    bunch = getattr(datasets, f"load_{name}")()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    if name == "digits":
        x = x / 16.0
    elif name in ("breast_cancer", "wine"):
        x = (x - x.mean(0)) / x.std(0)
    else:
        y = ((y - y.mean()) / y.std())[:, None]
    return torch.from_numpy(x), torch.from_numpy(y)


def _from_mapping(obj: Any, source: str) -> tuple[Tensor, Tensor]:
    keys = list(obj.keys()) if hasattr(obj, "keys") else []
    if "x" not in keys or "y" not in keys:
        found = ", ".join(map(str, keys[:8])) or "(none)"
        raise DataError(f"data '{source}' must hold 'x' and 'y'; found keys: {found}")
    return _as_tensor(obj["x"], "x", source), _as_tensor(obj["y"], "y", source)


def _as_tensor(value: Any, name: str, source: str) -> Tensor:
    if isinstance(value, Tensor):
        return value.detach().cpu()
    try:
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError("object array")
        return torch.from_numpy(np.ascontiguousarray(array))
    except (TypeError, ValueError):
        raise DataError(f"data '{source}': '{name}' is a {type(value).__name__}, not an array") from None


def _from_npz(path: Path) -> tuple[Tensor, Tensor]:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return _from_mapping({k: arrays[k] for k in arrays.files}, str(path))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputFileError(f"data file '{path}' is truncated or corrupt ({first_line(exc)})") from None
    except ValueError as exc:
        raise InputFileError(f"data file '{path}' cannot be read safely: {first_line(exc)}") from None


def _from_dataset(obj: Any, source: str) -> tuple[Tensor, Tensor]:
    if isinstance(obj, (tuple, list)) and len(obj) == 2:
        return _as_tensor(obj[0], "x", source), _as_tensor(obj[1], "y", source)
    if isinstance(obj, dict):
        return _from_mapping(obj, source)
    if hasattr(obj, "__len__") and hasattr(obj, "__getitem__"):
        xs, ys = [], []
        for i in range(_dataset_length(obj, source)):
            try:
                item = obj[i]
            except Exception as exc:  # the user's __getitem__
                raise DataError(f"data set '{source}': item {i} cannot be read: __getitem__ raised "
                                f"{type(exc).__name__}: {first_line(exc)}") from None
            if not (isinstance(item, (tuple, list)) and len(item) >= 2):
                raise DataError(f"data '{source}': item {i} is not an (x, y) pair")
            xs.append(_item_tensor(item[0], "x", i, source))
            ys.append(_item_tensor(item[1], "y", i, source))
        if not xs:
            raise DataError(f"data '{source}' is empty")
        try:
            return torch.stack(xs), torch.stack(ys)
        except RuntimeError as exc:
            raise DataError(f"data '{source}': items differ in shape ({first_line(exc)})") from None
    raise DataError(f"data factory '{source}' returned a {type(obj).__name__}, not a Dataset or (x, y)")


def _dataset_length(obj: Any, source: str) -> int:
    """`len(obj)` of a user's data set: a non-negative integer, else a `DataError` saying what it was."""
    try:
        length = obj.__len__()
    except Exception as exc:
        raise DataError(f"data set '{source}': __len__ raised {type(exc).__name__}: {first_line(exc)}") from None
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise DataError(f"data set '{source}': __len__ returned {length!r} ({type(length).__name__}), "
                        "not a non-negative integer")
    return int(length)


def _item_tensor(value: Any, name: str, i: int, source: str) -> Tensor:
    try:
        return torch.as_tensor(value)
    except Exception:  # strings, ragged lists, objects
        raise DataError(f"data set '{source}': item {i}: its {name} is a {type(value).__name__}, "
                        "not a tensor or array") from None


def load_data(spec: str, search_paths: Sequence[Path], trust_pickle: bool) -> tuple[Tensor, Tensor]:
    """(x, y) on the CPU from a data spec; shapes and values are checked later against the model."""
    spec = str(spec)
    if spec.startswith("sklearn:"):
        return load_sklearn(spec.split(":", 1)[1])
    path = Path(spec)
    if path.suffix == ".npz" or path.exists():
        check_input_file(path, "data file")
        if path.suffix == ".npz":
            return _from_npz(path)
        return _from_mapping(load_torch_file(path, trust_pickle, "data"), str(path))
    if ":" not in spec:
        raise InputFileError(f"data file '{path}' does not exist")
    factory = resolve_factory(spec, search_paths, "data")
    return call_user(f"data set '{spec}'", _from_dataset, call_factory(factory, spec, "data"), spec)
