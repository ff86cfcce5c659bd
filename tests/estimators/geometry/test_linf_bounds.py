"""Each L∞ bound's value against its formula, and the interval's ends against the documented allowance.

`test_linf.py` checks that every bound lies on the right side of the exact value; here each value is
recomputed by brute force (loops over vectors, a full eigensolve) and bars that are not points are used,
so that a bound read from the wrong end of L2's bar, a looser-than-documented bound, or an end
widened by the wrong amount is seen. Tolerances: 1e-12 relative for the same float64 sums in another
order (d ≤ 12); the brute-force exact value is enumeration over all 2^d sign vectors.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from hessdiag.estimators.geometry.linf.bounds import Bound, assemble, rounding_allowance
from hessdiag.estimators.geometry.linf.interval import linf_from_dense, linf_from_operator
from hessdiag.estimators.geometry.linf.lower import linf_by_enumeration, ritz_lower_bound, sign_ascent
from hessdiag.estimators.geometry.linf.upper import certified_norm_bound, eigen_l1_bound
from hessdiag.linalg.linear_map import CallableMap

EPS = float(np.finfo(np.float64).eps)
REL = 1e-12


def _exact(h: np.ndarray) -> float:
    return max(float(np.abs(h @ np.array(s)).sum()) for s in itertools.product((-1.0, 1.0), repeat=h.shape[0]))


def _indefinite(d: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal((d, d))
    return (a + a.T) / 2


@pytest.mark.parametrize("d, eps", [(1, 1e-3), (4, 1e-3), (25, EPS)])
def test_allowance_is_16_sqrt_d_eps_and_widens_both_ends(d, eps):
    delta = 16 * math.sqrt(d) * eps  # the module docstring's δ
    result = assemble([Bound("lower", "a", 2.0), Bound("upper", "b", 3.0)], d=d, eps=eps)
    assert rounding_allowance(d, eps) == pytest.approx(delta, rel=1e-15, abs=0) == result.rounding_allowance
    assert result.lo == pytest.approx(2.0 * (1 - delta), rel=1e-15, abs=0)
    assert result.hi == pytest.approx(3.0 * (1 + delta), rel=1e-15, abs=0)


def test_an_upper_bound_below_the_lower_one_within_rounding_is_kept():
    """δ = 0.1 (d = 1, ε = 0.1/16): lower 10 → lo = 9; an upper bound 8.5 lies below lo but its widened
    8.5·1.1 = 9.35 does not, so it is a bound up to rounding and is the upper end."""
    result = assemble([Bound("lower", "a", 10.0), Bound("upper", "b", 8.5)], d=1, eps=0.1 / 16)
    assert result.hi_source == "b" and result.hi == pytest.approx(8.5 * 1.1, rel=1e-14)
    assert result.lo == pytest.approx(9.0, rel=1e-14)


def test_an_enumerated_value_alone_makes_both_ends():
    result = assemble([Bound("exact", "enumeration", 7.0)], d=4, eps=EPS)
    delta = 16 * 2 * EPS
    assert result.exact and result.lo_source == result.hi_source == "enumeration"
    assert (result.lo, result.hi) == pytest.approx((7.0 * (1 - delta), 7.0 * (1 + delta)), rel=1e-15, abs=0)


def test_ritz_bound_is_the_best_ratio_over_the_vectors():
    """Eq. 6.21: max_i ‖Hv_i‖₁/‖v_i‖∞ — the ∞-norm of each vector, not another norm."""
    h = _indefinite(9, 1)
    vectors = np.random.default_rng(2).standard_normal((5, 9))
    ratios = [np.abs(h @ v).sum() / np.abs(v).max() for v in vectors]
    value, k = ritz_lower_bound(vectors, h @ vectors.T)
    assert value == pytest.approx(max(ratios), rel=REL) and k == int(np.argmax(ratios))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_eigen_l1_bound_is_prop_6_5(seed):
    h = _indefinite(7, seed)
    values, vectors = np.linalg.eigh(h)
    expected = sum(abs(values[i]) * np.abs(vectors[:, i]).sum() ** 2 for i in range(7))
    bound = eigen_l1_bound(values, vectors)
    assert bound.value == pytest.approx(expected, rel=REL) and bound.value >= _exact(h) * (1 - REL)


def _check_sides(bounds: list[Bound], exact: float) -> None:
    for bound in bounds:
        if bound.side == "lower":
            assert bound.value <= exact * (1 + REL), (bound, exact)
        elif bound.side == "upper":
            assert bound.value >= exact * (1 - REL), (bound, exact)


@pytest.mark.parametrize("d", [3, 6])
def test_d_l2_is_attained_by_the_all_ones_matrix(d):
    """J = 11ᵀ: L2 = d and L∞ = ‖J1‖₁ = d², so d·L2 (Eq. 6.22) is tight and any smaller factor fails."""
    j = np.ones((d, d))
    assert _exact(j) == pytest.approx(d * d, rel=REL)
    result = linf_from_dense(j, l2=(d, d), eps=EPS, rng=np.random.default_rng(0), enumeration_max_d=0)
    by_source = {b.source: b.value for b in result.bounds}
    assert by_source["d_L2"] == pytest.approx(d * d, rel=REL)
    _check_sides(result.bounds, d * d)


@pytest.mark.parametrize("seed", [0, 1])
def test_each_end_of_a_wide_l2_bar_feeds_its_own_side(seed):
    """With L2 ∈ [lo, hi] only its lower end is a lower bound on L∞ (L2 ≤ L∞) and only d·hi an upper
    one. The bar here, [L∞/(2d), 1.5·L∞], holds the true L2 (L∞/d ≤ L2 ≤ L∞) but each end on the wrong
    side would break a bound: L∞/(2d)·d = L∞/2 < L∞ and 1.5·L∞ > L∞."""
    d = 8
    h = _indefinite(d, 10 + seed)
    exact = _exact(h)
    bar = (exact / (2 * d), 1.5 * exact)
    l2 = float(np.abs(np.linalg.eigvalsh(h)).max())
    assert bar[0] <= l2 <= bar[1]
    dense = linf_from_dense(h, l2=bar, eps=EPS, rng=np.random.default_rng(seed), enumeration_max_d=0)
    op = linf_from_operator(h, l2=bar, eps=EPS, rng=np.random.default_rng(seed))
    for result in (dense, op):
        by_source = {b.source: b.value for b in result.bounds}
        assert by_source["L2"] == pytest.approx(bar[0], rel=REL)
        assert by_source["d_L2"] == pytest.approx(d * bar[1], rel=REL)
        _check_sides(result.bounds, exact)
        assert result.lo <= exact <= result.hi


def test_operator_interval_counts_every_product():
    """matvecs = the Ritz vectors' products + the sign ascent's: every column the map was given."""
    h = _indefinite(10, 3)
    given = []

    def matmat(x: torch.Tensor) -> torch.Tensor:
        given.append(x.shape[1])
        return torch.from_numpy(h) @ x

    vectors = np.random.default_rng(4).standard_normal((3, 10))
    l2 = float(np.abs(np.linalg.eigvalsh(h)).max())
    result = linf_from_operator(CallableMap(matmat, 10), l2=(l2, l2), eps=EPS, rng=np.random.default_rng(5),
                                vectors=vectors, restarts=2)
    assert given[0] == 3 and result.matvecs == sum(given) > 3
    assert {b.source: b.value for b in result.bounds}["ritz"] == pytest.approx(
        ritz_lower_bound(vectors, h @ vectors.T)[0], rel=REL)


@pytest.mark.parametrize("n", [4, 50])
def test_certified_norm_bound_adds_the_documented_rounding_term(n):
    """μ' = μ + 2γ_{n+1}·(n·μ + |tr A|) with μ = estimate·(1 + 1e-9) when both factorisations succeed
    (the module docstring: tr of μI ∓ A is at most n·μ + |tr A|; γ_{n+1} = (n+1)u/(1 − (n+1)u), u = ε/2)."""
    a = _indefinite(n, n)
    top = float(np.abs(np.linalg.eigvalsh(a)).max())
    mu = top * 1.01 * (1 + 1e-9)
    u = EPS / 2
    gamma = (n + 1) * u / (1 - (n + 1) * u)
    expected = mu + 2 * gamma * (n * mu + abs(float(np.trace(a))))
    assert certified_norm_bound(a, top * 1.01) == pytest.approx(expected, rel=1e-15, abs=0)
    assert expected > mu


@pytest.mark.parametrize("rounding", [1e-14, -1e-14, 0.0])
def test_a_tie_up_to_rounding_in_a_later_product_call_keeps_the_first_start(rounding):
    """Two starts at the same s, one column per call (`columns_at_once=1`): the second start's value
    reaches the comparison with the best so far in its own call, off by rounding only; the ties rule
    (TIE) keeps the first start however that rounding goes."""
    h = _indefinite(12, 13)
    start = np.sign(np.random.default_rng(14).standard_normal(12))
    calls = []

    def matmul(x):
        calls.append(x.shape[1])
        return h @ x * (1.0 + rounding if len(calls) % 2 == 0 else 1.0)  # every second call: the second start

    result = sign_ascent(matmul, np.stack([start, start], axis=1), ["first", "second"], max_iterations=50,
                         columns_at_once=1)
    assert set(calls) == {1} and len(calls) % 2 == 0
    assert result.start == "first"
    assert result.value == pytest.approx(np.abs(h @ result.sign).sum(), rel=1e-13)


def test_enumeration_returns_a_sign_vector_even_for_a_zero_matrix():
    """L∞(0) = 0 is attained by every s: the maximiser reported is still a vector of {±1}^d with s₁ = +1."""
    stack = np.stack([np.zeros((5, 5)), _indefinite(5, 20)])
    values, signs = linf_by_enumeration(stack)
    assert values[0] == 0.0 and values[1] == pytest.approx(_exact(stack[1]), rel=REL)
    assert np.all(np.abs(signs) == 1.0) and np.all(signs[:, 0] == 1.0)
