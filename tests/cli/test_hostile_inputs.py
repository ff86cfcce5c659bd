"""A property of every bad input (issue 17, item 4): generated hostile checkpoints, models and data sets
(`helpers.hostile`, seeded) are each refused with exit 1 and one line that names the defect — never an
"internal error", never a traceback — and every file that existed before, an earlier report at the
`--json` path included, is byte-identical afterwards (sha256)."""

from __future__ import annotations

import sys

import pytest

from helpers.hostile import CHECKPOINT_DEFECTS, DATA_DEFECTS, MODEL_DEFECTS, hostile_cases, write_data
from helpers.refusals import invoke_refused

CASES = hostile_cases(seed=1717, count=45)


def test_the_generator_covers_every_defect():
    assert len(CASES) >= 3 * max(len(CHECKPOINT_DEFECTS), len(MODEL_DEFECTS), len(DATA_DEFECTS))
    assert len({case.name for case in CASES}) > 30  # details vary, not only the defect


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{i}-{c.name}"[:60] for i, c in enumerate(CASES)])
def test_hostile_input_is_refused_in_one_line(index, tmp_path, monkeypatch):
    case = CASES[index]
    write_data(tmp_path)
    (tmp_path / "r.json").write_text('{"earlier": "report"}\n')
    module = f"h17gen{index}"
    args = case.write(tmp_path, module)
    monkeypatch.chdir(tmp_path)
    try:
        line = invoke_refused(["run", *args, "--only", "noise", "--top-k", "1", "--quiet", "--json", "r.json"],
                              [tmp_path], case.fragment)
    finally:
        sys.modules.pop(module, None)
    assert "internal error" not in line
