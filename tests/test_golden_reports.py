"""The default report and holdout-style reports against golden JSON files (issue 12).

The golden files were written by hessdiag before its restructuring; a run today must report the
same numbers (`helpers.golden.differences`: relative 1e-7, timings and output paths aside). When a
change is *meant* to alter a report, regenerate them with `python tests/golden/make_golden.py` and say
why in the commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.golden import differences
from hessdiag.api import run
from hessdiag.load import make_settings

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).parent.parent
RUNS = {
    "default": dict(),
    "wine": dict(config=ROOT / "configs" / "wine_logreg.toml"),
    "ci": dict(config=ROOT / "configs" / "ci_diagnostic.toml"),
    "stochastic": dict(exact_max_d=0, samples=300),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_report_matches_its_golden_file(name):
    options = dict(RUNS[name])
    config = options.pop("config", None)
    doc = run(make_settings(config, quiet=True, **options)).to_dict()
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    found = differences(doc, golden)
    assert not found, "\n".join(found[:20])
