"""Check: the whole default diagnosis on every model, checkpoint and data form the tests build.

    python scripts/check_forms.py [--device cuda] [--race-steps 20] [--only NAME,NAME]

The test suite runs most forms with `--only` or without the race, which hid three crashes and a hang
(a program exported for a fixed batch size in the race and in the F_mc diagonal, a DataLoader padding each
batch to its own length in F_mc and, under torchrun, in the race). This runs every section on each form,
in a fresh process each (`python -m hessdiag run`), in the three workspaces of `tests/helpers` (built in
a temporary folder), and prints one line per form: its exit status, the call and λ_max. With
`--device cuda` each form runs on the GPU and on the CPU in float64, and the line adds whether the calls
agree and how far apart the two λ_max are. Exit status 1 when any form fails (or the calls disagree).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

# name: (workspace, options); "ws" the user workspace, "forms" issue 13's forms, "dp" the data-parallel one
FORMS: dict[str, tuple[str, list[str]]] = {
    "factory": ("ws", ["--model", "usermodels:mlp", "--checkpoint", "ckpt.pt", "--data", "data.pt", "--loss", "ce"]),
    "lightning+npz": ("ws", ["--model", "usermodels:mlp", "--checkpoint", "lightning.ckpt", "--data", "data.npz",
                             "--loss", "ce", "--batch-size", "7"]),
    "dataset": ("ws", ["--model", "usermodels:mlp", "--data", "usermodels:dataset", "--loss", "ce"]),
    "batchnorm": ("ws", ["--model", "usermodels:bn_model", "--checkpoint", "bn.pt", "--data", "data.pt",
                         "--loss", "ce"]),
    "cnn": ("ws", ["--model", "usermodels:cnn", "--checkpoint", "cnn.pt", "--data", "images.pt", "--loss", "ce"]),
    "mse": ("ws", ["--model", "usermodels:regressor", "--data", "regression.pt", "--loss", "mse"]),
    "torchscript": ("ws", ["--model", "model.ts", "--data", "data.pt", "--loss", "ce", "--batch-size", "5"]),
    "export": ("ws", ["--model", "model.pt2", "--data", "data.pt", "--loss", "ce"]),
    "export, fixed batch": ("ws", ["--model", "model_static.pt2", "--data", "data.pt", "--loss", "ce"]),
    "export, fixed batch, operators": ("ws", ["--model", "model_static.pt2", "--data", "data.pt", "--loss", "ce",
                                              "--exact-max-d", "0"]),
    "safetensors": ("forms", ["--model", "userforms:mlp", "--checkpoint", "mlp.safetensors", "--data", "data.pt",
                              "--loss", "ce"]),
    "sharded+loader": ("forms", ["--model", "userforms:mlp", "--checkpoint", "sharded", "--data",
                                 "userforms:pairs_loader", "--loss", "ce"]),
    "tokens": ("forms", ["--model", "userforms:tagger", "--data", "userforms:token_dataset", "--loss", "token_ce"]),
    "tokens, ragged loader": ("forms", ["--model", "userforms:tagger", "--data", "userforms:ragged_loader",
                                        "--loss", "token_ce"]),
    "next token, HF columns": ("forms", ["--model", "userforms:tagger", "--data", "userforms:hf_dataset",
                                         "--loss", "next_token_ce", "--batch-size", "5"]),
    "mapping inputs": ("dp", ["--model", "dpmodels:keyed", "--checkpoint", "keyed.pt", "--data", "keyed_data.pt",
                              "--loss", "ce"]),
    "loader of 5 batches": ("dp", ["--model", "dpmodels:mlp", "--checkpoint", "mlp.pt", "--data", "dpmodels:loader",
                                   "--loss", "ce", "--exact-max-d", "0"]),
}


def workspaces(root: Path) -> dict[str, Path]:
    from helpers import distributed
    from helpers.forms_workspace import build_forms_workspace
    from helpers.workspace import build_workspace

    paths = {name: root / name for name in ("ws", "forms", "dp")}
    for path in paths.values():
        path.mkdir()
    build_workspace(paths["ws"])
    build_forms_workspace(paths["forms"])
    distributed.build(paths["dp"])
    return paths


def run(where: Path, options: list[str], device: str, race_steps: int, out: Path) -> tuple[int, dict | None, str]:
    env = dict(os.environ, PYTHONPATH=f"{where}{os.pathsep}{ROOT}")
    extra = ["--dtype", "float64"] if device == "cpu" else []
    done = subprocess.run([sys.executable, "-m", "hessdiag", "run", *options, "--device", device, *extra,
                           "--race-steps", str(race_steps), "--quiet", "--json", str(out)],
                          cwd=where, env=env, capture_output=True, text=True, timeout=900)
    report = json.loads(out.read_text()) if done.returncode == 0 and out.exists() else None
    return done.returncode, report, (done.stderr.strip().splitlines() or [""])[-1]


def summary(report: dict) -> tuple[str, float]:
    return report["recommendation"]["call"], report["eigenvalues"]["top"][0]["value"]


def race_rounds(report: dict) -> str:
    """How the race ran its rounds: batched or one run at a time (as the cost plan measured), or not at all."""
    if not report["recommendation"].get("race"):
        return "no race"
    return "race batched" if report["settings"]["cost"]["units"].get("race_runs_batched") else "race one at a time"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--race-steps", type=int, default=20)
    parser.add_argument("--only", help="comma list of form names (default: all)")
    args = parser.parse_args()
    chosen = [name for name in FORMS if args.only is None or name in args.only.split(",")]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = workspaces(Path(tmp))
        for name in chosen:
            where, options = FORMS[name]
            rc, report, last = run(paths[where], options, args.device, args.race_steps, Path(tmp) / "r.json")
            if report is None:
                failed += 1
                print(f"{name:<32} rc {rc}: {last[:200]}")
                continue
            call, top = summary(report)
            line = f"{name:<32} rc 0: {call}, λ_max {top:.8g}, {race_rounds(report)}"
            if args.device != "cpu":
                rc, cpu, last = run(paths[where], options, "cpu", args.race_steps, Path(tmp) / "c.json")
                if cpu is None:
                    failed += 1
                    line += f"; the CPU run failed (rc {rc}: {last[:120]})"
                else:
                    cpu_call, cpu_top = summary(cpu)
                    failed += cpu_call != call
                    line += f"; CPU float64: {cpu_call}, λ_max differs by {abs(top - cpu_top):.2g}"
            print(line, flush=True)
    print(f"{len(chosen) - failed} of {len(chosen)} forms passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
