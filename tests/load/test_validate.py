"""Bad checkpoints and models are named `HessdiagError`s, not internal errors (issue 17, items 4 and 5):
meta tensors, non-str keys, a dict that contains itself, complex/integer/bool weights (refused, not
cast: a cast would silently measure other weights), a model whose output is not real floating point."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from hessdiag.errors import CheckpointError, ModelError
from hessdiag.load import problem_from_objects
from hessdiag.load.checkpoints import extract_state_dict, load_checkpoint_into
from hessdiag.load.validate import kind_of


def _mlp() -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))


def _data(n: int = 6):
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, 4, generator=g), torch.randint(0, 2, (n,), generator=g)


def test_kind_of():
    assert [kind_of(t) for t in (torch.float32, torch.complex64, torch.bool, torch.int8)] == \
        ["floating", "complex", "bool", "integer"]


@pytest.mark.parametrize("key", [0, 1.5, None, ("a", "b"), True])
def test_non_str_keys_are_refused(key):
    state = dict(_mlp().state_dict())
    state[key] = state.pop("0.bias")
    with pytest.raises(CheckpointError, match="state dict keys must be parameter names"):
        extract_state_dict(state, "ck.pt")


@pytest.mark.parametrize("nest", ["state_dict", "model", "model_state_dict"])
def test_a_dict_that_contains_itself_is_refused(nest):
    outer = {"epoch": 3}
    inner = {"optimizer": {}, nest: outer}
    outer[nest] = inner
    with pytest.raises(CheckpointError, match="contains itself"):
        extract_state_dict(outer, "ck.pt")


def test_absurd_nesting_is_refused():
    obj = dict(_mlp().state_dict())
    for _ in range(40):
        obj = {"state_dict": obj}
    with pytest.raises(CheckpointError, match="levels deep"):
        extract_state_dict(obj, "ck.pt")
    obj = dict(_mlp().state_dict())
    for level in range(10):  # ten levels are read
        obj = {("model", "state_dict", "model_state_dict")[level % 3]: obj, "epoch": level}
    assert set(extract_state_dict(obj, "ck.pt")) == set(_mlp().state_dict())


def test_meta_tensors_in_a_checkpoint_are_refused(tmp_path):
    state = {k: v.to("meta") if k == "2.weight" else v for k, v in _mlp().state_dict().items()}
    with pytest.raises(CheckpointError, match="'2.weight' is on the meta device"):
        extract_state_dict(state, "ck.pt")


@pytest.mark.parametrize("dtype, why", [(torch.complex128, "imaginary part would be dropped"),
                                        (torch.int64, "cast to floating point"),
                                        (torch.int8, "cast to floating point"),
                                        (torch.bool, "cast to floating point")])
def test_non_float_checkpoint_weights_are_refused_and_the_model_untouched(tmp_path, dtype, why):
    model = _mlp().double()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    state = {k: (v * 3).to(dtype) if k == "0.weight" else v for k, v in model.state_dict().items()}
    torch.save(state, tmp_path / "ck.pt")
    with pytest.raises(CheckpointError, match=why) as info:
        load_checkpoint_into(model, tmp_path / "ck.pt", trust_pickle=False)
    assert "'0.weight'" in str(info.value) and "\n" not in str(info.value)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_integer_buffers_stay_allowed(tmp_path):
    with torch.random.fork_rng(devices=[]):
        model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    torch.save(model.state_dict(), tmp_path / "ck.pt")  # num_batches_tracked is int64, as the model's
    load_checkpoint_into(model, tmp_path / "ck.pt", trust_pickle=False)


class _IntOut(nn.Linear):
    def forward(self, x):
        return super().forward(x).argmax(-1)


class _Complex(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(4, 2, dtype=torch.complex64))

    def forward(self, x):
        return (x.to(self.w.dtype) @ self.w).real


class _BoolOut(nn.Linear):
    def forward(self, x):
        return super().forward(x) > 0


@pytest.mark.parametrize("model, fragment", [
    (lambda: _IntOut(4, 2), "returns a tensor of dtype int64"),
    (lambda: _BoolOut(4, 2), "returns a tensor of dtype bool"),
    (lambda: _Complex(), "complex weights are refused"),
    (lambda: nn.Linear(4, 2, device="meta"), "is on the meta device"),
])
def test_bad_models_are_model_errors(model, fragment):
    x, y = _data()
    with torch.random.fork_rng(devices=[]):
        built = model()
    with pytest.raises(ModelError, match=fragment):
        problem_from_objects(built, x, y, "ce", device="cpu")
