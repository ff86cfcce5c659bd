"""`write_files`: all files staged before the first rename, the renames never cut by a signal, and a
write that stops early leaves nothing behind — no file, no temporary file, no directory it made
(issue 17, item 7)."""

from __future__ import annotations

import signal

import pytest

import hessdiag.report.outputs as outputs
from hessdiag import interrupts
from hessdiag.errors import InputFileError
from hessdiag.interrupts import Ledger


def _files(tmp_path):
    return {tmp_path / "r.json": "{}\n", tmp_path / "new" / "figs" / "a.png": b"png", tmp_path / "r.html": "<p>"}


def test_an_interrupt_while_staging_leaves_nothing(tmp_path, monkeypatch):
    staged = []
    real = outputs.stage

    def stage(path, data):
        if staged:
            raise KeyboardInterrupt
        staged.append(real(path, data))
        return staged[-1]

    monkeypatch.setattr(outputs, "stage", stage)
    ledger = Ledger()
    with pytest.raises(KeyboardInterrupt):
        outputs.write_files(_files(tmp_path), ledger=ledger, directory=tmp_path / "new" / "figs")
    assert ledger.written == [] and len(ledger.planned) == 3
    assert list(tmp_path.iterdir()) == []  # the temporary file and both new directories are gone


def test_a_signal_during_the_renames_waits_for_the_last_one(tmp_path, monkeypatch):
    real = outputs.commit

    def commit(tmp, path):
        signal.raise_signal(signal.SIGINT)  # lands inside the deferred block: remembered, not raised
        return real(tmp, path)

    monkeypatch.setattr(outputs, "commit", commit)
    with interrupts.session() as state:
        outputs.write_files(_files(tmp_path), ledger=state.files, directory=tmp_path / "new" / "figs")
        assert state.first == signal.SIGINT and state.files.written == list(_files(tmp_path))
        assert state.message().startswith("interrupted after the report was written; written: ")
    assert (tmp_path / "r.html").read_text() == "<p>" and not list(tmp_path.rglob("*.tmp"))


def test_a_failed_rename_names_what_was_already_written(tmp_path, monkeypatch):
    real = outputs.commit

    def commit(tmp, path):
        if path.name == "a.png":
            raise InputFileError(f"cannot write '{path}': disk full")
        return real(tmp, path)

    monkeypatch.setattr(outputs, "commit", commit)
    with pytest.raises(InputFileError, match=r"disk full; already written: .*r\.json"):
        outputs.write_files(_files(tmp_path), directory=tmp_path / "new" / "figs")
    assert not list(tmp_path.rglob("*.tmp"))
