"""Data-parallel speed-up (issue 15): Hessian-product throughput and full-run time with 1 and 2 gloo ranks.

The same model and data (an MLP 64→128→10, d = 9,610, on N seeded samples, float64) are measured by
`torchrun --nproc-per-node K` for K = 1 and 2 on the CPU, one thread per rank (OMP_NUM_THREADS=1 and
torch.set_num_threads(1)), so that 2 ranks use twice the cores of 1: the ratio is the data-parallel
scaling, all-reduces included. Measured in each run:

- products/s: Hessian–vector products per second of `HessianOperator.matmat` on blocks of 8 vectors
  (retained gradient graphs, every product all-reduced), median of interleaved repetitions;
- run s: the wall time of `diagnose_problem` with `--only spectrum,noise --exact-max-d 0 --race-steps 0`
  (Lanczos, Hutch++, SLQ, per-sample gradients: every collective of a real run).

Where CUDA devices are present, K = 1..#GPUs GPU ranks (NCCL) are measured as well. Every rank count is launched
`--rounds` times, interleaved (1, 2, 1, 2, …); prints, per rank count, the median over rounds of the
speed-up against the 1-rank launch of the same round, and every round's figure (the spread).
Run it under the shared lock:

    flock /tmp/hessdiag-bench.lock .venv/bin/python scripts/bench_distributed.py [--samples 4096]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(samples: int, repeats: int, device: str) -> None:
    """One rank: build the problem, time products and a run; rank 0 prints one JSON line."""
    import torch
    from torch import nn

    from hessdiag import distributed
    from hessdiag.load import make_settings, problem_from_objects
    from hessdiag.operators.hessian import HessianOperator
    from hessdiag.rng import generator
    from hessdiag.sections.run import diagnose_problem

    torch.set_num_threads(1)
    distributed.initialise("auto", device)
    gen = generator(0, "bench-distributed")
    model = nn.Sequential(nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 10))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
    x = torch.randn(samples, 64, generator=gen)
    y = torch.randint(0, 10, (samples,), generator=gen)
    problem = problem_from_objects(model, x, y, "ce", dtype="float64", device=device)
    hessian = HessianOperator(problem, "retained")
    block = torch.randn(problem.d, 8, generator=gen, dtype=torch.float64).to(problem.device)
    hessian.matmat(block)  # graphs retained, first-call costs paid
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        hessian.matmat(block)
        if problem.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    settings = make_settings(loss="ce", only="spectrum,noise", exact_max_d=0, race_steps=0, quiet=True,
                             device=device)
    start = time.perf_counter()
    diagnose_problem(problem, settings)
    run_seconds = distributed.agree_max([time.perf_counter() - start])[0]
    product_seconds = distributed.agree_max([statistics.median(times)])[0]
    if distributed.is_main():
        print(json.dumps({"ranks": distributed.world_size(), "products_per_s": 8 / product_seconds,
                          "run_s": run_seconds, "d": problem.d, "n": samples}), flush=True)
    distributed.close()


def launch(ranks: int, samples: int, repeats: int, device: str) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(ranks), "--master-addr",
               "127.0.0.1", "--master-port", str(port), __file__, "--worker", "--samples", str(samples),
               "--repeats", str(repeats), "--device", device]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{ranks} rank(s) failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="launches of every rank count, interleaved")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--gpu", action="store_true", help="also 1..#GPUs CUDA ranks (NCCL), if present")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.samples, args.repeats, args.device)
        return
    sets = [("cpu", [1, 2])]
    if args.gpu:
        import torch

        count = torch.cuda.device_count()
        sets += [("cuda", list(range(1, count + 1)))] if count else []
    for device, counts in sets:
        rounds = [[launch(k, args.samples, args.repeats, device) for k in counts] for _ in range(args.rounds)]
        base = rounds[0][0]
        print(f"{device}: d = {base['d']:,}, N = {base['n']:,}, one thread per rank, {args.rounds} interleaved rounds")
        for i, k in enumerate(counts):
            speedups = [r[i]["products_per_s"] / r[0]["products_per_s"] for r in rounds]
            run_gains = [r[0]["run_s"] / r[i]["run_s"] for r in rounds]
            rates = [r[i]["products_per_s"] for r in rounds]
            spread, run_spread = (", ".join(f"{g:.2f}" for g in gains) for gains in (speedups, run_gains))
            print(f"  {k} rank(s): {statistics.median(rates):8.1f} products/s, "
                  f"speed-up ×{statistics.median(speedups):.2f} (rounds: {spread}); "
                  f"run ×{statistics.median(run_gains):.2f} faster (rounds: {run_spread})")

if __name__ == "__main__":
    main()
