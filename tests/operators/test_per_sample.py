"""Per-sample gradients: BackPACK and torch.func against each other and a naive Python loop (float64).

Tolerance 1e-10 relative (Frobenius over the (N, d) matrix of gradients): all three are float64
evaluations of the same derivatives in a different order (rounding ~1e-15 relative); 1e-10 leaves
five orders of head-room and fails on any wrong term (a missing 1/N, a padding row, a transposition).
Models: the MLP, CNN and eval-mode BatchNorm cases (BackPACK supports them), and models it does not
(LayerNorm, a custom parameter, a layer used twice), which must fall back to torch.func with the
reason recorded — never fail.
"""

from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from helpers.cases import CASES, seeded_model
from helpers.dense import Dense, rel_err
from helpers.noise_models import COUPLED, UNSUPPORTED
from helpers.problems import problem_for
from hessdiag.errors import UnsupportedError
from hessdiag.load import problem_from_objects
from hessdiag.operators.per_sample import PerSampleGradients, SampleCouplingError

TOL = 1e-10
SUPPORTED = [c for c in CASES
             if c.name in ("tanh_mlp_ce", "cnn_pool_ce", "batchnorm_eval_ce", "mlp_mse_multi", "logreg_bce")]


def _all_rows(per_sample: PerSampleGradients) -> torch.Tensor:
    """The (N, d) matrix of per-sample gradients — only for these tiny test problems."""
    rows = [torch.cat(per_sample.gradients(b).blocks, dim=1)[b.w > 0] for b in per_sample.problem.batches]
    return torch.cat(rows)


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda c: c.name)
def test_backpack_and_func_match_the_naive_loop(case):
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, batch_size=4)
    via_backpack = PerSampleGradients(problem, "backpack")
    assert via_backpack.path == "backpack", via_backpack.reason
    via_func = PerSampleGradients(problem, "func")
    g_bp, g_func = _all_rows(via_backpack), _all_rows(via_func)
    assert via_backpack.path == "backpack" and via_backpack.fallback is None
    assert rel_err(g_bp, naive) < TOL
    assert rel_err(g_func, naive) < TOL
    assert rel_err(g_bp, g_func) < TOL
    assert via_func.describe()["per_sample_mode"] == "func-vmap"


@pytest.mark.parametrize("case", SUPPORTED, ids=lambda c: c.name)
def test_backpack_sums_match_sums_of_the_naive_rows(case):
    """BackPACK's SumGradSquared/BatchL2Grad sums and the jvp projections equal sums of the naive rows."""
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, batch_size=4)
    direction_flat = naive.mean(0)
    direction = tuple(direction_flat[b.offset : b.offset + b.numel] for b in problem.layout.blocks)
    per_sample = PerSampleGradients(problem, "backpack")
    start = 0
    for batch in problem.batches:
        sums = per_sample.engine.batch_sums(batch, direction)
        rows = naive[start : start + batch.size]
        start += batch.size
        assert rel_err(torch.cat(sums.total), rows.sum(0)) < TOL
        assert rel_err(torch.cat(sums.squares), rows.pow(2).sum(0)) < TOL
        assert rel_err(sums.norms_sq, rows.pow(2).sum(1)) < TOL
        assert rel_err(sums.projections, rows @ direction_flat) < TOL
    assert per_sample.path == "backpack"


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("case", SUPPORTED[:3], ids=lambda c: c.name)
def test_sums_formed_a_few_rows_at_a_time_match_the_naive_rows(case, rows):
    """`rows_per_call` (the memory plan's choice when a batch's per-sample gradients do not fit) gives the
    sums and per-row statistics of the naive rows, through torch.func."""
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_for(case, batch_size=None)
    direction_flat = naive.mean(0)
    direction = tuple(direction_flat[b.offset : b.offset + b.numel] for b in problem.layout.blocks)
    per_sample = PerSampleGradients(problem, "func", rows_per_call=rows)
    assert per_sample.engine.rows_per_call == rows and problem.batches[0].size > rows
    sums = per_sample.engine.batch_sums(problem.batches[0], direction)
    assert rel_err(torch.cat(sums.total), naive.sum(0)) < TOL
    assert rel_err(torch.cat(sums.squares), naive.pow(2).sum(0)) < TOL
    assert rel_err(sums.norms_sq, naive.pow(2).sum(1)) < TOL
    assert rel_err(sums.projections, naive @ direction_flat) < TOL and sums.losses.shape == (naive.shape[0],)


def test_auto_prefers_backpack_where_it_applies():
    for case in SUPPORTED:
        chosen = PerSampleGradients(problem_for(case), "auto")
        assert chosen.path == "backpack" and "BackPACK" in chosen.reason and chosen.fallback is None


@pytest.mark.parametrize("case", UNSUPPORTED, ids=lambda c: c.name)
@pytest.mark.parametrize("preference", ["auto", "backpack"])
def test_models_backpack_lacks_fall_back_to_func(case, preference):
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    per_sample = PerSampleGradients(problem_for(case, batch_size=4), preference)
    rows = _all_rows(per_sample)
    assert per_sample.path == "func"
    assert per_sample.fallback and "BackPACK not used" in per_sample.reason
    assert rel_err(rows, naive) < TOL


def test_fallback_reasons_name_the_cause():
    reasons = {}
    for case in UNSUPPORTED:
        per_sample = PerSampleGradients(problem_for(case, batch_size=4), "auto")
        _all_rows(per_sample)
        reasons[case.name] = per_sample.fallback
    assert "LayerNorm" in reasons["layernorm_mlp_ce"]
    assert "Scale" in reasons["custom_param_ce"]
    assert "BackPACK failed" in reasons["reused_layer_ce"] or "differ" in reasons["reused_layer_ce"]


def test_batch_coupling_is_refused_by_both_paths():
    """A layer mixing rows makes per-sample gradients undefined: BackPACK's checks catch it (rows and
    sums), then torch.func's, which raises."""
    for preference in ("backpack", "func"):
        per_sample = PerSampleGradients(problem_for(COUPLED, batch_size=5), preference)
        with pytest.raises(SampleCouplingError):
            per_sample.gradients(per_sample.problem.batches[0])
        per_sample = PerSampleGradients(problem_for(COUPLED, batch_size=5), preference)
        with pytest.raises(SampleCouplingError):
            per_sample.accumulate(lambda i, b, path: torch.cat(path.batch_sums(b).total))
        assert per_sample.path == "func"
    assert isinstance(SampleCouplingError("x"), UnsupportedError)


def test_backpack_leaves_the_users_module_and_backpack_state_alone():
    from backpack.context import CTX

    case = SUPPORTED[0]
    problem = problem_for(case, batch_size=5)
    before = len(CTX.hook_handles)
    per_sample = PerSampleGradients(problem, "backpack")
    per_sample.gradients(problem.batches[0])
    per_sample.close()
    assert len(CTX.hook_handles) == before
    for module in problem.module.modules():
        assert not module._forward_hooks and not module._backward_hooks
        assert not hasattr(module, "_backpack_extend") and not hasattr(module, "input0")
    for param in problem.module.parameters():
        assert param.grad is None and not hasattr(param, "grad_batch")
    again = per_sample.gradients(problem.batches[0])  # a closed path extends its copy again
    assert per_sample.path == "backpack" and again.blocks[0].shape[0] == 5
    per_sample.close()
    assert "torchvision" not in sys.modules


def test_fixed_batch_program_uses_the_jacobian_of_per_sample_losses():
    """A static-shape exported program cannot run on one row: rows of the loss Jacobian, padding kept."""
    case = SUPPORTED[0]
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    program = torch.export.export(model, (x[:6],))
    from hessdiag.load.build import build_problem
    from hessdiag.load.losses import get_loss
    from hessdiag.load.models import LoadedModel

    module = program.module()
    loaded = LoadedModel(module, [n for n, p in module.named_parameters() if p.requires_grad], "export", "static",
                         fixed_batch_size=6)
    problem = build_problem(loaded, x, y, get_loss(case.loss), samples=None, batch_size=None, seed=0,
                            dtype=torch.float64, device=torch.device("cpu"))
    per_sample = PerSampleGradients(problem, "auto")
    rows = _all_rows(per_sample)
    assert per_sample.describe()["per_sample_mode"] == "func-jacobian"
    assert "exported" in per_sample.reason and per_sample.describe()["per_sample_note"]
    assert rel_err(rows, naive) < TOL


def test_unknown_preference_is_refused():
    with pytest.raises(ValueError):
        PerSampleGradients(problem_for(SUPPORTED[0]), "jax")


def test_float32_paths_agree_to_float32_accuracy():
    case = SUPPORTED[0]
    model, x, y = case.build()
    naive = Dense(model, x, y, case.loss).per_sample_gradients()
    problem = problem_from_objects(model, x, y, case.loss, batch_size=6, dtype="float32", device="cpu")
    for preference in ("backpack", "func"):
        rows = _all_rows(PerSampleGradients(problem, preference)).double()
        assert rel_err(rows, naive) < 1e-5


@pytest.mark.parametrize("conv", [lambda: nn.Conv2d(1, 2, 3, padding="same"),
                                  lambda: nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect")],
                         ids=["same", "reflect"])
def test_convolutions_backpack_mishandles_go_to_torch_func(conv):
    """BackPACK 1.7 fails on padding='same' and is wrong for reflect padding: refused up front, with the
    reason, and the torch.func rows match the naive loop."""
    gen = torch.Generator().manual_seed(5)
    model = seeded_model(lambda: nn.Sequential(conv(), nn.Tanh(), nn.Flatten(), nn.Linear(50, 3)), gen)
    x = torch.randn(9, 1, 5, 5, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (9,), generator=gen)
    problem = problem_from_objects(model, x, y, "ce", batch_size=4, dtype="float64", device="cpu")
    per_sample = PerSampleGradients(problem, "auto")
    rows = _all_rows(per_sample)
    assert per_sample.path == "func" and "padding" in per_sample.fallback
    assert rel_err(rows, Dense(model, x, y, "ce").per_sample_gradients()) < TOL
