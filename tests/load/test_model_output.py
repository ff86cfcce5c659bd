"""Picking the output tensor from a tensor, a tuple, a mapping or a Hugging Face ModelOutput (`--output`)."""

from __future__ import annotations

import pytest
import torch

from hessdiag.errors import ModelError
from hessdiag.load.model_output import OutputSelector

LOGITS, HIDDEN = torch.ones(2, 3), torch.zeros(2, 4)


def test_default_rule():
    pick = OutputSelector().pick
    assert pick(LOGITS) is LOGITS
    assert pick((LOGITS, HIDDEN)) is LOGITS and pick([LOGITS]) is LOGITS
    assert pick({"hidden": HIDDEN, "logits": LOGITS}) is LOGITS
    assert pick({"scores": LOGITS, "n": 3}) is LOGITS  # the only tensor


def test_a_hugging_face_model_output_is_a_mapping():
    from hessdiag.load.hf import without_torchvision

    with without_torchvision():
        from transformers.modeling_outputs import TokenClassifierOutput

    out = TokenClassifierOutput(loss=None, logits=LOGITS, hidden_states=(HIDDEN,))
    assert OutputSelector().pick(out) is LOGITS
    with pytest.raises(ModelError, match="is a tuple, not a tensor"):
        OutputSelector("hidden_states").pick(out)


def test_explicit_keys_and_indices():
    assert OutputSelector("hidden").pick({"hidden": HIDDEN, "logits": LOGITS}) is HIDDEN
    assert OutputSelector("1").pick((LOGITS, HIDDEN)) is HIDDEN
    assert OutputSelector("-1").pick((LOGITS, HIDDEN)) is HIDDEN


@pytest.mark.parametrize("selector, value, message", [
    (OutputSelector(), {"a": LOGITS, "b": HIDDEN}, "keys a, b and no 'logits'; pick the output with --output KEY"),
    (OutputSelector("c"), {"a": LOGITS}, "--output c: the model's dict has keys a"),
    (OutputSelector("x"), LOGITS, "single tensor; --output x"),
    (OutputSelector("5"), (LOGITS,), "--output 5: the model returns 1 values"),
    (OutputSelector("name"), (LOGITS,), "takes an index there"),
    (OutputSelector(), (3, LOGITS), "element 0 of the model's tuple is a int"),
    (OutputSelector(), "text", "returns a str"),
    (OutputSelector(), (), "empty tuple"),
])
def test_clear_errors_when_no_tensor_can_be_picked(selector, value, message):
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)").replace("'", ".")):
        selector.pick(value)
