"""TF32 switches for one run: set on CUDA only, and the caller's values back afterwards, also after an
error. The switches are plain process-wide flags, so a `torch.device("cuda")` object exercises them on a
machine without a GPU; `tests/test_distributed.py -k cuda` runs a whole report on a GPU."""

import pytest
import torch

from hessdiag.load import tf32_for_run
from hessdiag.load.precision import TF32_NOTE


@pytest.fixture
def switches():
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def _state() -> tuple[bool, bool]:
    return torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32


@pytest.mark.parametrize("caller", [(False, True), (True, True), (False, False), (True, False)])
@pytest.mark.parametrize("allow", [False, True])
def test_on_cuda_both_switches_follow_the_run_then_return_to_the_caller(switches, caller, allow):
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = caller
    with tf32_for_run(torch.device("cuda"), allow) as notes:
        assert _state() == (allow, allow)
        assert notes == ([TF32_NOTE] if allow else [])
    assert _state() == caller


def test_the_callers_switches_return_after_an_error(switches):
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = False, True  # PyTorch's defaults
    with pytest.raises(RuntimeError, match="inside"), tf32_for_run(torch.device("cuda"), False):
        assert _state() == (False, False)
        raise RuntimeError("inside")
    assert _state() == (False, True)


@pytest.mark.parametrize("allow", [False, True])
def test_on_the_cpu_nothing_changes(switches, allow):
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = False, True
    with tf32_for_run(torch.device("cpu"), allow) as notes:
        assert _state() == (False, True) and notes == []
    assert _state() == (False, True)
