"""Hutchinson and Hutch++ against the exact trace of dense float64 Hessians (SPEC §3, issue 4).

Tolerances:
- Coverage: a correct standard error puts the estimate within 3 of them of tr(H) in ~99.7 % of runs
  for a normal error; with ≥ 16 probes the sample standard deviation is itself noisy (t with 15
  degrees of freedom: 99.1 %) and the stderr stopping rule favours lucky runs a little, so the issue's
  bar, ≥ 95 % of 40 seeds (≥ 38), leaves room for both yet fails at once if the error bar is too small
  by 1.5× (coverage then drops to ~87 %). An allowance of 1e-10·‖H‖_F on top covers the float64
  rounding of runs whose stderr is exactly 0 (Hutch++ whose sketch spans the whole space).
- Shrinking: 16× the probes should cut the standard error 4×; asserting < 0.4× leaves room for the
  noise of 10 seeds' averaged sample deviations.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.cases import CASE_IDS, CASES
from helpers.dense import Dense
from helpers.problems import problem_for
from hessdiag.linalg.probes import rademacher
from hessdiag.linalg.trace import TRACE_METHODS, estimate_trace, exact_trace, hutchinson_trace, hutchpp_trace
from hessdiag.operators import HessianOperator
from hessdiag.rng import generator


@pytest.fixture(scope="module")
def hessians():
    out = {}
    for case in CASES:
        model, x, y = case.build()
        out[case.name] = Dense(model, x, y, case.loss).hessian()
    return out


def _matmat(H):
    return lambda V: H @ V


@pytest.mark.parametrize("method", TRACE_METHODS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_trace_within_three_standard_errors_in_95_percent_of_40_seeds(hessians, case, method):
    H = hessians[case.name]
    exact, slack = float(torch.trace(H)), 1e-10 * float(H.norm())
    hits = 0
    for seed in range(40):
        r = estimate_trace(_matmat(H), method, generator=generator(seed, "trace"), rtol=0.02, max_matvecs=60,
                           d=H.shape[0])
        assert r.method == method and r.matvecs <= 60 and r.stopped_by in ("stderr", "budget")
        hits += abs(r.estimate - exact) <= 3 * r.stderr + slack
    assert hits >= 38, f"{hits}/40 within 3 standard errors"


@pytest.mark.parametrize("method", TRACE_METHODS)
def test_standard_error_shrinks_as_products_grow(hessians, method):
    H = hessians["tanh_mlp_ce"]
    d = H.shape[0]

    def mean_stderr(budget: int) -> float:
        runs = [estimate_trace(_matmat(H), method, generator=generator(s, "shrink"), rtol=0.0, max_matvecs=budget,
                               d=d, **({"sketch": 4} if method == "hutch++" else {})) for s in range(10)]
        assert all(r.stopped_by == "budget" and r.matvecs == budget for r in runs)
        return float(np.mean([r.stderr for r in runs]))

    small, large = mean_stderr(8 + 16), mean_stderr(8 + 256)
    assert large < 0.4 * small


def test_stopping_rule_says_what_stopped_it(hessians):
    H = hessians["mlp_mse_multi"]
    loose = hutchinson_trace(_matmat(H), generator=generator(0, "s"), rtol=0.2, max_matvecs=1000, d=H.shape[0])
    assert loose.stopped_by == "stderr" and loose.stderr <= 0.2 * abs(loose.estimate) and loose.matvecs < 1000
    tight = hutchinson_trace(_matmat(H), generator=generator(0, "s"), rtol=1e-6, max_matvecs=50, d=H.shape[0])
    assert tight.stopped_by == "budget" and tight.matvecs == 50 and tight.stderr > 1e-6 * abs(tight.estimate)


def test_hutchpp_beats_hutchinson_when_outliers_dominate():
    """Five outliers of 100 over a bulk in [0, 1]: deflating them must shrink the error bar ≥ 3×."""
    gen = torch.Generator().manual_seed(0)
    d = 200
    eig = torch.rand(d, generator=gen, dtype=torch.float64)
    eig[:5] = 100.0
    U, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    H = U @ torch.diag(eig) @ U.T
    plain = hutchinson_trace(_matmat(H), generator=generator(1, "p"), rtol=0.0, max_matvecs=60, d=d)
    plus = hutchpp_trace(_matmat(H), generator=generator(1, "p"), rtol=0.0, max_matvecs=60, sketch=10, d=d)
    assert plus.stderr < plain.stderr / 3
    assert abs(plus.estimate - float(eig.sum())) <= 3 * plus.stderr


def test_probes_of_a_round_are_one_product_call(hessians):
    H = hessians["tanh_mlp_ce"]
    calls = []

    def matmat(V):
        calls.append(V.shape[1])
        return H @ V

    r = hutchpp_trace(matmat, generator=generator(0, "b"), rtol=0.0, max_matvecs=40, sketch=6, d=H.shape[0])
    assert calls[:3] == [6, 6, 16] and sum(calls) == r.matvecs == 40
    calls.clear()
    hutchinson_trace(matmat, generator=generator(0, "b"), rtol=0.0, max_matvecs=40, d=H.shape[0])
    assert calls == [16, 24]


def test_trace_through_the_hessian_operator_counts_its_products(hessians):
    case = CASES[3]
    op = HessianOperator(problem_for(case, batch_size=4))
    r = hutchpp_trace(op, generator=generator(0, "op"), rtol=0.05, max_matvecs=100)
    assert r.matvecs == op.matvecs
    assert abs(r.estimate - float(torch.trace(hessians[case.name]))) <= 3 * r.stderr + 1e-10


def test_exact_trace_and_same_seed_same_estimate(hessians):
    H = hessians["logreg_bce"]
    eig = np.linalg.eigvalsh(H.numpy())
    r = exact_trace(eig, matvecs=H.shape[0])
    assert r.method == "exact" and r.stderr == 0 and r.estimate == pytest.approx(float(torch.trace(H)), rel=1e-12)
    a = hutchinson_trace(_matmat(H), generator=generator(5, "x"), max_matvecs=30, d=6)
    b = hutchinson_trace(_matmat(H), generator=generator(5, "x"), max_matvecs=30, d=6)
    assert a == b
    assert set(a.as_dict()) >= {"estimate", "stderr", "method", "matvecs"}


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        estimate_trace(lambda V: V, "xtrace", generator=generator(0, "e"), d=3)
    with pytest.raises(ValueError):
        hutchinson_trace(lambda V: V, generator=generator(0, "e"), max_matvecs=1, d=3)


@pytest.mark.parametrize("block", [64, 3])
def test_hutchinson_and_hutchpp_are_their_formulas_on_the_same_draws(block):
    """16 probes (budget 16, or 2·4 + 16 for Hutch++ with s = 4), in rounds of at most `block`: the estimate
    and its standard error must equal the mean and the sample standard error (ddof 1) of the dense
    quadratic forms of the same Rademacher draws — zᵀHz, or tr(QᵀHQ) + gᵀ(I−P)H(I−P)g with Q = orth(H S) —
    to rounding (relative 1e-10). Block 3 < s also takes the sketch's products 3 columns at a time."""
    gen = torch.Generator().manual_seed(7)
    d = 20
    u, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    H = u @ torch.diag(torch.linspace(-1.0, 4.0, d, dtype=torch.float64) ** 3) @ u.T
    rounds = [min(block, 16 - k) for k in range(0, 16, block)]
    plain = hutchinson_trace(_matmat(H), generator=generator(3, "f"), rtol=0.0, max_matvecs=16, d=d, block=block)
    draws = generator(3, "f")
    z = torch.cat([rademacher(d, n, draws) for n in rounds], dim=1)
    forms = (z * (H @ z)).sum(0).numpy()
    assert plain.probes == 16 and plain.matvecs == 16
    assert plain.estimate == pytest.approx(forms.mean(), rel=1e-10)
    assert plain.stderr == pytest.approx(forms.std(ddof=1) / 4, rel=1e-10)
    plus = hutchpp_trace(_matmat(H), generator=generator(3, "g"), rtol=0.0, max_matvecs=24, sketch=4, d=d, block=block)
    draws = generator(3, "g")
    s = rademacher(d, 4, draws)
    q, _ = torch.linalg.qr(H @ s)
    g = torch.cat([rademacher(d, n, draws) for n in rounds], dim=1)
    g = g - q @ (q.T @ g)
    forms = (g * (H @ g)).sum(0).numpy()
    assert plus.probes == 16 and plus.matvecs == 24 and plus.sketch == 4
    assert plus.estimate == pytest.approx(float(torch.trace(q.T @ H @ q)) + forms.mean(), rel=1e-10)
    assert plus.stderr == pytest.approx(forms.std(ddof=1) / 4, rel=1e-10)
