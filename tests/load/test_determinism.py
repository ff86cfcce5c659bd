"""The data pass must be a function of θ (issue 17, item 5): loss and gradient computed twice on the first
batch agree to the last bit, or the model is refused naming the random forward. The models differ from a
deterministic MLP only by their randomness, so a refusal can only come from it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from hessdiag.errors import ModelError
from hessdiag.load import determinism, problem_from_objects
from hessdiag.load.determinism import _differ, check_deterministic


class Noisy(nn.Module):
    """y = Wx + b + scale·ε, ε ~ N(0, 1) drawn at every call (torch.randn in forward)."""

    def __init__(self, scale: float):
        super().__init__()
        self.lin, self.scale = nn.Linear(4, 3), scale

    def forward(self, x):
        return self.lin(x) + self.scale * torch.randn(x.shape[0], 3, dtype=x.dtype)


class CustomDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)

    def forward(self, x):
        return F.dropout(torch.tanh(self.lin(x)), 0.3, training=True)


class KeepsDropoutOn(nn.Module):
    """A custom layer that keeps its dropout in train mode when hessdiag calls eval()."""

    def __init__(self):
        super().__init__()
        self.lin, self.drop = nn.Linear(4, 3), nn.Dropout(0.3)

    def train(self, mode=True):
        super().train(mode)
        self.drop.train(True)
        return self

    def forward(self, x):
        return self.drop(self.lin(x))


class Dropout(nn.Module):
    """nn.Dropout in an ordinary module: eval() turns it off, so the pass is deterministic."""

    def __init__(self):
        super().__init__()
        self.lin, self.drop = nn.Linear(4, 3), nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.lin(x))


def _problem(make, **kw):
    g = torch.Generator().manual_seed(3)
    x, y = torch.randn(12, 4, generator=g), torch.randint(0, 3, (12,), generator=g)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = make()
    return problem_from_objects(model, x, y, "ce", device="cpu", **kw)


@pytest.mark.parametrize("make", [lambda: Noisy(0.1), CustomDropout, KeepsDropoutOn],
                         ids=["randn", "F.dropout", "train-mode-dropout"])
def test_random_forwards_are_refused(make):
    with pytest.raises(ModelError, match="is random: two passes over the first batch") as info:
        _problem(make)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("make", [Dropout, lambda: nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 3))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_deterministic_forwards_pass(make, dtype):
    problem = _problem(make, dtype=dtype, batch_size=5)
    assert check_deterministic(problem) is None


def test_noise_at_the_last_bit_is_still_random_on_the_cpu():
    """1e-15 on logits of order 1 changes a few of the last bits of float64 (ε = 2.2e-16): still refused."""
    with pytest.raises(ModelError, match="is random"):
        _problem(lambda: Noisy(1e-15))


def test_cuda_rounding_is_a_warning_larger_gaps_are_refused(monkeypatch):
    """On CUDA, gaps ≤ CUDA_ROUNDING·ε (relative) are taken as nondeterministic kernels' rounding. Tested
    on the CPU with the problem's device relabelled (only the RNG fork and the decision read it)."""
    monkeypatch.setattr(determinism, "fork_rng", lambda device: torch.random.fork_rng(devices=[]))
    problem = _problem(Dropout)
    problem.module.drop.p = 0.0
    problem.device = torch.device("cuda")
    noise = {"scale": 1e-15}

    def forward(params, x):
        out = torch.func.functional_call(problem.module, params, (x,))
        return out + noise["scale"] * torch.randn(out.shape, dtype=out.dtype)

    problem.forward = forward
    warning = check_deterministic(problem)
    assert warning is not None and "differ by rounding" in warning
    noise["scale"] = 1e-3
    with pytest.raises(ModelError, match="is random"):
        check_deterministic(problem)


def test_differ():
    a = torch.tensor([1.0, float("nan"), 2.0], dtype=torch.float64)
    assert _differ(a, a.clone()) == 0.0
    assert _differ(a, torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64)) == float("inf")
    assert _differ(a, torch.tensor([1.0, float("nan"), 2.5], dtype=torch.float64)) == pytest.approx(0.25)


def test_the_check_leaves_the_global_rng_as_it_was():
    """The autouse fixture asserts it; a refused random model must not leak draws either."""
    with pytest.raises(ModelError):
        _problem(lambda: Noisy(0.1))


class Detached(nn.Linear):
    def forward(self, x):
        return super().forward(x).detach()


class _Fails(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        raise TypeError("the user's backward is broken")


class BrokenBackward(nn.Linear):
    def forward(self, x):
        return _Fails.apply(super().forward(x))


@pytest.mark.parametrize("make, fragment", [(lambda: Detached(4, 3), "does not depend on its trainable weights"),
                                            (lambda: BrokenBackward(4, 3), "cannot be computed: TypeError: the user")])
def test_a_loss_without_a_gradient_is_a_model_error(make, fragment):
    with pytest.raises(ModelError, match=fragment):
        _problem(make)
