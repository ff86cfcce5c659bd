"""No false success (issue 17, item 2): SystemExit, KeyboardInterrupt or any other BaseException raised by
the user's code — a factory, a module being imported, a forward (at its first call or deep inside the
computation), a data set — is exit 1 with one line naming that code; never exit 0, never a traceback,
nothing written."""

from __future__ import annotations

import sys

import pytest

from helpers.refusals import invoke_refused, run_module, snapshot

HOSTILE = '''
import sys
import torch
from torch import nn


class Stop(BaseException):
    pass


def exits():
    sys.exit(0)


def interrupts():
    raise KeyboardInterrupt


def base_exception():
    raise Stop("the user's own BaseException")


class ExitsInForward(nn.Module):
    def __init__(self, after):
        super().__init__()
        self.lin = nn.Linear(8, 3)
        self.calls, self.after = 0, after

    def forward(self, x):
        self.calls += 1
        if self.calls > self.after:
            sys.exit(0)
        return self.lin(x)


def forward_exits_at_once():
    return ExitsInForward(0)


def forward_exits_later():
    return ExitsInForward(12)


class Hooked(nn.Linear):
    def eval(self):  # hessdiag puts the model in eval mode: user code outside the factory and forward
        sys.exit(0)


def eval_exits():
    return Hooked(8, 3)


class Items(torch.utils.data.Dataset):
    def __init__(self, bad):
        self.bad = bad

    def __len__(self):
        if self.bad == "len":
            raise KeyboardInterrupt
        return 10

    def __getitem__(self, i):
        if self.bad == "item" and i == 3:
            sys.exit(3)
        return torch.zeros(8), torch.tensor(0)


def items_exit():
    return Items("item")


def len_interrupts():
    return Items("len")


def data_exits():
    sys.exit(0)
'''

EXITS_ON_IMPORT = "import sys\nsys.exit(0)\n"


@pytest.fixture
def hostile(tmp_path, monkeypatch, workspace):
    """A directory with the hostile modules (unique names), as the working directory."""
    (tmp_path / "h17hostile.py").write_text(HOSTILE)
    (tmp_path / "h17exits_on_import.py").write_text(EXITS_ON_IMPORT)
    (tmp_path / "data.pt").write_bytes((workspace / "data.pt").read_bytes())
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    for name in ("h17hostile", "h17exits_on_import"):
        sys.modules.pop(name, None)


MODEL = ["--data", "data.pt", "--loss", "ce"]
DATA = ["--model", "h17hostile:forward_exits_later", "--loss", "ce"]
CASES = {
    "builtins_exit": (["--model", "builtins:exit", *MODEL], "model factory 'builtins:exit' called exit"),
    "factory_sys_exit": (["--model", "h17hostile:exits", *MODEL], "model factory 'h17hostile:exits' called exit"),
    "factory_keyboard_interrupt": (["--model", "h17hostile:interrupts", *MODEL],
                                   "raised KeyboardInterrupt (no Ctrl-C was pressed)"),
    "factory_base_exception": (["--model", "h17hostile:base_exception", *MODEL],
                               "raised Stop: the user's own BaseException"),
    "module_exits_on_import": (["--model", "h17exits_on_import:make", *MODEL],
                               "importing module 'h17exits_on_import' for model"),
    "forward_exits_at_first_call": (["--model", "h17hostile:forward_exits_at_once", *MODEL],
                                    "the forward of the model 'h17hostile:forward_exits_at_once' called exit"),
    "forward_exits_during_the_computation": (["--model", "h17hostile:forward_exits_later", *MODEL],
                                             "the forward of the model 'h17hostile:forward_exits_later' called exit"),
    "user_eval_exits": (["--model", "h17hostile:eval_exits", *MODEL], "called exit (SystemExit: 0) during the run"),
    "dataset_item_exits": ([*DATA, "--data", "h17hostile:items_exit"], "data set 'h17hostile:items_exit' called exit"),
    "dataset_len_interrupts": ([*DATA, "--data", "h17hostile:len_interrupts"], "raised KeyboardInterrupt"),
    "data_factory_exits": ([*DATA, "--data", "h17hostile:data_exits"], "data factory 'h17hostile:data_exits' called"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_user_code_that_exits_is_exit_1(name, hostile):
    args, fragment = CASES[name]
    invoke_refused(["run", *args, "--top-k", "1", "--quiet", "--json", "r.json"], [hostile], fragment)


@pytest.mark.parametrize("name", ["builtins_exit", "forward_exits_during_the_computation", "dataset_item_exits"])
def test_user_code_that_exits_from_the_console_script(name, hostile):
    args, fragment = CASES[name]
    before = snapshot(hostile)
    done = run_module(["run", *args, "--top-k", "1", "--quiet", "--json", "r.json"], cwd=hostile)
    assert done.returncode == 1, (done.returncode, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert snapshot(hostile) == before
