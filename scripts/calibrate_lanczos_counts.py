"""Calibration: how many products the cost plan charges each Lanczos run and damped CG solve, against
how many they take.

    python scripts/calibrate_lanczos_counts.py [--top-k 1 5 10] [--steps 0 150]

On small networks of scikit-learn's bundled sets (MLPs on digits, wine, breast cancer and diabetes, a
CNN on digits; d = 385 to 4,156, all above the dense limits so that every matrix is an operator), each
at initialisation and after `--steps` Adam steps, runs the spectrum, fisher and preconditioning sections
(float64, race off) at each `--top-k` and reads from the report the products each run made:
- the Hessian's top-k and bottom-k Lanczos (`eigenvalues.matvecs`, `.bottom_matvecs`);
- the top-k Lanczos of GGN, F_mc and EF (`fisher.lanczos`), whose count the plan also charges the top-k
  of Σ in the noise section (same kind of matrix, positive semi-definite; its count is not reported);
- the damped CG solves of F and EF (`fisher.cos_precond_F_EF.cg`);
- λ_max of Ĥ under Adam's and Jacobi's diagonals (k = 1, `preconditioning.*.spectrum.matvecs` less the
  SLQ probes' steps; a run whose Ĥ was dense, none at `exact_max_d` 0, is left out);
against the counts `work.steps` charges (`work.cost.expected_lanczos`, `expected_curvature_lanczos`,
`CG_PRODUCTS`). Prints each run's counts, then per kind and k the median, 75th percentile and maximum
taken beside the count planned.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent.parent))
from hessdiag import api  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402

# name: (data set, loss, model builder)
CASES = {
    "digits mlp32 tanh": ("digits", "ce", lambda: nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))),
    "digits mlp16 relu": ("digits", "ce", lambda: nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))),
    "digits mlp 2 layers": ("digits", "ce", lambda: nn.Sequential(nn.Linear(64, 24), nn.Tanh(), nn.Linear(24, 24),
                                                                 nn.Tanh(), nn.Linear(24, 10))),
    "digits cnn": ("digits", "ce", lambda: nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 6, 3), nn.Tanh(),
                                                         nn.Flatten(), nn.Linear(6 * 36, 18), nn.Tanh(),
                                                         nn.Linear(18, 10))),
    "wine mlp32": ("wine", "ce", lambda: nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 3))),
    "breast_cancer mlp16": ("breast_cancer", "ce",
                            lambda: nn.Sequential(nn.Linear(30, 16), nn.Tanh(), nn.Linear(16, 2))),
    "diabetes mlp32 mse": ("diabetes", "mse", lambda: nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))),
}
KINDS = ("H top", "H bottom", "curvature top", "CG", "Ĥ top")


def trained(name: str, steps: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor, str]:
    data, loss, build = CASES[name]
    x, y = load_sklearn(data)
    torch.manual_seed(sum(map(ord, name)))
    model = build().double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.functional.cross_entropy if loss == "ce" else nn.functional.mse_loss
    for _ in range(steps):
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()
    return model, x, y, loss


def measure(name: str, steps: int, k: int) -> dict:
    model, x, y, loss = trained(name, steps)
    report = api.diagnose(model, (x, y), loss, dtype="float64", device="cpu", race_steps=0, exact_max_d=0,
                          top_k=k, only="spectrum,fisher,preconditioning").to_dict()
    fisher, eig, plan = report["fisher"], report["eigenvalues"], report["settings"]["plan"]
    slq = plan["precondition_probes"] * min(plan["precondition_steps"], report["problem"]["d"])
    spectra = [report["preconditioning"][p]["spectrum"] for p in ("adam", "jacobi")]
    taken = {"H top": [eig["matvecs"]], "H bottom": [eig["bottom_matvecs"]],
             "curvature top": [fisher["lanczos"][m]["matvecs"] for m in ("GGN", "F_mc", "EF")],
             "CG": [run["iterations"] for run in fisher["cos_precond_F_EF"]["cg"].values()],
             "Ĥ top": [x["matvecs"] - slq for x in spectra if x["mean_abs_eigenvalue"]["method"] == "slq"]}
    steps_of = {s["what"]: s["count"] for s in report["settings"]["cost"]["steps"]}
    planned = {"H top": steps_of["Lanczos top-k"], "H bottom": steps_of["Lanczos bottom-k"],
               "curvature top": steps_of["top-k of GGN, F_mc, EF"] / 3, "CG": steps_of["damped CG (F, EF)"] / 2,
               "Ĥ top": steps_of.get("λ_max of Ĥ (Lanczos)", 0) / 2}
    return {"case": name, "steps": steps, "k": k, "d": report["problem"]["d"], "taken": taken, "planned": planned}


def summarise(rows: list[dict]) -> None:
    print(f"\n{'kind':<14} {'k':>3} {'runs':>5} {'median':>7} {'q75':>6} {'max':>5} {'planned':>8}")
    for kind in KINDS:
        for k in sorted({r["k"] for r in rows})[: 1 if kind == "Ĥ top" else None]:  # Ĥ's run: k = 1 always
            counts = [c for r in rows if r["k"] == k for c in r["taken"][kind]]
            planned = {r["planned"][kind] for r in rows if r["k"] == k and r["taken"][kind]}
            if not counts:
                continue
            print(f"{kind:<14} {k:>3} {len(counts):>5} {statistics.median(counts):>7.0f} "
                  f"{np.percentile(counts, 75):>6.0f} {max(counts):>5} {'/'.join(f'{p:.0f}' for p in planned):>8}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top-k", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--steps", type=int, nargs="+", default=[0, 150])
    args = parser.parse_args()
    rows = []
    print(f"{'case':<22} {'steps':>5} {'k':>3} {'d':>5}  " + "  ".join(f"{kind:>21}" for kind in KINDS))
    for name in CASES:
        for steps in args.steps:
            for k in args.top_k:
                r = measure(name, steps, k)
                rows.append(r)
                cells = "  ".join(f"{'/'.join(map(str, r['taken'][kind])):>14} ({r['planned'][kind]:>4.0f})"
                                  for kind in KINDS)
                print(f"{name:<22} {steps:>5} {k:>3} {r['d']:>5}  {cells}", flush=True)
    print("cells: products taken (planned)")
    summarise(rows)


if __name__ == "__main__":
    main()
