"""Weights stored outside torch's pickle format: `.safetensors` files and sharded checkpoint directories.

- `model.safetensors` (or any `*.safetensors`): tensors only, read without executing anything
  (`safetensors.torch.load_file`, from the optional `safetensors` package).
- A sharded checkpoint as `save_pretrained` writes it: `model.safetensors.index.json` (or
  `pytorch_model.bin.index.json`) whose `weight_map` names the shard of every tensor; every shard is
  read, and every tensor the map names must be in its shard.
- A directory: its index, else its single `model.safetensors` / `pytorch_model.bin`.
`.bin` shards are torch files, read with `weights_only` like any checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from torch import Tensor

from ..errors import InputFileError, first_line

INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
SINGLE_FILES = ("model.safetensors", "pytorch_model.bin")


def read_safetensors(path: Path) -> dict[str, Tensor]:
    """Every tensor of a `.safetensors` file, on the CPU."""
    try:
        from safetensors import SafetensorError
        from safetensors.torch import load_file
    except ImportError:
        raise InputFileError(f"checkpoint '{path}' is a .safetensors file; reading it needs the safetensors "
                             "package (pip install safetensors, or hessdiag[hf])") from None
    if not path.is_file():
        raise InputFileError(f"checkpoint file '{path}' does not exist")
    try:
        return dict(load_file(str(path), device="cpu"))
    except (SafetensorError, OSError, ValueError) as exc:
        raise InputFileError(f"checkpoint file '{path}' is not a readable .safetensors file "
                             f"({first_line(exc)})") from None


def resolve_weights(path: Path) -> Path:
    """The file to read for a checkpoint path: itself, or a directory's index or single weights file."""
    if not path.is_dir():
        return path
    for name in INDEX_FILES + SINGLE_FILES:
        if (path / name).is_file():
            return path / name
    raise InputFileError(f"checkpoint directory '{path}' holds none of {', '.join(INDEX_FILES + SINGLE_FILES)}")


def read_sharded(index: Path, read_torch: Callable[[Path], dict[str, Tensor]]) -> tuple[dict[str, Tensor], int]:
    """The tensors of a sharded checkpoint and its number of shards (`read_torch` reads `.bin` shards)."""
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(f"checkpoint index '{index}' is not a JSON file with a 'weight_map' "
                             f"({first_line(exc)})") from None
    if not isinstance(weight_map, dict) or not weight_map:
        raise InputFileError(f"checkpoint index '{index}' has an empty or malformed 'weight_map'")
    shards: dict[str, list[str]] = {}
    for key, shard in weight_map.items():
        shards.setdefault(str(shard), []).append(str(key))
    state: dict[str, Tensor] = {}
    for shard, keys in shards.items():
        file = index.parent / shard
        if Path(shard).is_absolute() or ".." in Path(shard).parts:
            raise InputFileError(f"checkpoint index '{index}' names a shard outside its directory: '{shard}'")
        if not file.is_file():
            raise InputFileError(f"checkpoint shard '{file}' (named by '{index.name}') does not exist")
        tensors = read_safetensors(file) if file.suffix == ".safetensors" else read_torch(file)
        missing = [k for k in keys if k not in tensors]
        if missing:
            raise InputFileError(f"checkpoint shard '{file}' lacks {len(missing)} tensors its index names "
                                 f"(e.g. '{missing[0]}')")
        state.update({k: tensors[k] for k in keys})
    return state, len(shards)
