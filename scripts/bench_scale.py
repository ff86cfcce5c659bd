"""What a run costs as models grow: 1e4 to 1e7 parameters (MLP, ResNet-18-shaped CNN on 32×32, transformer).

Each case is one `hessdiag run` in its own process (`--dtype float32`, as on a GPU; `--quiet`), so that
its peak resident memory is its own. For `--only spectrum` and for the full run it prints the wall
time, the time in gradient-pass equivalents (the run's work divided by one gradient pass over the same
data, measured by the run itself: machine speed cancels), the cost plan's forecast and its ratio to
the measured time, the peak memory, and whether the top eigenvalues converged. `--budget` (default
none) is passed on; the plan's cuts are printed. Run under the shared lock so timings are not spoiled:

    flock /tmp/hessdiag-bench.lock python scripts/bench_scale.py --cases mlp_1e4,transformer_1e5 --runs spectrum,full
    flock /tmp/hessdiag-bench.lock python scripts/bench_scale.py --cases cnn_1e7 --runs spectrum --budget 900
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import _scale_models as models  # noqa: E402

DEFAULT_CASES = "mlp_1e4,transformer_1e5,cnn_1e6,cnn_1e7"
SAMPLES = {"mlp": 256, "cnn": 32, "transformer": 32}


def run_case(name: str, run: str, data: Path, out: Path, budget: float | None, extra: list[str]) -> dict:
    args = [sys.executable, "-m", "hessdiag", "run", "--model", f"scripts._scale_models:{name}", "--data", str(data),
            "--loss", "ce", "--dtype", "float32", "--quiet", "--json", str(out), *extra]
    if run == "spectrum":
        args += ["--only", "spectrum"]
    if budget is not None:
        args += ["--budget", str(budget)]
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return {"case": name, "run": run, "error": done.stderr.strip().splitlines()[-1:], "wall_s": wall}
    doc = json.loads(out.read_text())
    cost = doc["settings"]["cost"]
    took, gradient = cost["measured"]["seconds"], cost["units"]["gradient_pass_s"]
    return {"case": name, "run": run, "d": doc["problem"]["d"], "n": doc["problem"]["n_samples"], "wall_s": wall,
            "load_s": doc["timings"].get("load"), "work_s": took, "planned_s": cost["expected_seconds"],
            "plan_ratio": took / cost["expected_seconds"] if cost["expected_seconds"] else None,
            "gradient_s": gradient, "gradient_equivalents": took / gradient if gradient else None,
            "peak_mib": cost["measured"]["peak_memory_bytes"] / 2**20, "exact": cost["exact"],
            "cuts": {k: f"{v['from']}→{v['to']}" for k, v in cost["cuts"].items()},
            "converged": doc["eigenvalues"]["converged"], "top": doc["eigenvalues"]["top"][0],
            "hvp_mode": cost["units"]["hvp_mode"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=DEFAULT_CASES, help=f"comma list of {', '.join(models.FACTORIES)}")
    parser.add_argument("--runs", default="spectrum", help="spectrum, full or both (comma list)")
    parser.add_argument("--budget", type=float, default=None)
    parser.add_argument("--json", default=None, help="also write the rows here")
    parser.add_argument("extra", nargs="*", help="more `hessdiag run` options after --")
    opts = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in opts.cases.split(","):
            family = name.split("_")[0]
            data = Path(tmp) / f"{family}.pt"
            if not data.exists():
                torch.save(models.data(family, SAMPLES[family]), data)
            for run in opts.runs.split(","):
                row = run_case(name, run, data, Path(tmp) / f"{name}-{run}.json", opts.budget, opts.extra)
                rows.append(row)
                print(json.dumps(row), flush=True)
    print(f"\n{'case':<16}{'run':<9}{'d':>11}{'work s':>9}{'plan s':>9}{'ratio':>7}{'grad-eq':>9}{'peak MiB':>10}"
          "  converged  cuts")
    for r in rows:
        if "error" in r:
            print(f"{r['case']:<16}{r['run']:<9} failed after {r['wall_s']:.0f} s: {r['error']}")
            continue
        print(f"{r['case']:<16}{r['run']:<9}{r['d']:>11,}{r['work_s']:>9.1f}{r['planned_s']:>9.1f}"
              f"{r['plan_ratio']:>7.2f}{r['gradient_equivalents']:>9.0f}{r['peak_mib']:>10.0f}  "
              f"{str(r['converged']):<9}  {r['cuts'] or ''}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
