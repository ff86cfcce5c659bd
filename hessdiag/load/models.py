"""Build the model from `--model` (SPEC §8): a factory, a TorchScript archive, a torch.export program or
`hf:DIR`, a local Hugging Face directory (`hf.py`).

Every form ends as an `nn.Module` that `torch.func.functional_call` can evaluate with substituted
trainable tensors. TorchScript cannot be used with torch.func directly, so a scripted model is
converted to an exported program (torch's TorchScript→export converter) with the batch dimension
dynamic; its trainable tensors are the scripted model's parameters with `requires_grad`.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, ConfigError, ModelError, first_line
from .checkpoints import describe_checkpoint, load_checkpoint_into
from .factory import call_factory, resolve_factory
from .files import check_input_file
from .supported import check_graph_ops, check_module_layers
from .validate import check_model_tensors


@dataclass
class LoadedModel:
    """A model ready to be evaluated functionally, with the names of its trainable tensors."""

    module: nn.Module
    trainable: list[str]
    kind: str  # "factory" | "torchscript" | "export" | "hf" | "object"
    description: str
    fixed_batch_size: int | None = None
    warnings: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)  # how the weights were read (recorded in the report)


@contextlib.contextmanager
def quiet_torch() -> Iterator[None]:
    """Silence torch's Python warnings and logging while converting or loading programs."""
    loggers = [logging.getLogger(n) for n in ("torch", "torch._export", "torch.export", "torch._dynamo")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _is_torchscript(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.endswith("constants.pkl") for n in names) and any("/code/" in n for n in names)


def from_module(module: nn.Module, description: str, kind: str = "object") -> LoadedModel:
    """Wrap an in-memory nn.Module (factory result or a notebook's model)."""
    if not isinstance(module, nn.Module):
        raise ModelError(f"{description} is a {type(module).__name__}, not a torch.nn.Module")
    found = check_module_layers(module)
    trainable = [n for n, p in module.named_parameters() if p.requires_grad]
    return LoadedModel(module.eval(), trainable, kind, description, warnings=found)


def _load_export(path: Path) -> LoadedModel:
    try:
        with quiet_torch():
            program = torch.export.load(str(path))
            module = program.module()
    except Exception as exc:
        raise ModelError(f"cannot load exported program '{path}': {first_line(exc)}") from None
    check_graph_ops(module, f"exported program '{path}'")
    fixed = None
    for node in module.graph.nodes:
        if node.op == "placeholder" and "val" in node.meta and hasattr(node.meta["val"], "shape"):
            first = node.meta["val"].shape[0] if node.meta["val"].ndim else None
            fixed = first if isinstance(first, int) else None
            break
    trainable = [n for n, p in module.named_parameters() if p.requires_grad]
    desc = f"torch.export program {path.name}"
    return LoadedModel(module, trainable, "export", desc, fixed_batch_size=fixed)


def _load_torchscript(path: Path) -> LoadedModel:
    try:
        scripted = torch.jit.load(str(path), map_location="cpu")
    except Exception as exc:
        raise ModelError(f"cannot load TorchScript archive '{path}': {first_line(exc)}") from None
    trainable = [n for n, p in scripted.named_parameters() if p.requires_grad]
    return LoadedModel(scripted.eval(), trainable, "torchscript", f"TorchScript archive {path.name}")


def convert_torchscript(model: LoadedModel, sample_x: Tensor) -> LoadedModel:
    """Turn a scripted model into an exported program (dynamic batch) that torch.func can evaluate."""
    from torch._export.converter import TS2EPConverter

    try:
        with quiet_torch():
            program = TS2EPConverter(model.module, (sample_x,)).convert()
            module = program.module()
    except Exception as exc:
        raise ModelError(
            f"cannot convert {model.description} for differentiation ({first_line(exc)}); "
            "export the model with torch.export instead"
        ) from None
    check_graph_ops(module, model.description)
    missing = [n for n in model.trainable if n not in dict(module.named_buffers()) | dict(module.named_parameters())]
    if missing:
        raise ModelError(f"{model.description}: converted program lost parameters {', '.join(missing[:4])}")
    return LoadedModel(module, model.trainable, "torchscript", model.description)


def load_model(spec: str, checkpoint: Path | None, search_paths: Sequence[Path], trust_pickle: bool,
               seed: int, dtype: torch.dtype | None = None, hf_task: str | None = None) -> LoadedModel:
    """The model named by `spec` with the checkpoint's weights loaded (TorchScript still unconverted).

    A factory called without a checkpoint runs under a forked RNG seeded with `seed`, so its random
    initial weights are reproducible and the global RNG is left as it was. A factory's module is cast
    to the run's `dtype` before the checkpoint is loaded, so float64 weights keep every digit.
    """
    path = Path(spec)
    if spec.startswith("hf:"):
        from .hf import load_hf_model

        module, description, notes = load_hf_model(spec, hf_task, seed, dtype)
        model = from_module(module, description, kind="hf")
        model.warnings[:0] = notes
    elif hf_task is not None:
        raise ConfigError("--hf-task needs --model hf:DIR")
    elif path.exists() and check_input_file(path, "model file"):
        if path.suffix == ".pt2":
            model = _load_export(path)
        elif _is_torchscript(path):
            model = _load_torchscript(path)
        else:
            raise ModelError(
                f"model file '{path}' is neither a torch.export program (.pt2) nor a TorchScript archive; "
                "for a checkpoint, pass --model package.module:factory --checkpoint FILE"
            )
    else:
        factory = resolve_factory(spec, search_paths, "model")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = call_factory(factory, spec, "model")
        if isinstance(module, torch.nn.Module):
            check_model_tensors(module, f"model '{spec}'")  # before the cast below could drop anything
        if dtype is not None and isinstance(module, torch.nn.Module):
            module = module.to(dtype)
        model = from_module(module, f"{spec}", kind="factory")
    if checkpoint is not None:
        info = load_checkpoint_into(model.module, Path(checkpoint), trust_pickle)
        model.provenance["checkpoint"] = info
        note = describe_checkpoint(Path(checkpoint), info)
        if note:
            model.warnings.append(note)
    elif model.kind == "factory":
        model.warnings.append(f"no checkpoint given: diagnosing the initial weights of '{spec}' (seed {seed})")
    return model


def check_trainable(model: LoadedModel) -> None:
    if not model.trainable:
        raise CheckpointError(f"{model.description} has no trainable parameters (requires_grad=True)")


def program_to_device(module: nn.Module, device: torch.device) -> nn.Module:
    """A program's graph module (torch.export, or TorchScript converted to one) on `device`: `nn.Module.to`
    moves parameters and buffers only, while a program also holds constants as plain tensor attributes,
    and factory nodes (zeros, arange, …) recorded at export time with `device=cpu`, even for
    `device=x.device` in the source. Both would meet the device's activations on the CPU. (In place; the
    module is returned.)"""
    for sub in module.modules():
        registered = set(dict(sub.named_parameters(recurse=False))) | set(dict(sub.named_buffers(recurse=False)))
        for name, value in list(vars(sub).items()):
            if isinstance(value, Tensor) and name not in registered:
                setattr(sub, name, value.to(device))
        graph = getattr(sub, "graph", None)
        if isinstance(graph, torch.fx.Graph):
            for node in graph.nodes:
                if isinstance(node.kwargs.get("device"), (torch.device, str)):
                    node.update_kwarg("device", device)
            sub.recompile()
    return module.to(device)
