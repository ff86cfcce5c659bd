"""Assemble a checked `Problem` from a model, data, a loss and the run's settings."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.func import functional_call

from ..errors import ConfigError, DataError, ModelError, NonFiniteError, first_line
from ..rng import generator
from .determinism import check_deterministic, fork_rng
from .factory import call_user
from .losses import Loss
from .models import LoadedModel, check_trainable, convert_torchscript, quiet_torch
from .problem import Problem, make_batches
from .validate import check_model_tensors, check_output

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(name: str) -> torch.device:
    """`auto` → CUDA when available, else CPU."""
    name = str(name).lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ConfigError(f"unknown device '{name}'; choose auto, cpu or cuda")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for, but no CUDA device is available")
    return torch.device(name)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """`auto` → float64 on the CPU (cheap and exact enough to check), float32 on a GPU."""
    name = str(name).lower()
    if name == "auto":
        return torch.float64 if device.type == "cpu" else torch.float32
    if name not in DTYPES:
        raise ConfigError(f"unknown dtype '{name}'; choose float32 or float64")
    return DTYPES[name]


def seeded_subset(n: int, samples: int | None, seed: int) -> Tensor | None:
    """Sorted indices of a seeded random subset of `samples` rows, or None for all rows."""
    if samples is None or samples >= n:
        return None
    if samples < 1:
        raise ConfigError(f"--samples must be at least 1; got {samples}")
    return torch.randperm(n, generator=generator(seed, "subset"))[:samples].sort().values


def _check_finite(name: str, tensor: Tensor, what: str) -> None:
    if tensor.is_floating_point() or tensor.is_complex():
        bad = ~torch.isfinite(tensor)
        if bool(bad.any()):
            raise NonFiniteError(f"{what} '{name}' contains {int(bad.sum())} NaN/Inf values")


def build_problem(model: LoadedModel, x: Tensor, y: Tensor, loss: Loss, *, samples: int | None,
                  batch_size: int | None, seed: int, dtype: torch.dtype, device: torch.device) -> Problem:
    """Check model, data and loss against each other and return the `Problem` (SPEC §1)."""
    for name, tensor in (("x", x), ("y", y)):
        if tensor.layout != torch.strided:
            raise DataError(f"data '{name}' is a {str(tensor.layout).removeprefix('torch.')} tensor; save it dense "
                            "(tensor.to_dense())")
    if x.ndim == 0 or y.ndim == 0:
        raise DataError("data 'x' and 'y' must have a sample dimension")
    if x.shape[0] != y.shape[0]:
        raise DataError(f"data 'x' has {x.shape[0]} samples but 'y' has {y.shape[0]}")
    if x.shape[0] == 0:
        raise DataError("data hold no samples")
    _check_finite("x", x, "data")
    _check_finite("y", y, "data")
    n_available = int(x.shape[0])
    subset = seeded_subset(n_available, samples, seed)
    if subset is not None:
        x, y = x[subset], y[subset]
    if x.is_floating_point():
        x = x.to(dtype)
    if model.kind == "torchscript":
        sample = x[:2]
        script_dtype = next((p.dtype for p in model.module.parameters()), dtype)
        sample = sample.to(script_dtype) if sample.is_floating_point() else sample
        _evaluate_or_explain(lambda: model.module(sample), x)  # a data mismatch is the data's fault, said so
        model = convert_torchscript(model, sample)
    check_trainable(model)
    check_model_tensors(model.module, model.description)
    module = model.module.to(device=device, dtype=dtype)
    if model.kind not in ("export", "torchscript"):  # programs are traced in eval mode (checked ops)
        module.eval()
    for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
        _check_finite(name, tensor, "weight")
    x, y = x.to(device), y.to(device)
    n = int(x.shape[0])
    fixed = model.fixed_batch_size
    size = fixed or min(batch_size or n, n)
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1; got {batch_size}")

    tensors = dict(module.named_parameters()) | dict(module.named_buffers())
    params = {name: tensors[name].detach() for name in model.trainable}

    def forward(p: dict[str, Tensor], inputs: Tensor) -> Tensor:
        return call_user(f"the forward of the model '{model.description}'", functional_call, module, p, (inputs,))

    probe = x[: fixed or min(n, 8)]
    if fixed and probe.shape[0] < fixed:
        probe = torch.cat([probe, probe[:1].expand(fixed - probe.shape[0], *probe.shape[1:])])
    with fork_rng(device):  # a random forward (refused below) leaves the caller's RNG as it was
        out = _evaluate_or_explain(lambda: forward(params, probe), x)
    check_output(out, model.description)
    y = loss.prepare_targets(y, out, dtype)
    warnings = list(model.warnings)
    if fixed and batch_size not in (None, fixed):
        warnings.append(f"the exported program accepts batches of {fixed} only; --batch-size {batch_size} ignored")
    if samples is not None and samples > n_available:
        warnings.append(f"--samples {samples} exceeds the {n_available} samples in the data: all of them are used")
    problem = Problem(
        module=module, forward=forward, params=params, loss=loss,
        batches=make_batches(x, y, size, dtype, fixed_size=fixed), n_samples=n, dtype=dtype,
        device=device, model_description=model.description, n_available=n_available, warnings=warnings,
    )
    rounding = check_deterministic(problem)
    if rounding:
        problem.warnings.append(rounding)
    return problem


def _evaluate_or_explain(evaluate, x: Tensor):
    """Run the model once on a few samples; a failure becomes a `ModelError` naming the data's shape."""
    try:
        with torch.no_grad(), quiet_torch():
            return evaluate()
    except Exception as exc:
        raise ModelError(
            f"the model cannot be evaluated on the data (x per sample has shape {tuple(x.shape[1:])}): "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
