"""Calibration: what the cost plan charges for the work on the dense Hessian, against what it takes.

    python scripts/calibrate_dense_prices.py [--widths 2 5 10 16 24 32 44] [--steps 100]

On MLPs 64-h-10 (tanh) trained `--steps` Adam steps on scikit-learn digits (d = 75h + 10: 160 to
3,310 parameters, all on the dense path), runs the spectrum, geometry, preconditioning and blocks
sections (float64, race off) and reads each one's dense work from the report's timings:
- `eigenvalues_dense` (one `eigvalsh` of H), `blocks` (one per parameter tensor), the two
  preconditioners' summaries, and `geometry` (ρ_diag from the columns, the full eigendecomposition up
  to d = 1,024, the separable and sign-ascent bounds on L∞);
- against the units the plan measures in the same process (`work.units.dense_unit_seconds`: one
  eigensolve and one pass over a d×d matrix) and the counts `work.steps` charges for them.
Prints per width the seconds taken, the seconds planned and their ratio, and, for the geometry, the
non-negative least-squares fit of seconds ≈ a·eigensolve + b·pass on each side of d = 1,024 (the
constants `work.steps` uses come from this fit).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from scipy.optimize import nnls
from torch import nn

sys.path.insert(0, str(Path(__file__).parent.parent))
from hessdiag import api  # noqa: E402
from hessdiag.load.data import load_sklearn  # noqa: E402
from hessdiag.work.units import dense_unit_seconds  # noqa: E402

SECTIONS = {"spectrum": ("eigenvalues_dense",), "geometry": ("geometry",), "blocks": ("blocks",),
            "preconditioning": ("preconditioning_adam", "preconditioning_jacobi")}


def trained_mlp(width: int, x: torch.Tensor, y: torch.Tensor, steps: int) -> nn.Module:
    torch.manual_seed(width)
    model = nn.Sequential(nn.Linear(64, width), nn.Tanh(), nn.Linear(width, 10)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model


def measure(width: int, x: torch.Tensor, y: torch.Tensor, steps: int) -> dict:
    model = trained_mlp(width, x, y, steps)
    report = api.diagnose(model, (x, y), "ce", dtype="float64", device="cpu", race_steps=0, top_k=5,
                          only="spectrum,geometry,preconditioning,blocks").to_dict()
    d = report["problem"]["d"]
    eig, sweep = dense_unit_seconds(d)
    taken = {name: sum(report["timings"].get(key, 0.0) for key in keys) for name, keys in SECTIONS.items()}
    planned = {name: 0.0 for name in SECTIONS}
    for step in report["settings"]["cost"]["steps"]:
        if step["kind"] in ("eig", "pass"):
            planned[step["section"]] += step["seconds"]
    return {"d": d, "eig": eig, "pass": sweep, "taken": taken, "planned": planned}


def fit(rows: list[dict]) -> None:
    """Relative least squares of the geometry's seconds on (eigensolve, pass), non-negative."""
    sides = (("all d", lambda r: True), ("d ≤ 1024", lambda r: r["d"] <= 1024), ("d > 1024", lambda r: r["d"] > 1024))
    for side, keep in sides:
        chosen = [r for r in rows if keep(r)]
        if len(chosen) < 2:
            continue
        a = np.array([[r["eig"], r["pass"]] for r in chosen])
        b = np.array([r["taken"]["geometry"] for r in chosen])
        (eigs, passes), _ = nnls(a / b[:, None], np.ones(len(b)))
        ratios = ", ".join(f"{(eigs * r['eig'] + passes * r['pass']) / r['taken']['geometry']:.2f}" for r in chosen)
        print(f"geometry, {side}: {eigs:.2f} eigensolves + {passes:.0f} passes (fitted/taken {ratios})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--widths", type=int, nargs="+", default=[2, 4, 6, 8, 10, 13, 16, 24, 32, 44])
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    x, y = load_sklearn("digits")
    rows = [measure(width, x, y, args.steps) for width in args.widths]
    print(f"{'d':>6} {'eig s':>8} {'pass s':>9}  " + "  ".join(f"{name:>24}" for name in SECTIONS))
    for r in rows:
        cells = "  ".join(f"{r['taken'][n]:7.3f} / {r['planned'][n]:7.3f} ({r['planned'][n] / r['taken'][n]:4.2f}×)"
                          if r["taken"][n] > 0 else f"{'—':>24}" for n in SECTIONS)
        print(f"{r['d']:>6} {r['eig']:8.4f} {r['pass']:9.2e}  {cells}")
    print("cells: seconds taken / seconds planned (planned ÷ taken)")
    fit(rows)


if __name__ == "__main__":
    main()
