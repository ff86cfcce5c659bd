"""Data from a `Dataset`, a `DataLoader` or a Hugging Face `datasets.Dataset` (`--data module:factory`).

Items and batches are `(x, y)` pairs (x a tensor or a mapping of tensors) or mappings holding the
targets under `labels` (as Hugging Face collators write them; the other keys are the inputs).
- A map-style `Dataset`: its items are stacked once into (x, y).
- A Hugging Face `datasets.Dataset` (anything with `column_names` and `with_format`): its columns are
  read at once in torch format; `labels` is y, the other tensor columns are the inputs (columns that
  are not tensors, such as raw text, are left out and named).
- A `DataLoader`: iterated once **deterministically**: a map-style dataset is re-batched in order with
  the loader's own `collate_fn` and batch size (`--batch-size` overrides it), never through its
  sampler, so a shuffling loader gives the same data every run without touching the global RNG; an
  iterable dataset is iterated as it comes. The batches are **concatenated once** into (x, y) when
  every batch has the same shape past the sample dimension and all of them fit in `max_bytes`.
  Otherwise (dynamic padding gives batches of different lengths, or the data are too large) the run
  keeps the loader's batches as they are, and `LoaderData` says which and why: ragged batches that
  fit are held in memory; data too large are **re-iterated** in the same order for every pass over
  the data (a product of a curvature matrix is one pass), holding one batch at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import torch
from torch import Tensor

from ..errors import DataError, first_line
from .batch import Inputs, input_tensors, is_mapping

LABELS = "labels"


def max_loader_bytes() -> int:
    """Data from a DataLoader are held in memory up to a quarter of the RAM (else re-iterated)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 2 * 1024**3


def _tensor(value: Any, name: str, source: str, what: str) -> Tensor:
    try:
        tensor = torch.as_tensor(value)
    except Exception:  # strings, ragged lists, objects
        raise DataError(f"data '{source}': {what}: its {name} is a {type(value).__name__}, "
                        "not a tensor or array") from None
    return tensor.detach().cpu()  # on the CPU, as every data form is loaded (a factory's may be on a GPU)


def split_item(item: Any, source: str, what: str = "item") -> tuple[Inputs, Tensor]:
    """(inputs, targets) of one item or batch: an (x, y) pair, or a mapping with a `labels` entry."""
    if isinstance(item, (tuple, list)) and len(item) >= 2:
        x, y = item[0], item[1]
        inputs = ({str(k): _tensor(v, str(k), source, what) for k, v in x.items()} if isinstance(x, dict)
                  else _tensor(x, "x", source, what))
        return inputs, _tensor(y, "y", source, what)
    if hasattr(item, "keys") and LABELS in item:
        inputs = {str(k): _tensor(v, str(k), source, what) for k, v in item.items() if k != LABELS}
        return inputs, _tensor(item[LABELS], LABELS, source, what)
    raise DataError(f"data '{source}': {what} is not an (x, y) pair or a mapping with '{LABELS}' "
                    f"(it is a {type(item).__name__})")


def _stack(parts: list[Tensor], source: str, cat: bool) -> Tensor:
    try:
        return torch.cat(parts) if cat else torch.stack(parts)
    except RuntimeError as exc:
        raise DataError(f"data '{source}': items differ in shape ({first_line(exc)})") from None


def stack_items(items: list[tuple[Inputs, Tensor]], source: str, cat: bool = False) -> tuple[Inputs, Tensor]:
    """Stack items (or concatenate batches, `cat=True`) into (x, y); mappings must share their keys."""
    if not items:
        raise DataError(f"data '{source}' is empty")
    first = items[0][0]
    if is_mapping(first):
        keys = list(first)
        if any(not is_mapping(x) or list(x) != keys for x, _ in items):
            raise DataError(f"data '{source}': items do not all hold the input keys {', '.join(keys)}")
        x = {k: _stack([x[k] for x, _ in items], source, cat) for k in keys}
    else:
        x = _stack([x for x, _ in items], source, cat)
    return x, _stack([y for _, y in items], source, cat)


def dataset_rows(dataset: Any, source: str) -> tuple[Inputs, Tensor]:
    """A map-style dataset's items, stacked; an item that cannot be read is a `DataError` naming it."""
    items = []
    for i in range(dataset_length(dataset, source)):
        try:
            item = dataset[i]
        except Exception as exc:  # the user's __getitem__
            raise DataError(f"data set '{source}': item {i} cannot be read: __getitem__ raised "
                            f"{type(exc).__name__}: {first_line(exc)}") from None
        items.append(split_item(item, source, f"item {i}"))
    return stack_items(items, source)


def dataset_length(dataset: Any, source: str) -> int:
    """`len(dataset)` of a user's data set: a non-negative integer, else a `DataError` saying what it was."""
    try:
        length = dataset.__len__()
    except Exception as exc:
        raise DataError(f"data set '{source}': __len__ raised {type(exc).__name__}: {first_line(exc)}") from None
    if isinstance(length, bool) or not hasattr(length, "__index__") or int(length) < 0:
        raise DataError(f"data set '{source}': __len__ returned {length!r} ({type(length).__name__}), "
                        "not a non-negative integer")
    return int(length)


def hf_columns(dataset: Any, source: str) -> tuple[Inputs, Tensor]:
    """A Hugging Face `datasets.Dataset`: its tensor columns at once, `labels` as the targets."""
    if LABELS not in dataset.column_names:
        raise DataError(f"data '{source}': the dataset has no '{LABELS}' column "
                        f"(columns: {', '.join(dataset.column_names)})")
    try:
        columns = dataset.with_format("torch")[:]
    except Exception as exc:
        raise DataError(f"data '{source}': its columns cannot be read as tensors ({first_line(exc)})") from None
    inputs = {k: v for k, v in columns.items() if k != LABELS and isinstance(v, Tensor)}
    if not inputs:
        raise DataError(f"data '{source}': no column besides '{LABELS}' holds tensors of one shape")
    return inputs, columns[LABELS]


def dropped_columns(dataset: Any, x: Inputs) -> str | None:
    """A note naming the columns of a Hugging Face dataset that are not inputs (raw text, ragged lists)."""
    kept = set(x) if is_mapping(x) else set()
    dropped = [c for c in getattr(dataset, "column_names", []) if c != LABELS and c not in kept]
    return f"dataset columns that are not tensors were left out: {', '.join(dropped)}" if dropped else None


@dataclass
class Data:
    """What `--data` gave: (x, y) in memory, or a DataLoader's batches (`loader`); `how` says how it was
    read when that is worth reporting (columns left out, a loader kept as batches)."""

    x: Inputs | None = None
    y: Tensor | None = None
    loader: "LoaderData | None" = None
    how: str | None = None


@dataclass
class LoaderData:
    """A DataLoader's data kept as its batches: `batches(batch_size, indices)` iterates raw (x, y) batches
    of the rows `indices` (None: all) in a fixed order; `held` is the list when they are held in memory."""

    batches: Callable[[int | None, Tensor | None], Iterable[tuple[Inputs, Tensor]]]
    rows: int | None  # None for an iterable dataset (known after one pass)
    how: str  # what the report says about it
    held: list[tuple[Inputs, Tensor]] | None = None


def _nbytes(x: Inputs, y: Tensor) -> int:
    return sum(t.numel() * t.element_size() for _, t in input_tensors(x)) + y.numel() * y.element_size()


def from_loader(loader: Any, source: str, max_bytes: int | None = None) -> tuple[Inputs, Tensor] | LoaderData:
    """A DataLoader's data: concatenated (x, y), or a `LoaderData` (ragged batches, or too large)."""
    from torch.utils.data import DataLoader, IterableDataset, Subset

    limit = max_loader_bytes() if max_bytes is None else max_bytes
    dataset, collate = loader.dataset, loader.collate_fn
    map_style = not isinstance(dataset, IterableDataset)

    def batches(batch_size: int | None, indices: Tensor | None) -> Iterable[tuple[Inputs, Tensor]]:
        if not map_style:  # the user's loader, iterated with the global RNG state restored afterwards
            with torch.random.fork_rng(devices=[]):
                yield from (split_item(b, source, "a batch") for b in loader)
            return
        part = dataset if indices is None else Subset(dataset, indices.tolist())
        # a loader draws its workers' base seed from its generator: a fixed one, never the global RNG
        ordered = DataLoader(part, batch_size=batch_size or loader.batch_size or 1, shuffle=False,
                             collate_fn=collate, num_workers=0, generator=torch.Generator().manual_seed(0))
        yield from (split_item(b, source, "a batch") for b in ordered)

    rows = len(dataset) if map_style else None
    held, total = [], 0
    for x, y in batches(None, None):
        total += _nbytes(x, y)
        if total > limit:
            return LoaderData(batches, rows, f"DataLoader '{source}': larger than {limit / 2**30:.1f} GiB, "
                              "re-iterated in a fixed order for every pass over the data")
        held.append((x, y))
    try:
        return stack_items(held, source, cat=True)
    except DataError:
        return LoaderData(batches, rows, f"DataLoader '{source}': batches of different shapes (dynamic "
                          "padding) kept as the loader makes them", held=held)


class LoaderBatches:
    """The problem's batches from a DataLoader's raw batches, prepared one at a time as they are used.

    `raw()` iterates the raw (x, y) batches in their fixed order; `prepare(index, x, y)` turns one into
    a `Batch` (cast, moved, weighted). Held batches are prepared once; re-iterated ones on every pass.
    """

    def __init__(self, raw: Callable[[], Iterable[tuple[Inputs, Tensor]]], prepare: Callable[..., Any],
                 count: int, hold: bool) -> None:
        self._raw, self._prepare, self._count = raw, prepare, count
        self._held = [prepare(i, x, y) for i, (x, y) in enumerate(raw())] if hold else None

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        if self._held is not None:
            return iter(self._held)
        return (self._prepare(i, x, y) for i, (x, y) in enumerate(self._raw()))

    def __getitem__(self, index: int):
        if self._held is not None:
            return self._held[index]
        for i, batch in enumerate(self):
            if i == index:
                return batch
        raise IndexError(index)
