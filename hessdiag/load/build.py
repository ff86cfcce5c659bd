"""Assemble a checked `Problem` from a model, data, a loss and the run's settings."""

from __future__ import annotations

from typing import Callable, Iterator

import torch
from torch import Tensor, nn

from .. import distributed
from ..errors import ConfigError, DataError, HessdiagError, ModelError, NonFiniteError, first_line
from ..rng import generator
from .batch import Batch, Inputs, call_module, cast_inputs, describe_inputs, input_tensors, is_mapping, select_rows
from .determinism import check_deterministic, fork_rng
from .factory import call_user
from .loader import LoaderBatches, LoaderData
from .losses import Loss
from .model_output import OutputSelector
from .models import LoadedModel, check_trainable, convert_torchscript, program_to_device, quiet_torch
from .problem import Problem, make_batches
from .token_losses import TokenCrossEntropy
from .validate import check_model_tensors, check_output

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(name: str) -> torch.device:
    """`auto` → CUDA when available, else CPU."""
    name = str(name).lower()
    if name == "auto":
        return distributed.local_device(torch.device("cuda" if torch.cuda.is_available() else "cpu"))
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ConfigError(f"unknown device '{name}'; choose auto, cpu or cuda")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for, but no CUDA device is available")
    return distributed.local_device(torch.device(name))


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


def local_shard(x: Inputs, y: Tensor, w: Tensor) -> Batch:
    """This rank's rows of the selection (`Batch.shard`: contiguous by global sample index) with their
    global weights w_n; all rows in a single process. An empty shard is one padding row (a copy of the
    first row at w = 0), so that every pass runs and contributes exact zeros to the all-reduced sums."""
    whole = Batch(x, y, w)
    if not distributed.active():
        return whole
    part = whole.shard(distributed.rank(), distributed.world_size())
    return part if part.size else Batch(whole.head(1).x, whole.head(1).y, w[:1] * 0)


def shard_range(count: int) -> tuple[int, int]:
    """This rank's contiguous range [⌊r·B/K⌋, ⌊(r+1)·B/K⌋) of a DataLoader's B batches (all in one process)."""
    r, k = distributed.rank(), distributed.world_size()
    return (r * count // k, (r + 1) * count // k) if distributed.active() else (0, count)


def _check_finite(name: str, tensor: Tensor, what: str) -> None:
    if tensor.is_floating_point() or tensor.is_complex():
        bad = ~torch.isfinite(tensor)
        if bool(bad.any()):
            raise NonFiniteError(f"{what} '{name}' contains {int(bad.sum())} NaN/Inf values")


def check_data(x: Inputs, y: Tensor) -> int:
    """Dense, finite tensors with one shared sample dimension; returns the number of samples."""
    if is_mapping(x) and not x:
        raise DataError("data 'x' is an empty mapping; it must hold the model's input tensors")
    named = [(name if name == "x" else f"x['{name}']", t) for name, t in input_tensors(x)] + [("y", y)]
    for name, tensor in named:
        if not isinstance(tensor, Tensor):
            raise DataError(f"data {name} is a {type(tensor).__name__}, not a tensor")
        if tensor.layout != torch.strided:
            raise DataError(f"data '{name}' is a {str(tensor.layout).removeprefix('torch.')} tensor; save it dense "
                            "(tensor.to_dense())")
        if tensor.ndim == 0:
            raise DataError("data 'x' and 'y' must have a sample dimension")
    counts = {name: int(t.shape[0]) for name, t in named}
    if len(set(counts.values())) != 1:
        first, *rest = counts.items()
        found = " but ".join([f"data '{first[0]}' has {first[1]} samples"] +
                             [f"'{name}' has {count}" for name, count in rest if count != first[1]])
        raise DataError(found)
    if counts["y"] == 0:
        raise DataError("data hold no samples")
    for name, tensor in named:
        _check_finite(name, tensor, "data")
    return counts["y"]


def _prepare_model(model: LoadedModel, x: Inputs, dtype: torch.dtype,
                   device: torch.device) -> tuple[LoadedModel, nn.Module]:
    """Convert a TorchScript model (on two samples), check it trains something, move it, set eval mode."""
    if model.kind == "torchscript":
        if is_mapping(x):
            raise DataError("mapping inputs need a model built by a factory or hf:DIR; a TorchScript archive "
                            "takes one input tensor")
        sample = x[:2]
        script_dtype = next((p.dtype for p in model.module.parameters()), dtype)
        sample = sample.to(script_dtype) if sample.is_floating_point() else sample
        _evaluate_or_explain(lambda: model.module(sample), x)  # a data mismatch is the data's fault, said so
        model = convert_torchscript(model, sample)
    check_trainable(model)
    check_model_tensors(model.module, model.description)
    module = model.module
    if model.kind in ("export", "torchscript"):
        module = program_to_device(module, device)
    module = module.to(device=device, dtype=dtype)
    if model.kind not in ("export", "torchscript"):  # programs are traced in eval mode (checked ops)
        module.eval()
    for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
        _check_finite(name, tensor, "weight")
    return model, module


def _functional(model: LoadedModel, module: nn.Module, selector: OutputSelector
                ) -> tuple[dict[str, Tensor], Callable[[dict[str, Tensor], Inputs], Tensor]]:
    """θ (the trainable tensors, detached) and f(params, x): the module called functionally, the output
    tensor picked from what it returns."""
    tensors = dict(module.named_parameters()) | dict(module.named_buffers())

    def forward(p: dict[str, Tensor], inputs: Inputs) -> Tensor:
        return selector.pick(call_user(f"the forward of the model '{model.description}'", call_module, module, p,
                                       inputs))

    return {name: tensors[name].detach() for name in model.trainable}, forward


def objective_notes(loss: Loss, n: int, normaliser: int) -> list[str]:
    """What a sample is, when it is not simply a row averaged with 1/N (the token losses)."""
    if not isinstance(loss, TokenCrossEntropy):
        return []
    return [f"loss {loss.name}: R is the mean over the {normaliser} labelled tokens of {n} sequences; the noise "
            "and fisher sections treat each sequence as one sample (its summed token loss)"]


def build_problem(model: LoadedModel, x: Inputs, y: Tensor, loss: Loss, *, samples: int | None,
                  batch_size: int | None, seed: int, dtype: torch.dtype, device: torch.device,
                  output: str | None = None) -> Problem:
    """Check model, data and loss against each other and return the `Problem` (SPEC §1).

    `x` is a tensor or a mapping of tensors (keyword arguments of the model); `output` picks the
    output tensor from what the model returns (`OutputSelector`).
    """
    n_available = check_data(x, y)
    subset = seeded_subset(n_available, samples, seed)
    if subset is not None:
        x, y = select_rows(x, subset), y[subset]
    x = cast_inputs(x, dtype)  # floating inputs only: token ids and masks keep their integer dtype
    model, module = _prepare_model(model, x, dtype, device)
    y = y.to(device)  # the inputs move to the device as this rank's shard (below)
    n = int(y.shape[0])
    fixed = model.fixed_batch_size
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1; got {batch_size}")
    size = fixed or min(batch_size or n, n)

    selector = OutputSelector(output)
    params, forward = _functional(model, module, selector)
    probe = Batch(cast_inputs(select_rows(x, slice(0, fixed or min(n, 8))), device=device), y[: fixed or min(n, 8)],
                  y.new_zeros(0))
    if fixed:
        probe = Batch(probe.x, probe.y, torch.ones(probe.size)).padded(fixed)
    with fork_rng(device):  # a random forward (refused below) leaves the caller's RNG as it was
        out = _evaluate_or_explain(lambda: forward(params, probe.x), x)
    check_output(out, model.description)
    y = loss.prepare_targets(y, out, dtype)
    normaliser = loss.normaliser(y)
    warnings = list(model.warnings) + objective_notes(loss, n, normaliser)
    if fixed and batch_size not in (None, fixed):
        warnings.append(f"the exported program accepts batches of {fixed} only; --batch-size {batch_size} ignored")
    if samples is not None and samples > n_available:
        warnings.append(f"--samples {samples} exceeds the {n_available} samples in the data: all of them are used")
    shard = local_shard(x, y, torch.full((n,), 1.0 / normaliser, dtype=dtype, device=device))
    problem = Problem(
        module=module, forward=forward, params=params, loss=loss,
        batches=make_batches(cast_inputs(shard.x, device=device), shard.y, size, shard.w, dtype, fixed_size=fixed),
        n_samples=n, dtype=dtype,
        device=device, model_description=model.description, n_available=n_available, warnings=warnings,
        output=selector, sample_scale=n / normaliser, provenance=dict(model.provenance), fixed_batch=fixed,
        row_output_shape=tuple(out.shape[1:]),
    )
    rounding = check_deterministic(problem)
    if rounding:
        problem.warnings.append(rounding)
    return problem


def build_problem_from_loader(model: LoadedModel, data: LoaderData, loss: Loss, *, samples: int | None,
                              batch_size: int | None, seed: int, dtype: torch.dtype, device: torch.device,
                              output: str | None = None) -> Problem:
    """The `Problem` of a DataLoader kept as its batches (`loader.LoaderData`): one pass checks every batch,
    evaluates the model on it (the output shapes check the targets) and counts the rows and the
    loss's normaliser; then the batches are held prepared, or re-iterated and prepared per pass."""
    if samples is not None and data.rows is None:
        raise ConfigError("--samples needs a DataLoader over a map-style dataset (this one is iterable)")
    subset = seeded_subset(data.rows, samples, seed) if data.rows is not None else None
    held = data.held if subset is None and batch_size is None else None
    if held is None and data.held is not None:
        held = list(data.batches(batch_size, subset))

    def raw():
        return iter(held) if held is not None else iter(data.batches(batch_size, subset))

    selector = OutputSelector(output)
    model, module, params, forward, shapes, n, normaliser = _scan(raw, model, loss, dtype, device, selector)

    lo, hi = shard_range(len(shapes))
    empty = lo == hi  # no batch for this rank: the first batch's first row at weight 0

    def local_raw():
        if empty:
            return iter([next(iter(raw()))])
        return (item for i, item in enumerate(raw()) if lo <= i < hi)

    def prepare(index: int, x: Inputs, y: Tensor) -> Batch:
        stub = torch.empty(shapes[lo + index], device="meta")
        y = loss.prepare_targets(y, stub, dtype)
        w = torch.full((int(y.shape[0]),), 0.0 if empty else 1.0 / normaliser, dtype=dtype, device=device)
        batch = Batch(cast_inputs(x, dtype, device), y.to(device), w)
        return batch.head(1) if empty else batch

    batches = LoaderBatches(local_raw, prepare, max(hi - lo, 1), hold=held is not None)
    how = data.how if held is None or data.held is None else data.how + " (held in memory)"
    problem = Problem(module=module, forward=forward, params=params, loss=loss, batches=batches, n_samples=n,
                      dtype=dtype, device=device, model_description=model.description,
                      n_available=data.rows,
                      warnings=list(model.warnings) + [how] + objective_notes(loss, n, normaliser),
                      output=selector, sample_scale=n / normaliser, provenance=dict(model.provenance) | {"data": how},
                      row_output_shape=shapes[0][1:])
    rounding = check_deterministic(problem)
    if rounding:
        problem.warnings.append(rounding)
    return problem


def _scan(raw: Callable[[], Iterator[tuple[Inputs, Tensor]]], model: LoadedModel, loss: Loss, dtype: torch.dtype,
          device: torch.device, selector: OutputSelector) -> tuple:
    """One pass over a loader's raw batches: checks each, prepares the model on the first, evaluates it on
    every batch (its output shape checks the targets) and counts the rows and the loss's normaliser.
    Returns the prepared model and module, θ, f, the output shapes per batch, N and the normaliser."""
    module, params, forward, shapes, n, normaliser = None, None, None, [], 0, 0
    for x, y in raw():
        check_data(x, y)
        x = cast_inputs(x, dtype)
        if module is None:
            model, module = _prepare_model(model, x, dtype, device)
            if model.fixed_batch_size:
                raise DataError("a program exported for a fixed batch size needs data given as (x, y), not a "
                                "DataLoader with batches of other shapes")
            params, forward = _functional(model, module, selector)
        with fork_rng(device):
            out = _evaluate_or_explain(lambda: forward(params, cast_inputs(x, device=device)), x)
        check_output(out, model.description)
        y = loss.prepare_targets(y, out, dtype)
        shapes.append(tuple(out.shape))
        n, normaliser = n + int(y.shape[0]), normaliser + loss.normaliser(y)
    if module is None:
        raise DataError("data hold no samples")
    return model, module, params, forward, shapes, n, normaliser


def _evaluate_or_explain(evaluate, x: Inputs):
    """Run the model once on a few samples; a failure becomes a `ModelError` naming the data's shape."""
    try:
        with torch.no_grad(), quiet_torch():
            return evaluate()
    except HessdiagError:
        raise
    except Exception as exc:
        what = "x per sample has shape" if not is_mapping(x) else "inputs per sample:"
        raise ModelError(
            f"the model cannot be evaluated on the data ({what} {describe_inputs(x)}): "
            f"{type(exc).__name__}: {first_line(exc)}"
        ) from None
