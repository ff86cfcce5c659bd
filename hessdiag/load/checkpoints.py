"""Read checkpoints safely and fit their state dict to a model (SPEC §8 `--checkpoint`).

A checkpoint is a state dict, or a dict holding one under `state_dict`, `model_state_dict` or `model`
(Lightning, plain training scripts). Keys may carry the `model.` / `module.` prefixes that Lightning
and DistributedDataParallel write. Files are read with `weights_only=True`, which never executes
pickled code; `trust_pickle=True` opts into full unpickling for files the user trusts.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Iterator, Mapping

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, InputFileError, first_line
from .files import check_input_file
from .validate import check_checkpoint_dtypes, check_nesting, check_state_dict

NESTED_KEYS = ("state_dict", "model_state_dict", "model")
STRIPPED_PREFIXES = ("model.", "module.")
_OPTIONAL_KEYS = ("num_batches_tracked",)  # older checkpoints lack these BatchNorm counters


def load_torch_file(path: Path, trust_pickle: bool, what: str) -> Any:
    """`torch.load` on CPU with `weights_only` unless trusted; every failure is one clear line."""
    path = Path(path)
    check_input_file(path, f"{what} file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{what} file '{path}' is empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic[:2] != b"PK" and magic[:1] != b"\x80":  # neither zip (torch.save) nor legacy pickle
        raise InputFileError(f"{what} file '{path}' is not a PyTorch file (torch.save format)")
    try:
        return torch.load(path, map_location="cpu", weights_only=not trust_pickle)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower() or "weights_only" in str(exc):
            raise CheckpointError(
                f"{what} file '{path}' holds pickled Python objects that a safe load refuses; "
                "rerun with --trust-pickle only if you trust where it came from"
            ) from None
        raise InputFileError(f"{what} file '{path}' is truncated or corrupt") from None
    except (ModuleNotFoundError, AttributeError) as exc:  # a trusted pickle naming code that is not importable
        raise InputFileError(f"{what} file '{path}' refers to Python code that cannot be imported here "
                             f"({first_line(exc)})") from None
    except Exception:  # unpickling a damaged file can raise anything
        raise InputFileError(f"{what} file '{path}' is truncated or corrupt") from None


def extract_state_dict(obj: Any, path: Path, seen: tuple[int, ...] = ()) -> dict[str, Tensor]:
    """The state dict inside a loaded checkpoint object (`seen`: the dicts it was found in)."""
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, Mapping):
        seen = check_nesting(obj, seen, path)
        if obj and all(isinstance(v, Tensor) for v in obj.values()):
            check_state_dict(obj, path)
            return dict(obj)
        for key in NESTED_KEYS:
            if key in obj:
                return extract_state_dict(obj[key], path, seen)
        keys = ", ".join(map(str, list(obj)[:8]))
        raise CheckpointError(
            f"checkpoint '{path}' holds no state dict: expected tensors, or one under "
            f"{'/'.join(NESTED_KEYS)}; found keys: {keys or '(none)'}"
        )
    raise CheckpointError(f"checkpoint '{path}' holds a {type(obj).__name__}, not a state dict")


def _prefix_variants(state: dict[str, Tensor]) -> Iterator[dict[str, Tensor]]:
    """The state dict as given, then with shared wrapper prefixes stripped one level at a time."""
    yield state
    current = state
    while current:
        firsts = {k.split(".", 1)[0] + "." for k in current}
        if len(firsts) != 1 or not all("." in k for k in current):
            return
        prefix = firsts.pop()
        current = {k[len(prefix):]: v for k, v in current.items()}
        yield current


def fit_state_dict(state: dict[str, Tensor], module: nn.Module, path: Path) -> dict[str, Tensor]:
    """Match a checkpoint's keys to the model's, stripping `model.`/`module.`-style prefixes.

    Raises on missing or unexpected keys and on shape mismatches, naming them.
    """
    expected = module.state_dict()
    required = {k for k in expected if not k.endswith(_OPTIONAL_KEYS)}
    best, best_overlap = state, -1
    for variant in _prefix_variants(state):
        keys = set(variant)
        if required <= keys <= set(expected):
            best = variant
            break
        overlap = len(keys & set(expected))
        if overlap > best_overlap:
            best, best_overlap = variant, overlap
    else:
        missing = sorted(required - set(best))
        unexpected = sorted(set(best) - set(expected))
        parts = []
        if missing:
            parts.append(f"missing keys: {_few(missing)}")
        if unexpected:
            parts.append(f"unexpected keys: {_few(unexpected)}")
        raise CheckpointError(f"checkpoint '{path}' does not match the model: {'; '.join(parts)}")
    for key, tensor in best.items():
        want = tuple(expected[key].shape)
        if tuple(tensor.shape) != want:
            raise CheckpointError(
                f"checkpoint '{path}': tensor '{key}' has shape {tuple(tensor.shape)}, the model expects {want}"
            )
    return best


def _few(keys: list[str], n: int = 4) -> str:
    more = f" (+{len(keys) - n} more)" if len(keys) > n else ""
    return ", ".join(keys[:n]) + more


def load_checkpoint_into(module: nn.Module, path: Path, trust_pickle: bool) -> None:
    """Read `path` and load its (prefix-fitted) state dict into `module` in place."""
    state = extract_state_dict(load_torch_file(path, trust_pickle, "checkpoint"), path)
    fitted = fit_state_dict(state, module, path)
    check_checkpoint_dtypes(fitted, module.state_dict(), path)
    with torch.no_grad():
        module.load_state_dict(fitted, strict=False)
