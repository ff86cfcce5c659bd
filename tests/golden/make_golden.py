"""Rewrite the golden reports of tests/test_golden_reports.py from the current code.

Run only when a change is meant to alter what a run reports, and say why in the commit:
    .venv/bin/python tests/golden/make_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from test_golden_reports import RUNS  # noqa: E402

from hessdiag.api import run  # noqa: E402
from hessdiag.load import make_settings  # noqa: E402

for name, options in RUNS.items():
    options = dict(options)
    config = options.pop("config", None)
    (HERE / f"{name}.json").write_text(run(make_settings(config, quiet=True, **options)).to_json())
    print(f"wrote {HERE / name}.json")
