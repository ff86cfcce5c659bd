"""An allocation that fails during the work becomes one line naming what was asked, where, and the flags
that reduce it (`work.out_of_memory`); torch's CPU and CUDA messages are read for the bytes asked."""

from __future__ import annotations

import pytest

from helpers.cases import CASES
from hessdiag import api
from hessdiag.errors import MemoryBudgetError
from hessdiag.work.out_of_memory import is_out_of_memory, requested_bytes

CPU = ("[enforce fail at alloc_cpu.cpp:121] data. DefaultCPUAllocator: can't allocate memory: you tried to "
       "allocate 54515414400 bytes. Error code 12 (Cannot allocate memory)")
CUDA = "CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 139.8 GiB total capacity)"


@pytest.mark.parametrize("exc, asked", [
    (RuntimeError(CPU), 54515414400),
    (RuntimeError(CUDA), int(2.5 * 2**30)),
    (MemoryError(), None),
])
def test_the_bytes_asked_are_read_from_torchs_message(exc, asked):
    assert is_out_of_memory(exc) and requested_bytes(exc) == asked


@pytest.mark.parametrize("exc", [RuntimeError("shapes cannot be multiplied"), ValueError("out of memory")])
def test_other_errors_are_not_out_of_memory(exc):
    assert not is_out_of_memory(exc)


def test_an_allocation_failure_during_the_work_is_a_one_line_answer(monkeypatch):
    """torch's CPU allocator message (the issue's 54.5 GB basis) becomes a MemoryBudgetError naming the
    allocation, the section and the flags."""

    def fail(*args, **kwargs):
        raise RuntimeError(CPU)

    monkeypatch.setattr("hessdiag.work.hessian.extreme_eigenpairs", fail)
    case = next(c for c in CASES if c.name == "tanh_mlp_ce")
    model, x, y = case.build()
    with pytest.raises(MemoryBudgetError) as err:
        api.diagnose(model, (x, y), case.loss, only="spectrum", dtype="float64")
    message = str(err.value)
    assert "\n" not in message and "54.5 GB" in message and "spectrum section" in message
    assert "--hvp fwd-rev" in message and "memory budget" in message
