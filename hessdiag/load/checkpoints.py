"""Read checkpoints safely and fit their state dict to a model (SPEC §8 `--checkpoint`).

A checkpoint is a torch file holding a state dict, or a dict holding one under `state_dict`,
`model_state_dict` or `model` (Lightning 2.x `.ckpt`, plain training scripts: the other entries are
skipped and named); a `.safetensors` file; or a sharded checkpoint (an index JSON or a directory, see
`state_files`). Keys may carry one prefix that the model's keys lack — a LightningModule's attribute
(`net.`, `model.`), DDP's `module.` — which is stripped only when the result matches the model
exactly. Torch files are read with `weights_only=True`, which never executes pickled code;
`trust_pickle=True` opts into full unpickling for files the user trusts.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, InputFileError, first_line
from .files import check_input_file
from .state_files import read_safetensors, read_sharded, resolve_weights
from .validate import check_checkpoint_dtypes, check_nesting, check_state_dict

NESTED_KEYS = ("state_dict", "model_state_dict", "model")
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


def extract_state_dict(obj: Any, path: Path, seen: tuple[int, ...] = (),
                       skipped: list[str] | None = None) -> dict[str, Tensor]:
    """The state dict inside a loaded checkpoint object (`seen`: the dicts it was found in); the other
    top-level entries of a nested checkpoint (epoch, optimizer states, hyper-parameters, …) are named in
    `skipped` (never used)."""
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, Mapping):
        seen = check_nesting(obj, seen, path)
        if obj and all(isinstance(v, Tensor) for v in obj.values()):
            check_state_dict(obj, path)
            return dict(obj)
        for key in NESTED_KEYS:
            if key in obj:
                if skipped is not None:
                    skipped.extend(f"{k} ({type(v).__name__})" for k, v in obj.items() if k != key)
                return extract_state_dict(obj[key], path, seen, skipped)
        keys = ", ".join(map(str, list(obj)[:8]))
        raise CheckpointError(
            f"checkpoint '{path}' holds no state dict: expected tensors, or one under "
            f"{'/'.join(NESTED_KEYS)}; found keys: {keys or '(none)'}"
        )
    raise CheckpointError(f"checkpoint '{path}' holds a {type(obj).__name__}, not a state dict")


def _candidate_prefixes(keys: list[str], at_least: int) -> list[str]:
    """Dotted key prefixes ('net.', 'model.backbone.') shared by at least `at_least` keys, most shared first."""
    counts: dict[str, int] = {}
    for key in keys:
        parts = key.split(".")[:-1]
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth]) + "."
            counts[prefix] = counts.get(prefix, 0) + 1
    return sorted((p for p, c in counts.items() if c >= at_least), key=lambda p: (-counts[p], p))


@dataclass(frozen=True)
class FittedState:
    """A checkpoint's tensors keyed as the model names them, and how they were matched."""

    state: dict[str, Tensor]
    prefix: str  # the one prefix stripped from the checkpoint's keys ('' when they matched as they were)
    ignored: int  # entries outside that prefix (other modules of a LightningModule, metrics, …)


def fit_state_dict(state: dict[str, Tensor], module: nn.Module, path: Path) -> FittedState:
    """Match a checkpoint's keys to the model's exactly, stripping at most one prefix.

    The keys match as they are, or after stripping the one prefix P for which the keys starting with P
    (P removed) are exactly the model's (optional BatchNorm counters aside): a LightningModule's `net.`,
    DDP's `module.`, a wrapper's `model.backbone.`. Never a partial match: missing or unexpected keys,
    two prefixes that both match, and shape mismatches are errors that name them.
    """
    expected = module.state_dict()
    required = {k for k in expected if not k.endswith(_OPTIONAL_KEYS)}

    def matches(keys: set[str]) -> bool:
        return required <= keys <= set(expected)

    if matches(set(state)):
        return _checked(FittedState(state, "", 0), expected, path)
    found = []
    for prefix in _candidate_prefixes(list(state), len(required)):
        stripped = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if matches(set(stripped)):
            found.append(FittedState(stripped, prefix, len(state) - len(stripped)))
    if len(found) > 1:
        names = ", ".join(f"'{f.prefix}'" for f in found[:4])
        raise CheckpointError(f"checkpoint '{path}' holds the model's weights under several prefixes ({names}); "
                              "save the state dict of the one to diagnose")
    if found:
        return _checked(found[0], expected, path)
    best = max([state] + [{k[len(p):]: v for k, v in state.items() if k.startswith(p)}
                          for p in _candidate_prefixes(list(state), 1)], key=lambda s: len(set(s) & set(expected)))
    missing, unexpected = sorted(required - set(best)), sorted(set(best) - set(expected))
    parts = ([f"missing keys: {_few(missing)}"] if missing else []) + (
        [f"unexpected keys: {_few(unexpected)}"] if unexpected else [])
    raise CheckpointError(f"checkpoint '{path}' does not match the model: {'; '.join(parts)}")


def _checked(fitted: FittedState, expected: dict[str, Tensor], path: Path) -> FittedState:
    for key, tensor in fitted.state.items():
        want = tuple(expected[key].shape)
        if tuple(tensor.shape) != want:
            raise CheckpointError(
                f"checkpoint '{path}': tensor '{key}' has shape {tuple(tensor.shape)}, the model expects {want}"
            )
    return fitted


def _few(keys: list[str], n: int = 4) -> str:
    more = f" (+{len(keys) - n} more)" if len(keys) > n else ""
    return ", ".join(keys[:n]) + more


def read_checkpoint(path: Path, trust_pickle: bool) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """The state dict of a checkpoint in any supported form, and what was read (format, skipped entries)."""
    file = resolve_weights(Path(path))
    if file.name.endswith(".index.json"):
        state, shards = read_sharded(file, lambda shard: extract_state_dict(
            load_torch_file(shard, trust_pickle, "checkpoint"), shard))
        return state, {"format": f"sharded ({shards} shards, {file.name})", "skipped": []}
    if file.suffix == ".safetensors":
        return read_safetensors(file), {"format": "safetensors", "skipped": []}
    skipped: list[str] = []
    state = extract_state_dict(load_torch_file(file, trust_pickle, "checkpoint"), file, skipped=skipped)
    kind = "Lightning checkpoint" if "pytorch-lightning_version (str)" in skipped else "torch file"
    return state, {"format": kind, "skipped": skipped}


def load_checkpoint_into(module: nn.Module, path: Path, trust_pickle: bool) -> dict[str, Any]:
    """Read `path` and load its (prefix-fitted) state dict into `module` in place; returns what was read:
    the format, the prefix stripped, the entries skipped (never unpickled beyond `weights_only`)."""
    state, info = read_checkpoint(path, trust_pickle)
    fitted = fit_state_dict(state, module, Path(path))
    check_checkpoint_dtypes(fitted.state, module.state_dict(), Path(path))
    with torch.no_grad():
        module.load_state_dict(fitted.state, strict=False)
    return {**info, "prefix": fitted.prefix, "ignored_entries": fitted.ignored}


def describe_checkpoint(path: Path, info: dict[str, Any]) -> str | None:
    """One line for the report's warnings when the checkpoint needed a prefix stripped or had extra entries."""
    notes = []
    if info.get("prefix"):
        notes.append(f"keys matched the model after stripping the prefix '{info['prefix']}'")
    if info.get("ignored_entries"):
        notes.append(f"{info['ignored_entries']} tensors outside that prefix were ignored")
    if info.get("skipped"):
        notes.append(f"non-tensor entries skipped: {', '.join(info['skipped'][:10])}")
    return f"checkpoint '{Path(path).name}' ({info['format']}): {'; '.join(notes)}" if notes else None
