"""The memory plan (issue 18): limits from `--memory`, thick restarts that still give exact eigenvalues,
and a budget below what is resident refused with one line.

What a process holds depends on what it imported, so the run-level tests fix the two readings the plan
takes from the process — the resident set (0) and the measured rise of a round of products (0) — and
give `--memory` in multiples of one float64 d-vector w = 8d: the budget then means the same on every
machine. Eigenvalue tolerances: float64 products on d ≤ 60 give Ritz values within ~1e-12 of eigvalsh
(rounding of a well-conditioned symmetric problem), so 1e-8 leaves room; the bars are certified bounds,
so each must cover the true error |θ − λ| (asserted with no slack beyond the bar itself).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from helpers.cases import CASES
from helpers.dense import Dense
from hessdiag import api
from hessdiag.errors import MemoryBudgetError
from hessdiag.linalg.eigen import extreme_eigenpairs
from hessdiag.load import make_settings
from hessdiag.work import Plan, memory
from hessdiag.work import units as units_module
from hessdiag.work.cost import UnitCosts

UNITS = UnitCosts(gradient=0.01, hvp=0.02, hvp_setup=0.05, curvature=0.04, graph_bytes=0, hvp_mode="retained")
CASE_BY_NAME = {c.name: c for c in CASES}


@pytest.fixture
def fixed_process(monkeypatch):
    """Nothing resident and products that take no memory beyond their vectors: budgets in vectors."""

    @contextlib.contextmanager
    def no_rise(device, out):
        yield
        out += [0, 0]

    monkeypatch.setattr(memory, "resident_bytes", lambda device: 0)
    monkeypatch.setattr(units_module, "peak_above", no_rise)


def _plan(d: int, vectors: float, only=("spectrum",), block: int = 2, **settings):
    s = make_settings(memory=vectors * 8 * d / memory.GB, **settings)
    return memory.plan_memory(UNITS, d, torch.device("cpu"), torch.float64, s, Plan(), only, False, block, 4)


def test_capacity_is_every_row_the_budget_leaves(fixed_process):
    """kept = 2k w (Ritz vectors of both ends), working = 8p w: the rest are basis rows (float64: w each)."""
    k, p, rows = 5, 2, 20
    plan, _, limits = _plan(10_000, 2 * k + 8 * p + rows, top_k=k)
    assert plan.lanczos_capacity == rows == limits.lanczos_capacity
    big, _, limits = _plan(10_000, 10_000, top_k=k)
    assert big.lanczos_capacity is None and limits.lanczos_capacity is None  # max_matvecs + p rows fit


def test_trace_and_density_shrink_to_fit_and_record_it(fixed_process):
    """A budget of 60 vectors: SLQ's 64-step basis does not fit (one probe at fewer steps, a recorded cut),
    Hutch++ runs smaller blocks and a smaller sketch; every phase stays within the budget."""
    plan, settings, limits = _plan(10_000, 60, top_k=2)
    assert settings.slq_steps < 64 and plan.cuts["slq_steps"]["to"] == settings.slq_steps
    assert limits.trace_block < 64 and limits.trace_sketch < 32
    assert plan.peak <= plan.budget


def test_per_sample_gradients_go_a_few_rows_at_a_time_when_a_batch_does_not_fit(fixed_process):
    """A batch of 64 rows needs 2 · 64 w for its per-sample gradients; a budget of 80 w leaves room for
    fewer rows at a time (a recorded cut), and a roomy one keeps the whole batch."""
    d, only = 10_000, ("spectrum", "noise")
    s = make_settings(memory=80 * 8 * d / memory.GB, top_k=2)
    limits, _, plan = memory.plan_memory(UNITS, d, torch.device("cpu"), torch.float64, s, Plan(), only, False, 1, 64)
    assert plan.per_sample_rows is not None and 1 <= plan.per_sample_rows < 64
    assert limits.cuts["per_sample_rows"]["to"] == plan.per_sample_rows and limits.peak <= limits.budget
    roomy = make_settings(memory=10_000 * 8 * d / memory.GB, top_k=2)
    _, _, plan = memory.plan_memory(UNITS, d, torch.device("cpu"), torch.float64, roomy, Plan(), only, False, 1, 64)
    assert plan.per_sample_rows is None


def test_the_sign_ascent_runs_a_few_columns_at_a_time_when_a_round_does_not_fit(fixed_process):
    """2k + 2 + 6 = 10 starts for k = 1; a budget of 40 w leaves room for fewer columns per product call."""
    d, only = 10_000, ("spectrum", "geometry")
    limits, _, plan = _plan(d, 40, only=only, top_k=1)
    assert plan.ascent_columns is not None and 1 <= plan.ascent_columns < 10 and limits.peak <= limits.budget
    _, _, roomy = _plan(d, 10_000, only=only, top_k=1)
    assert roomy.ascent_columns is None


def test_a_budget_below_the_smallest_plan_is_refused_with_the_numbers(fixed_process):
    """k + 1 + 2p rows are the fewest a thick restart works with; below that the run stops before the work."""
    with pytest.raises(MemoryBudgetError) as err:
        _plan(10_000, 2 * 5 + 8 * 2 + 3, top_k=5)
    message = str(err.value)
    assert "\n" not in message and "Lanczos run needs at least 10 basis vectors" in message
    for flag in ("--samples", "--batch-size", "--memory", "--max-matvecs", "--hvp fwd-rev"):
        assert flag in message
    assert "GB" in message


@pytest.mark.parametrize("name", ["tanh_mlp_ce", "mlp_mse_multi"])
def test_tiny_memory_forces_thick_restarts_and_matches_dense(fixed_process, name):
    """A basis of k + 1 + 2p + 3 rows (d = 53 and 51): both ends restart, and still match eigvalsh of the
    dense Hessian to 1e-8 with bars that cover the true error."""
    case = CASE_BY_NAME[name]
    model, x, y = case.build()
    d = sum(p.numel() for p in model.parameters())
    k, p, rows = 3, 2, 3 + 1 + 4 + 3
    report = api.diagnose(model, (x, y), case.loss, only="spectrum", top_k=k, tol=1e-10, dtype="float64",
                          max_matvecs=3000, exact_max_d=0, slq_probes=2, slq_steps=8, trace_matvecs=24, race_steps=0,
                          memory=(2 * k + 8 * p + rows) * 8 * d / memory.GB).to_dict()
    assert report["settings"]["plan"]["lanczos_capacity"] == rows
    eig = report["eigenvalues"]
    assert eig["restarts"] > 0 and eig["bottom_restarts"] > 0
    assert eig["converged"] and eig["bottom_converged"]
    truth = np.linalg.eigvalsh(Dense(model, x, y, case.loss).hessian().numpy())
    for got, want in ((eig["top"], truth[::-1][:k]), (eig["bottom"], truth[:k])):
        values, bars = np.array([e["value"] for e in got]), np.array([e["residual"] for e in got])
        err = np.abs(values - want)
        assert err.max() <= 1e-8 and np.all(err <= bars), (err, bars)
    assert report["settings"]["cost"]["memory"]["lanczos_capacity"] == rows


def test_restarted_lanczos_runs_past_d_products():
    """With a capacity below d the basis never spans the space, so d products are no stopping point: a
    clustered bottom end (d = 200) needs several hundred products through 50+ restarts."""
    gen = np.random.default_rng(0)
    q, _ = np.linalg.qr(gen.standard_normal((200, 200)))
    lam = np.concatenate([np.linspace(10, 5, 8), gen.standard_normal(192)])
    a = torch.tensor((q * lam) @ q.T)
    r = extreme_eigenpairs(a, 5, "smallest", tol=1e-10, max_matvecs=3000, generator=torch.Generator().manual_seed(1),
                           capacity=12)
    err = np.abs(np.array([v.value for v in r.values]) - np.sort(lam)[:5])
    assert r.converged and r.matvecs > 200 and r.restarts > 0
    assert err.max() <= 1e-8 and all(e <= v.residual for e, v in zip(err, r.values))


def test_cli_refuses_a_budget_below_what_is_resident(tmp_path):
    """The default model with --memory 0.001 (1 MB, below what Python and torch hold): exit 1, one line
    with the numbers, no report written."""
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "hessdiag", "run", "--memory", "0.001", "--only", "spectrum",
                           "--json", str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hessdiag: error: out of memory budget")
    assert "0.001 GB budget (--memory)" in lines[0] and "--batch-size" in lines[0]
    assert not out.exists() and not list(tmp_path.iterdir())


def test_the_report_records_the_memory_plan_and_the_kernel():
    case = CASE_BY_NAME["tanh_mlp_ce"]
    model, x, y = case.build()
    doc = api.diagnose(model, (x, y), case.loss, only="spectrum", dtype="float64", memory=8.0, race_steps=0).to_dict()
    plan = doc["settings"]["cost"]["memory"]
    assert plan["budget_bytes"] == 8 * 10**9 and plan["source"] == "--memory"
    assert plan["expected_peak_bytes"] >= plan["resident_bytes"] > 0 and plan["measured_peak_bytes"] > 0
    assert doc["settings"]["memory"] == 8.0 and doc["settings"]["attention_kernel"].startswith("math")
    json.dumps(doc)
