"""Checks of what the user's checkpoint and model hold, before anything is cast or evaluated (issue 17).

Each check raises a one-line `HessdiagError` naming what is wrong with the input, where torch would
otherwise fail deep inside (a `meta` tensor, an integer key, a checkpoint dict that contains itself) or,
worse, go on quietly with other numbers than the user's:

- A complex weight cast to a real dtype loses its imaginary part (torch only warns); an integer or
  bool tensor loaded into a floating-point parameter is cast without a word. Either way the curvature
  measured would be that of other weights than the checkpoint's, so both are refused, not cast.
- A tensor on the `meta` device has a shape but no values: there is nothing to measure.
- A model whose output is not a real floating-point tensor (an integer `argmax`, a `round().long()`,
  a bool mask, a complex tensor) has no derivative the losses can use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import torch
from torch import Tensor, nn

from ..errors import CheckpointError, ModelError

_DEPTH = 32  # checkpoint dicts nested deeper than this under state_dict/model keys are refused


def kind_of(dtype: torch.dtype) -> str:
    """'floating', 'complex', 'bool' or 'integer'."""
    if dtype.is_complex:
        return "complex"
    if dtype.is_floating_point:
        return "floating"
    return "bool" if dtype == torch.bool else "integer"


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def check_nesting(obj: Any, seen: tuple[int, ...], path: Path) -> tuple[int, ...]:
    """`seen` extended by `obj`; refuses a dict that contains itself (or nests absurdly deep)."""
    if id(obj) in seen:
        raise CheckpointError(f"checkpoint '{path}' holds a dict that contains itself; no state dict can be read")
    if len(seen) >= _DEPTH:
        raise CheckpointError(f"checkpoint '{path}' nests dicts more than {_DEPTH} levels deep; "
                              "no state dict can be read")
    return (*seen, id(obj))


def check_state_dict(state: Mapping[Any, Tensor], path: Path) -> None:
    """Every key a name (a str), every tensor with values (not on the `meta` device)."""
    for key, tensor in state.items():
        if not isinstance(key, str):
            raise CheckpointError(f"checkpoint '{path}' has a key {key!r} of type {type(key).__name__}; "
                                  "state dict keys must be parameter names (str)")
        if tensor.is_meta:
            raise CheckpointError(f"checkpoint '{path}': tensor '{key}' is on the meta device (a shape without "
                                  "values); save the checkpoint from a materialised model")


def check_checkpoint_dtypes(state: Mapping[str, Tensor], expected: Mapping[str, Tensor], path: Path) -> None:
    """A floating-point model tensor accepts only a real floating-point checkpoint tensor (no silent cast)."""
    for key, tensor in state.items():
        want = expected.get(key)
        if want is None or not want.is_floating_point() or tensor.is_floating_point():
            continue
        kind = kind_of(tensor.dtype)
        loss = "its imaginary part would be dropped" if kind == "complex" else "it would be cast to floating point"
        raise CheckpointError(
            f"checkpoint '{path}': tensor '{key}' is {_dtype_name(tensor.dtype)} but the model's is "
            f"{_dtype_name(want.dtype)}; refused because {loss} silently (save real floating-point weights)"
        )


def check_model_tensors(module: nn.Module, description: str) -> None:
    """No parameter or buffer on the `meta` device; no complex parameter or buffer (a cast to the run's
    real dtype would drop its imaginary part). Integer and bool buffers (counters, masks) are not cast."""
    for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
        if tensor.is_meta:
            raise ModelError(f"{description}: tensor '{name}' is on the meta device (a shape without values); "
                             "materialise the model in its factory (to_empty() and load weights)")
        if tensor.is_complex():
            raise ModelError(f"{description}: tensor '{name}' is {_dtype_name(tensor.dtype)}; complex weights are "
                             "refused (casting to a real dtype would drop the imaginary part)")


def check_output(out: Any, description: str) -> None:
    """The model's output must be one real floating-point tensor."""
    if not isinstance(out, Tensor):
        raise ModelError(f"the model returns a {type(out).__name__}; hessdiag needs one output tensor")
    if not out.is_floating_point():
        raise ModelError(f"the model '{description}' returns a tensor of dtype {_dtype_name(out.dtype)}; the loss "
                         "needs a real floating-point output (no argmax, round().long() or comparison at the end)")
