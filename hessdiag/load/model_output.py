"""Pick the output tensor f(x; θ) the loss is applied to, whatever the model returns (SPEC §8 `--output`).

A model may return a tensor; a tuple or list (its first element, or `--output INDEX`); a mapping, a
Hugging Face `ModelOutput` included (`--output KEY`, by default `logits` when present, or the only
tensor it holds). Anything else, or a choice that names no tensor, is a `ModelError` saying what the
model returned and how to pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from torch import Tensor

from ..errors import ModelError

DEFAULT_KEY = "logits"


def _describe(value: Any) -> str:
    if isinstance(value, Tensor):
        return f"tensor {tuple(value.shape)}"
    return type(value).__name__


@dataclass(frozen=True)
class OutputSelector:
    """Which part of the model's return value is the output f: None = the default rule, else a key or index."""

    key: str | None = None

    def pick(self, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            if self.key is not None:
                raise ModelError(f"the model returns a single tensor; --output {self.key} names nothing in it")
            return value
        if isinstance(value, Mapping):
            return self._from_mapping(value)
        if isinstance(value, (tuple, list)):
            return self._from_sequence(value)
        raise ModelError(f"the model returns a {type(value).__name__}; hessdiag needs a tensor, a tuple, "
                         "a mapping or a ModelOutput holding the output tensor")

    def _from_mapping(self, value: Mapping) -> Tensor:
        keys = [str(k) for k in value.keys()]
        tensors = [k for k, v in value.items() if isinstance(v, Tensor)]
        if self.key is not None:
            if self.key not in value:
                raise ModelError(f"--output {self.key}: the model's {type(value).__name__} has keys "
                                 f"{', '.join(keys) or '(none)'}")
            chosen = value[self.key]
        elif DEFAULT_KEY in value:
            chosen = value[DEFAULT_KEY]
        elif len(tensors) == 1:
            chosen = value[tensors[0]]
        else:
            raise ModelError(f"the model returns a {type(value).__name__} with keys {', '.join(keys) or '(none)'} "
                             "and no 'logits'; pick the output with --output KEY")
        if not isinstance(chosen, Tensor):
            raise ModelError(f"the model's output '{self.key or DEFAULT_KEY}' is a {_describe(chosen)}, not a tensor")
        return chosen

    def _from_sequence(self, value: tuple | list) -> Tensor:
        if not value:
            raise ModelError("the model returns an empty tuple")
        if self.key is None:
            index = 0
        elif self.key.lstrip("-").isdigit():
            index = int(self.key)
        else:
            raise ModelError(f"the model returns a {type(value).__name__}; --output takes an index there, "
                             f"not '{self.key}'")
        if not -len(value) <= index < len(value):
            raise ModelError(f"--output {index}: the model returns {len(value)} values")
        chosen = value[index]
        if not isinstance(chosen, Tensor):
            raise ModelError(f"element {index} of the model's {type(value).__name__} is a {_describe(chosen)}, "
                             "not a tensor; pick the output with --output INDEX")
        return chosen
