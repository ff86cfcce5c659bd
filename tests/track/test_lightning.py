"""The Lightning callback (extra `lightning`) records the timeline during `Trainer.fit`.

Lightning imports torchmetrics, which imports torchvision when its metadata says it is installed; the
torchvision wheel here cannot load beside the CPU torch, so the run happens in a subprocess that hides
torchvision (None in sys.modules, no distribution metadata) — as a user without torchvision has it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from hessdiag.track.schema import track_schema

SCRIPT = Path(__file__).with_name("_lightning_run.py")


def test_lightning_callback_records_the_timeline(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "t.json")], capture_output=True, text=True,
                          timeout=900, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary == {"steps": [0, 2, 4], "global_step": 5, "torchvision": False}
    doc = json.loads((tmp_path / "t.json").read_text())
    jsonschema.validate(doc, track_schema())
    assert doc["complete"] and [p["step"] for p in doc["points"]] == [0, 2, 4]
    assert all(p["lambda_max"]["value"] > 0 for p in doc["points"])
