"""The ground-truth machinery of scripts/recommendation_bench: lr tuning with grid extension, the
truth label, the JSON cache, and the case registry (sizes, determinism, checkpoint round trip)."""

import math
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from recommendation_bench import ground_truth as gt  # noqa: E402
from recommendation_bench import tuning  # noqa: E402
from recommendation_bench.cases import CASES, full_loss  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One thread, as the ground truth ran (and far faster than two on a busy two-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def gd_quadratic(lam: float, steps: int = 20):
    """Final loss of GD on ½λθ² from θ=1: ½λ(1−lr·λ)^(2·steps); the best lr is exactly 1/λ."""
    def loss_at(lr, seed):
        return 0.5 * lam * (1.0 - lr * lam) ** (2 * steps) * (1.0 + 0.01 * seed)
    return loss_at


def test_grid_extends_down_to_an_optimum_below_the_initial_grid():
    out = tuning.tune(gd_quadratic(1e4), ks=range(-8, 1), seeds=(0, 1, 2))  # grid 1e-2..1, best 1e-4
    assert out["best_lr"] == pytest.approx(1e-4)
    assert out["limit_hit"] is None and out["best_median"] == 0.0
    assert out["grid"][0]["k"] == out["best_k"] - 1  # interior: one point beyond it was evaluated
    assert all(len(row["losses"]) == 3 for row in out["grid"])


def test_grid_extends_up_and_records_the_limit():
    out = tuning.tune(lambda lr, s: 1.0 / lr, ks=range(-4, 1), seeds=(0,), k_limits=(-8, 4))
    assert out["best_k"] == 4 and out["limit_hit"] == "high"


def test_diverged_everywhere_walks_to_the_low_limit():
    out = tuning.tune(lambda lr, s: math.nan, ks=range(-2, 1), seeds=(0, 1), k_limits=(-5, 4))
    assert out["best_k"] == -5 and out["limit_hit"] == "low" and math.isinf(out["best_median"])


def test_locate_protocol_runs_all_seeds_only_near_the_best():
    out = tuning.tune(gd_quadratic(1e2), ks=range(-12, 1), seeds=(0, 1, 2), locate_seeds=1)
    assert out["best_lr"] == pytest.approx(1e-2)
    full = [row["k"] for row in out["grid"] if None not in row["losses"]]
    assert full == [out["best_k"] - 1, out["best_k"], out["best_k"] + 1]


def test_label_threshold():
    assert tuning.label(1.25, 1.0) == "sign" and tuning.label(1.24, 1.0) == "tie"
    assert tuning.label(1.0, 1.25) == "euclidean" and tuning.label(1.0, 1.2) == "tie"
    assert tuning.label(math.inf, 1.0) == "sign" and tuning.label(1.0, math.inf) == "euclidean"
    assert tuning.label(math.inf, math.inf) == "tie"


def test_truth_takes_the_better_sign_family_and_counts_seed_agreement():
    def fam(losses):
        return {"best_median": sorted(losses)[1], "best_losses": losses, "limit_hit": None}

    t = tuning.truth({"sgdm": fam([2.0, 2.0, 1.0]), "adam": fam([1.0, 1.0, 1.0]),
                      "signum": fam([1.5, 1.5, 1.5])})
    assert t["truth"] == "sign" and t["sign_family"] == "adam" and t["ratio"] == 2.0
    assert t["per_seed_labels"] == ["sign", "sign", "tie"] and t["seed_agreement"] == pytest.approx(2 / 3)
    assert (t["ratio_min"], t["ratio_max"]) == (1.0, 2.0)


def test_the_summary_prints_a_ratio_the_json_keeps_as_null():
    """A sign loss of exactly 0 (float32 underflow: Adam on standardised wine) makes the ratio +inf, which
    JSON keeps as null, as it does NaN (both diverged, a tie); the summary tells them apart by the truth."""
    def fam(losses):
        return {"best_median": sorted(losses)[1], "best_losses": losses, "limit_hit": None, "best_lr": 0.1}

    sign = tuning.truth({"sgdm": fam([4e-6, 3e-5, 4e-5]), "adam": fam([0.0, 0.0, 7e-8]),
                         "signum": fam([0.0, 9e-3, 1e-8])})
    both = tuning.truth({"sgdm": fam([math.inf] * 3), "adam": fam([math.inf] * 3), "signum": fam([math.inf] * 3)})
    name = "logreg_std_init"
    for t, ratio, spread in ((sign, "inf", "571..inf"), (both, "nan", "-")):
        entry = gt._clean({**t, "params": 31, "families": {f: fam([1.0] * 3) for f in ("sgdm", "adam", "signum")}})
        line = next(ln for ln in gt.summary({"cases": {name: entry}}).splitlines() if ln.startswith(name))
        assert line.split()[2:5] == [t["truth"], ratio, f"{entry['seed_agreement']:.2f}"]
        assert line.split()[5] == spread


def test_tuning_a_real_case_with_few_steps(tmp_path):
    case = CASES["logreg_std_init"]
    out = tuning.tune(lambda lr, s: gt.train_run(case, "signum", lr, s, steps=5), ks=range(-8, -5),
                      seeds=(0, 1))
    assert math.isfinite(out["best_median"]) and out["runs"] >= 6
    assert gt.train_run(case, "sgdm", 0.1, 0, steps=5) == gt.train_run(case, "sgdm", 0.1, 0, steps=5)
    doc = {"version": gt.VERSION, "settings": gt.settings(), "notes": [], "cases": {"x": gt._clean(out)}}
    gt.save(doc, tmp_path / "gt.json")
    assert gt.load(tmp_path / "gt.json") == doc


@pytest.mark.parametrize("name", list(CASES))
def test_case_builds_within_limits_and_round_trips(name):
    case = CASES[name]
    x, y = case.tensors()
    assert case.n_params() <= 50_000 and x.shape[0] <= 2500 and x.shape[0] == y.shape[0]
    assert x.dtype in (torch.float32, torch.int64)
    a, b = case.model(), case.model()
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    state = case.checkpoint_state()
    a.load_state_dict(state, strict=True)
    loss = full_loss(a, x, y, case.loss)
    assert math.isfinite(loss)
    if case.checkpoint == "warm":
        assert loss < full_loss(b, x, y, case.loss)
    assert case.definition_hash() == CASES[name].definition_hash()
