"""`hessdiag.interrupts` (issue 17, item 7): the first signal raises, later ones are absorbed, a block
under `deferred()` is never cut, an interrupt Python drops inside a finalizer is delivered again, and
the exit line describes the files on disk."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from hessdiag import interrupts
from hessdiag.interrupts import Interrupted, Ledger, Signals, describe_files, from_signal


def test_describe_files_counts_a_crowded_directory():
    paths = [Path("r.json"), Path("figs/a.png"), Path("figs/b.png"), Path("figs/c.png"), Path("r.html")]
    assert describe_files(paths) == "r.json, r.html, 3 files in figs/"  # grouped by directory
    assert describe_files([Path("figs/a.png"), Path("figs/b.png")]) == "figs/a.png, figs/b.png"


def test_the_exit_line_says_what_is_on_disk():
    state = Signals()
    state.first = signal.SIGINT
    assert state.message() == "interrupted; no report was written" and state.exit_code == 130
    state.files = Ledger(planned=[Path("r.json"), Path("r.html")], written=[Path("r.json")])
    assert state.message() == "interrupted while writing the report; written: r.json; not written: r.html"
    state.files.written.append(Path("r.html"))
    assert state.message() == "interrupted after the report was written; written: r.json, r.html"
    state.first = signal.SIGTERM
    assert state.message().startswith("terminated (SIGTERM) after") and state.exit_code == 143


def test_first_signal_raises_later_ones_are_absorbed():
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with interrupts.session() as state:
        with pytest.raises(Interrupted) as info:
            signal.raise_signal(signal.SIGTERM)
        assert info.value.signum == signal.SIGTERM and from_signal(info.value)
        signal.raise_signal(signal.SIGINT)  # absorbed: no exception
        signal.raise_signal(signal.SIGTERM)
        assert state.first == signal.SIGTERM and state.exit_code == 143
        assert not from_signal(KeyboardInterrupt())  # under the handler, a plain one was raised by code
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == previous
    assert interrupts.current() is None


def test_deferred_block_runs_to_its_end_under_the_command_line():
    with interrupts.session() as state:
        done = []
        with interrupts.deferred():
            signal.raise_signal(signal.SIGINT)
            done.append("renamed")
        assert done == ["renamed"] and state.first == signal.SIGINT
        with pytest.raises(Interrupted):
            interrupts.raise_pending()


def test_deferred_block_outside_the_command_line_raises_after_it():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.deferred():
            signal.raise_signal(signal.SIGINT)
            done.append("renamed")
    assert done == ["renamed"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert from_signal(KeyboardInterrupt())  # Python's own handler: a KeyboardInterrupt is a Ctrl-C


class _Finalized:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)  # the signal lands while a finalizer runs


def test_an_interrupt_dropped_in_a_finalizer_is_delivered_again(capsys):
    with interrupts.session():
        with pytest.raises(Interrupted):
            _Finalized()  # dropped at once: __del__ runs, its exception is "ignored" by Python
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the next bytecodes: the interrupt comes back here
                pass
    assert "Exception ignored" not in capsys.readouterr().err
