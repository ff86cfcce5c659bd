"""Checkpoint discovery: steps from names, from entries, from order; `--every`; learning-rate files."""

from __future__ import annotations

import pytest
import torch

from hessdiag.errors import ConfigError, InputFileError
from hessdiag.track import discover, learning_rates
from hessdiag.track.discover import every


def _save(path, **entries):
    torch.save({"state_dict": {"w": torch.zeros(2)}, **entries}, path)


@pytest.mark.parametrize("name, step", [
    ("epoch=3-step=400.ckpt", 400), ("step_1000.pt", 1000), ("step-7.pt", 7), ("global_step12.pt", 12),
    ("ckpt_0005.pt", 5), ("model.9.pth", 9),
])
def test_step_from_name(tmp_path, name, step):
    _save(tmp_path / name)
    (found,) = discover(tmp_path)
    assert (found.step, found.step_source) == (step, "name")


def test_step_from_entries_then_order(tmp_path):
    _save(tmp_path / "last.ckpt", global_step=77)
    _save(tmp_path / "final.pt", epoch=torch.tensor(3))
    _save(tmp_path / "best.pt")  # nothing says: its position in name order (0: best, final, last)
    found = discover(tmp_path)
    assert [(c.path.name, c.step, c.step_source) for c in found] == [
        ("best.pt", 0, "order"), ("final.pt", 3, "entry"), ("last.ckpt", 77, "entry")]


def test_sorted_by_step_glob_and_every(tmp_path):
    for step in (0, 5, 10, 100, 20):
        _save(tmp_path / f"step_{step}.pt")
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    steps = [c.step for c in discover(tmp_path)]
    assert steps == [0, 5, 10, 20, 100]
    assert [c.step for c in discover(str(tmp_path / "step_1*.pt"))] == [10, 100]
    assert [c.step for c in every(discover(tmp_path), 2)] == [0, 10, 100]
    assert [c.step for c in every(discover(tmp_path), 3)] == [0, 20, 100]  # the last one is always kept
    with pytest.raises(ConfigError):
        every(discover(tmp_path), 0)


def test_refusals(tmp_path):
    with pytest.raises(InputFileError, match="no checkpoints"):
        discover(tmp_path)
    with pytest.raises(InputFileError, match="neither"):
        discover(tmp_path / "missing")
    _save(tmp_path / "a_step_1.pt")
    _save(tmp_path / "b_step_1.pt")
    with pytest.raises(InputFileError, match="both are step 1"):
        discover(tmp_path)


def test_learning_rates(tmp_path):
    assert learning_rates(None) is None
    assert learning_rates(0.1).at(12345) == 0.1
    assert learning_rates("0.5").at(0) == 0.5
    schedule = tmp_path / "lr.txt"
    schedule.write_text("# step lr\n0 0.1\n100, 0.05  # decay\n\n300 0.01\n")
    rates = learning_rates(str(schedule))
    assert [rates.at(s) for s in (0, 99, 100, 299, 300, 10**6)] == [0.1, 0.1, 0.05, 0.05, 0.01, 0.01]
    schedule.write_text("0 fast\n")
    with pytest.raises(ConfigError, match="not a number"):
        learning_rates(str(schedule))
    with pytest.raises(ConfigError, match="positive"):
        learning_rates(-1.0)
