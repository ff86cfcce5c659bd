"""Read a data set given as a file, a bundled scikit-learn set, or a factory (SPEC §8 `--data`).

Forms: a torch file holding `{"x": tensor or mapping of tensors, "y": tensor}`; an `.npz` with arrays
`x` and `y`; `sklearn:digits|breast_cancer|wine|diabetes` (bundled with scikit-learn, no download); or
`package.module:factory` returning an `(x, y)` pair, a `torch.utils.data.Dataset`, a `DataLoader` or
a Hugging Face `datasets.Dataset` (`loader.py`). A mapping x is passed to the model as keyword
arguments.
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
from .loader import Data, LoaderData, dataset_rows, dropped_columns, from_loader, hf_columns, split_item

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
    x = obj["x"]
    if isinstance(x, dict):
        if not x:
            raise DataError(f"data '{source}': 'x' is an empty mapping")
        return {str(k): _as_tensor(v, f"x['{k}']", source) for k, v in x.items()}, _as_tensor(obj["y"], "y", source)
    return _as_tensor(x, "x", source), _as_tensor(obj["y"], "y", source)


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


def _from_dataset(obj: Any, source: str) -> Data:
    from torch.utils.data import DataLoader

    if isinstance(obj, (tuple, list)) and len(obj) == 2:
        return Data(*split_item(obj, source, "the factory's result"))
    if isinstance(obj, dict) and "x" in obj:
        return Data(*_from_mapping(obj, source))
    if isinstance(obj, DataLoader):
        found = from_loader(obj, source)
        if isinstance(found, LoaderData):
            return Data(loader=found, how=found.how)
        return Data(*found, how=f"DataLoader '{source}': its batches concatenated once, in order")
    if hasattr(obj, "column_names") and hasattr(obj, "with_format"):
        x, y = hf_columns(obj, source)
        return Data(x, y, how=dropped_columns(obj, x))
    if hasattr(obj, "__len__") and hasattr(obj, "__getitem__"):
        return Data(*dataset_rows(obj, source))
    raise DataError(f"data factory '{source}' returned a {type(obj).__name__}, not a Dataset, a DataLoader "
                    "or (x, y)")


def load_data(spec: str, search_paths: Sequence[Path], trust_pickle: bool) -> Data:
    """(x, y) on the CPU from a data spec (x a tensor or a mapping of tensors), or a DataLoader's batches;
    shapes and values are checked later against the model."""
    spec = str(spec)
    if spec.startswith("sklearn:"):
        return Data(*load_sklearn(spec.split(":", 1)[1]))
    path = Path(spec)
    if path.suffix == ".npz" or path.exists():
        check_input_file(path, "data file")
        if path.suffix == ".npz":
            return Data(*_from_npz(path))
        return Data(*_from_mapping(load_torch_file(path, trust_pickle, "data"), str(path)))
    if ":" not in spec:
        raise InputFileError(f"data file '{path}' does not exist")
    factory = resolve_factory(spec, search_paths, "data")
    return call_user(f"data set '{spec}'", _from_dataset, call_factory(factory, spec, "data"), spec)
