"""`load.models.program_to_device`: a program (torch.export, or TorchScript converted to one) moved whole to
the run's device. Its factory nodes were recorded with `device=cpu` and its constants are plain tensor
attributes, so `nn.Module.to` alone leaves both on the CPU. The meta device stands in for a GPU, under a
dispatch mode that refuses an operation on tensors of two devices (PyTorch itself lets meta and CPU mix)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.devices import OneDevicePerOperation
from hessdiag.load.models import LoadedModel, convert_torchscript, program_to_device


class _MakesTensors(nn.Module):
    """A constant attribute, and tensors made inside the forward (zeros on x's device, an arange)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 2)
        self.offset = torch.tensor([1.0, 2.0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) + torch.zeros(x.shape[0], 2, device=x.device) + self.offset + torch.arange(2)


def _program(kind: str) -> nn.Module:
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    with torch.random.fork_rng(devices=[]):  # nn.Linear's initialisation draws from the global RNG
        torch.manual_seed(0)
        model = _MakesTensors()
    if kind == "export":
        return torch.export.export(model, (x,)).module()
    scripted = LoadedModel(torch.jit.script(model), ["linear.weight", "linear.bias"], "torchscript", "scripted")
    return convert_torchscript(scripted, x[:2]).module


@pytest.mark.parametrize("kind", ["export", "torchscript"])
def test_a_program_runs_on_the_device_it_was_moved_to(kind):
    x = torch.empty(4, 3, device="meta")
    with OneDevicePerOperation(), pytest.raises(RuntimeError, match="two devices|got tensors on"):
        _program(kind).to("meta")(x)  # what `.to` alone gave: the CPU's zeros and constant beside meta
    with OneDevicePerOperation():
        out = program_to_device(_program(kind), torch.device("meta"))(x)
    assert out.device.type == "meta" and out.shape == (4, 2)


@pytest.mark.parametrize("kind", ["export", "torchscript"])
def test_on_the_cpu_the_moved_program_computes_the_same(kind):
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))  # the export's batch size
    program = _program(kind)
    expected = program(x)
    assert torch.equal(program_to_device(program, torch.device("cpu"))(x), expected)
