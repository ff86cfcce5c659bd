"""Loading: checkpoint, data and config → a checked `Problem` (the first layer of hessdiag)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Mapping

import torch
from torch import Tensor, nn

from ..errors import ConfigError, ModelError
from .batch import Batch, Inputs, make_batches, map_inputs
from .build import build_problem, build_problem_from_loader, resolve_device, resolve_dtype
from .config import Settings, make_settings, read_config
from .data import load_data
from .default import trained_default
from .losses import DEFAULT_IGNORE_INDEX, LOSSES, Loss, get_loss, loss_names
from .models import LoadedModel, from_module, load_model
from .precision import set_tf32, tf32_for_run
from .problem import ParamBlock, ParamLayout, Problem

__all__ = [
    "Batch", "Inputs", "LOSSES", "LoadedModel", "Loss", "ParamBlock", "ParamLayout", "Problem", "Settings",
    "get_loss", "load_problem", "loss_names", "make_batches", "make_settings", "problem_from_objects",
    "read_config", "set_tf32", "tf32_for_run",
]


def load_problem(settings: Settings) -> Problem:
    """Resolve the settings' model, checkpoint, data and loss into a checked `Problem`.

    With no model given, the built-in default (an MLP trained on digits) is used.
    """
    device = resolve_device(settings.device)
    dtype = resolve_dtype(settings.dtype, device)
    search = [Path(p) for p in settings.search_paths]
    if settings.model is None:
        if settings.checkpoint is not None or settings.data is not None:
            raise ConfigError("--checkpoint and --data need --model (or a config naming the model)")
        model, x, y = trained_default()
        loss = get_loss(settings.loss or "ce")
    else:
        if settings.data is None:
            raise ConfigError("--model needs --data (a file, sklearn:<name> or module:factory)")
        if settings.loss is None:
            raise ConfigError(f"--model needs --loss ({', '.join(loss_names())})")
        loss = get_loss(settings.loss, settings.ignore_index)
        checkpoint = Path(settings.checkpoint) if settings.checkpoint else None
        model = load_model(settings.model, checkpoint, search, settings.trust_pickle, settings.seed, dtype,
                           hf_task=settings.hf_task)
        data = load_data(settings.data, search, settings.trust_pickle)
        if data.how:
            model.provenance["data"] = data.how
        if data.loader is not None:
            problem = build_problem_from_loader(model, data.loader, loss, samples=settings.samples,
                                                batch_size=settings.batch_size, seed=settings.seed, dtype=dtype,
                                                device=device, output=settings.output)
            return problem
        x, y = data.x, data.y
    problem = build_problem(model, x, y, loss, samples=settings.samples, batch_size=settings.batch_size,
                            seed=settings.seed, dtype=dtype, device=device, output=settings.output)
    return problem


def problem_from_objects(model: nn.Module, x: Inputs, y: Tensor, loss: str | Loss, *,
                         samples: int | None = None, batch_size: int | None = None, seed: int = 0,
                         dtype: str = "auto", device: str = "auto", output: str | None = None,
                         ignore_index: int = DEFAULT_IGNORE_INDEX) -> Problem:
    """A `Problem` from in-memory objects (a notebook's model, its inputs — a tensor or a mapping of
    tensors passed as keyword arguments — and targets).

    The model is copied first, so the caller's module keeps its dtype, device and train/eval mode.
    """
    dev = resolve_device(device)
    loss_obj = loss if isinstance(loss, Loss) else get_loss(loss, ignore_index)
    if not isinstance(model, nn.Module):
        raise ModelError(f"model is a {type(model).__name__}, not a torch.nn.Module")
    loaded = from_module(copy.deepcopy(model), type(model).__name__)
    inputs = map_inputs(torch.as_tensor, x) if isinstance(x, Mapping) else torch.as_tensor(x)
    return build_problem(loaded, inputs, torch.as_tensor(y), loss_obj, samples=samples, batch_size=batch_size,
                         seed=seed, dtype=resolve_dtype(dtype, dev), device=dev, output=output)
