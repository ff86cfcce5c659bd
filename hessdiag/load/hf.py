"""Hugging Face models from a local directory: `--model hf:DIR --hf-task TASK` (optional extra `hf`).

DIR holds `config.json` and the weights (`model.safetensors`, a sharded safetensors index, or
`pytorch_model.bin`), as `save_pretrained` writes them. The model class is `AutoModelFor…` chosen by
the task (`HF_TASKS`; by default from the config's `architectures`). Everything is offline:
`local_files_only=True`, and the hub's offline switches are set while the model is built, so nothing
is ever downloaded. Weights the directory lacks (a new classification head) are initialised by
transformers under a forked RNG seeded with the run's seed (the global RNG is left as it was), and a
warning says which. Attention is built with the `eager` implementation (plain differentiable
operators, no data-dependent branches that vmap cannot follow); dropout is off in eval mode.

hessdiag never needs torchvision. transformers imports it where it is installed, and an installed
torchvision that does not match the torch build fails on import (a CPU torch beside a CUDA
torchvision), so transformers is told that torchvision is absent while it loads (`without_torchvision`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata as metadata
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterator

import torch

from ..errors import ConfigError, ModelError, first_line

HF_TASKS = {
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "causal-lm": "AutoModelForCausalLM",
    "masked-lm": "AutoModelForMaskedLM",
    "image-classification": "AutoModelForImageClassification",
}
_ARCHITECTURE_SUFFIXES = {"ForSequenceClassification": "sequence-classification",
                          "ForTokenClassification": "token-classification", "ForCausalLM": "causal-lm",
                          "LMHeadModel": "causal-lm", "ForMaskedLM": "masked-lm",
                          "ForImageClassification": "image-classification"}
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


@contextlib.contextmanager
def without_torchvision() -> Iterator[None]:
    """transformers sees no torchvision inside the block; restored after. Nothing is hidden when torchvision
    or transformers is imported already (transformers decides once, on import, whether torchvision is
    there: hiding it afterwards would break its lazy imports)."""
    if sys.modules.get("torchvision") is not None or "transformers" in sys.modules:
        yield
        return
    distribution, version = metadata.distribution, metadata.version

    def hide(lookup):
        def wrapped(name):
            if str(name).lower() == "torchvision":
                raise metadata.PackageNotFoundError(name)
            return lookup(name)
        return wrapped

    metadata.distribution, metadata.version = hide(distribution), hide(version)
    sys.modules["torchvision"] = None  # type: ignore[assignment]  # `import torchvision` → ImportError
    try:
        yield
    finally:
        metadata.distribution, metadata.version = distribution, version
        if sys.modules.get("torchvision", 0) is None:
            del sys.modules["torchvision"]


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in _OFFLINE}
    os.environ.update(_OFFLINE)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def task_for(directory: Path, task: str | None) -> str:
    """The task asked for, or the one the config's `architectures` names."""
    if task is not None:
        key = str(task).strip().lower().replace("_", "-")
        if key not in HF_TASKS:
            raise ConfigError(f"unknown --hf-task '{task}'; choose one of {', '.join(HF_TASKS)}")
        return key
    try:
        architectures = json.loads((directory / "config.json").read_text()).get("architectures") or []
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read '{directory / 'config.json'}': {first_line(exc)}") from None
    for name in architectures:
        for suffix, found in _ARCHITECTURE_SUFFIXES.items():
            if str(name).endswith(suffix):
                return found
    named = ", ".join(architectures) or "no architectures"
    raise ConfigError(f"hf:{directory}: the config names no task head ({named}); pass --hf-task "
                      f"({', '.join(HF_TASKS)})")


def load_hf_model(spec: str, task: str | None, seed: int, dtype: torch.dtype | None) -> tuple[Any, str, list[str]]:
    """(module, description, warnings) for `hf:DIR`."""
    directory = Path(spec[len("hf:"):]).expanduser()
    if not (directory / "config.json").is_file():
        raise ModelError(f"hf:{directory} is not a Hugging Face model directory (no config.json)")
    chosen = task_for(directory, task)
    with without_torchvision(), _offline():
        try:
            import transformers
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise ModelError("--model hf:… needs the transformers package: pip install 'hessdiag[hf]'") from None
        auto = getattr(transformers, HF_TASKS[chosen])
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            try:
                model, info = auto.from_pretrained(str(directory), local_files_only=True, output_loading_info=True,
                                                   attn_implementation="eager", dtype=dtype)
            except Exception as exc:
                raise ModelError(f"cannot build {HF_TASKS[chosen]} from hf:{directory}: "
                                 f"{type(exc).__name__}: {first_line(exc)}") from None
    warnings = []
    missing = sorted(info.get("missing_keys", []))
    if missing:
        more = f" (+{len(missing) - 4} more)" if len(missing) > 4 else ""
        warnings.append(f"hf:{directory.name}: {len(missing)} weights are not in the directory and were initialised "
                        f"at random (seed {seed}): {', '.join(missing[:4])}{more}")
    description = f"hf:{directory.name} ({type(model).__name__}, task {chosen})"
    return model.eval(), description, warnings
