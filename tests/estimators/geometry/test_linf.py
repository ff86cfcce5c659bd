"""L∞ = ‖H‖_{∞,1}: enumeration against brute force, every bound on the right side of the exact value.

Tolerances: the exact reference is a brute-force maximum over all 2^d sign vectors (itertools, one
vector at a time) in float64; enumeration must match it to 1e-12 relative (the same sums in another
order). A lower bound may exceed the exact value, or an upper bound fall below it, only by rounding:
1e-12 relative, far above the ~d·ε ≈ 3e-15 these sums can differ by and far below any real violation.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from hessdiag.estimators.geometry.linf.bounds import Bound, assemble
from hessdiag.estimators.geometry.linf.interval import linf_from_dense, linf_from_operator
from hessdiag.estimators.geometry.linf.lower import (
    ascent_starts,
    linf_by_enumeration,
    ritz_lower_bound,
    sign_ascent,
    sign_vectors,
)
from hessdiag.estimators.geometry.linf.upper import abs_sum_bound, certified_norm_bound, separable_bound
from hessdiag.estimators.spectrum.step_sizes import StepSizes, with_sign_step

EPS = float(np.finfo(np.float64).eps)
REL = 1e-12


def brute_force(h: np.ndarray) -> float:
    return max(float(np.abs(h @ np.array(s)).sum()) for s in itertools.product((-1.0, 1.0), repeat=h.shape[0]))


def random_symmetric(kind: str, d: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal((d, d))
    if kind == "psd":
        return a @ a.T
    if kind == "indefinite":
        return (a + a.T) / 2
    if kind == "low_rank":
        u = rng.standard_normal((d, 2))
        return u @ np.diag([5.0, -1.0]) @ u.T
    if kind == "diagonally_dominant":
        return np.diag(rng.uniform(1, 10, d)) + 0.1 * (a + a.T)
    if kind == "sparse":
        mask = rng.random((d, d)) < 0.2
        s = np.where(mask, a, 0.0)
        return s + s.T
    raise ValueError(kind)


KINDS = ["psd", "indefinite", "low_rank", "diagonally_dominant", "sparse"]


def test_sign_vectors_cover_half_the_cube():
    s = sign_vectors(4)
    assert s.shape == (8, 4) and np.all(s[:, 0] == 1)
    assert len({tuple(row) for row in s}) == 8


@pytest.mark.parametrize("kind", KINDS)
def test_enumeration_equals_brute_force(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    for d in (1, 2, 3, 5, 8, 11):
        h = random_symmetric(kind, d, rng)
        value, sign = linf_by_enumeration(h)
        assert value == pytest.approx(brute_force(h), rel=REL)
        assert np.abs(h @ sign).sum() == pytest.approx(value, rel=1e-15)


def test_enumeration_of_a_stack_matches_one_by_one():
    rng = np.random.default_rng(7)
    stack = np.stack([random_symmetric("indefinite", 9, rng) for _ in range(5)]).reshape(5, 1, 9, 9)
    values, signs = linf_by_enumeration(stack)
    assert values.shape == (5, 1) and signs.shape == (5, 1, 9)
    for i in range(5):
        assert values[i, 0] == linf_by_enumeration(stack[i, 0])[0]


def test_enumeration_runs_at_d_20_and_refuses_beyond_the_limit():
    h = np.diag(np.arange(1.0, 21.0))
    assert linf_by_enumeration(h)[0] == pytest.approx(210.0, rel=1e-15)  # Σ|λ| for a diagonal H
    with pytest.raises(ValueError):
        linf_by_enumeration(np.eye(8), max_d=7)


def _all_bounds(h: np.ndarray, rng: np.random.Generator) -> list[Bound]:
    values, vectors = np.linalg.eigh(h)
    l2 = float(np.abs(values).max())
    ritz = vectors[:, [0, -1]].T + 1e-3 * rng.standard_normal((2, h.shape[0]))  # approximate eigenvectors
    dense = linf_from_dense(h, l2=(l2, l2), eps=EPS, rng=rng, vectors=ritz, eigen=(values, vectors),
                            named={"first column": h[:, 0]}, enumeration_max_d=0, restarts=4)
    op = linf_from_operator(h, l2=(l2, l2), eps=EPS, rng=rng, vectors=ritz, restarts=3)
    return dense.bounds + op.bounds + [Bound("lower", "interval", dense.lo), Bound("upper", "interval", dense.hi),
                                       Bound("lower", "interval", op.lo), Bound("upper", "interval", op.hi)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_bound_is_on_the_right_side_of_the_exact_value(kind):
    rng = np.random.default_rng(100 + KINDS.index(kind))
    sources = set()
    for d in (2, 4, 7, 10, 13):
        for _ in range(3):
            h = random_symmetric(kind, d, rng)
            exact = brute_force(h) if d <= 10 else float(linf_by_enumeration(h)[0])
            l2 = float(np.abs(np.linalg.eigvalsh(h)).max())
            assert l2 * (1 - REL) <= exact <= d * l2 * (1 + REL)  # Eq. 6.22
            for bound in _all_bounds(h, rng):
                sources.add(bound.source)
                if bound.side == "lower":
                    assert bound.value <= exact * (1 + REL), (bound, exact)
                else:
                    assert bound.value >= exact * (1 - REL), (bound, exact)
    assert sources == {"L2", "sign_ascent", "ritz", "abs_sum", "separable", "d_L2", "eigen_l1", "interval"}


def test_interval_is_exact_with_enumeration_and_within_eq_6_22():
    rng = np.random.default_rng(5)
    h = random_symmetric("indefinite", 9, rng)
    l2 = float(np.abs(np.linalg.eigvalsh(h)).max())
    result = linf_from_dense(h, l2=(l2, l2), eps=EPS, rng=rng)
    exact = brute_force(h)
    assert result.exact and result.lo_source == result.hi_source == "enumeration"
    assert result.lo <= exact <= result.hi and result.hi - result.lo <= 1e-12 * exact
    assert result.value == pytest.approx(exact, rel=1e-14)
    assert l2 <= result.lo and result.hi <= 9 * l2
    doc = result.as_dict()
    assert {"lo", "hi", "exact", "lo_source", "hi_source"} <= set(doc) and "local" in doc["note"]


def test_diagonal_hessian_closed_form():
    """L∞ = Σ|λ_i| for diagonal H (Prop. 6.5 is tight for axis-aligned H); for large d the interval
    must collapse onto it: s = sign(diag) attains it and ‖H‖_{1,1} = Σ|λ_i|."""
    rng = np.random.default_rng(9)
    for d in (6, 300):
        diag = rng.standard_normal(d)
        h = np.diag(diag)
        l2 = float(np.abs(diag).max())
        result = linf_from_dense(h, l2=(l2, l2), eps=EPS, rng=rng, named={"diagonal": diag})
        assert result.lo <= np.abs(diag).sum() <= result.hi
        assert result.hi - result.lo <= 1e-10 * np.abs(diag).sum()


@pytest.mark.parametrize("lam", [1.0, 3.0, 50.0])
def test_rotated_two_dimensional_quadratic(lam):
    """App. C.2: H = R(ω) diag(λ, 1) R(ω)ᵀ has L∞ = a + d + 2|b| (Eq. C.14) = λ + 1 + (λ−1)|sin 2ω|."""
    for omega in np.linspace(0, np.pi, 25):
        c, s = np.cos(omega), np.sin(omega)
        rot = np.array([[c, -s], [s, c]])
        h = rot @ np.diag([lam, 1.0]) @ rot.T
        expected = lam + 1 + (lam - 1) * abs(np.sin(2 * omega))
        assert linf_by_enumeration(h)[0] == pytest.approx(expected, rel=1e-13)
        assert brute_force(h) == pytest.approx(h[0, 0] + h[1, 1] + 2 * abs(h[0, 1]), rel=1e-13)


def test_sign_ascent_is_monotone_counts_products_and_stops_on_two_cycles():
    rng = np.random.default_rng(11)
    h = random_symmetric("indefinite", 40, rng)
    calls = []

    def matmul(x):
        calls.append(x.shape[1])
        return h @ x

    starts = np.sign(rng.standard_normal((40, 5)))
    result = sign_ascent(matmul, starts, [f"s{i}" for i in range(5)], max_iterations=200)
    assert result.products == sum(calls) and result.iterations == len(calls) < 200
    assert result.value == pytest.approx(np.abs(h @ result.sign).sum(), rel=1e-15)
    # monotone along one sequence: x ← sign(Hx)
    x, values = starts[:, 0], []
    for _ in range(result.iterations):
        y = h @ x
        values.append(np.abs(y).sum())
        x = np.where(y >= 0, 1.0, -1.0)
    assert all(b >= a * (1 - REL) for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_sign_ascent_a_few_columns_at_a_time_is_the_same_ascent(columns):
    """`columns_at_once` (the memory plan's choice for large d) splits each round's product calls; the
    products, rounds, best value, its sign vector and start are those of whole rounds."""
    rng = np.random.default_rng(12)
    h = random_symmetric("indefinite", 30, rng)
    starts, names = ascent_starts(30, rng, 4, {"first": rng.standard_normal(30)})
    calls = []

    def matmul(x):
        calls.append(x.shape[1])
        return h @ x

    whole = sign_ascent(lambda x: h @ x, starts, names, max_iterations=100)
    split = sign_ascent(matmul, starts, names, max_iterations=100, columns_at_once=columns)
    assert max(calls) <= columns and sum(calls) == split.products == whole.products
    assert (split.value, split.start, split.iterations) == (whole.value, whole.start, whole.iterations)
    assert np.array_equal(split.sign, whole.sign) and starts.dtype == np.int8 and starts.shape == (30, 6)


def test_ritz_lower_bound_holds_for_any_vectors():
    rng = np.random.default_rng(12)
    h = random_symmetric("indefinite", 10, rng)
    vectors = rng.standard_normal((6, 10))
    value, _ = ritz_lower_bound(vectors, h @ vectors.T)
    assert value <= brute_force(h) * (1 + REL)


def test_separable_bound_never_exceeds_abs_sum_or_d_l2():
    """It starts from the better of w = row sums (≤ ‖H‖_{1,1}, proved) and w = 1 (= n·L2 on the n
    nonzero rows) and only accepts improvements (module docstring). The 1e-5 allows for the
    certification margin (1e-6 relative, then up to 1 % steps only if Cholesky fails)."""
    rng = np.random.default_rng(13)
    for kind in KINDS:
        for d in (3, 30, 320):
            h = random_symmetric(kind, d, rng)
            sep = separable_bound(h, steps=5).value
            l2 = float(np.abs(np.linalg.eigvalsh(h)).max())
            assert sep <= abs_sum_bound(h).value * (1 + 1e-12)
            assert sep <= d * l2 * (1 + 1e-5)
    assert separable_bound(np.zeros((3, 3))).value == 0.0


def test_certified_norm_bound_is_above_and_close():
    rng = np.random.default_rng(14)
    for d in (5, 200):
        a = random_symmetric("indefinite", d, rng)
        true = float(np.abs(np.linalg.eigvalsh(a)).max())
        for guess in (true, 0.9 * true, 1.2 * true):
            bound = certified_norm_bound(a, guess)
            assert bound >= true
        assert certified_norm_bound(a, true) <= true * (1 + 1e-5)


def test_assemble_needs_both_sides_and_picks_the_tightest():
    bounds = [Bound("lower", "a", 1.0), Bound("lower", "b", 2.0), Bound("upper", "c", 5.0), Bound("upper", "e", 3.0)]
    result = assemble(bounds, d=4, eps=EPS)
    assert (result.lo_source, result.hi_source, result.exact) == ("b", "e", False)
    assert result.lo == pytest.approx(2.0) and result.hi == pytest.approx(3.0)
    with pytest.raises(ValueError):
        assemble(bounds[:2], d=4, eps=EPS)


def test_an_upper_bound_below_a_proven_lower_bound_is_dropped_not_swapped():
    """d·L2 from an unconverged L2 bar can fall below a sign-ascent value: it is no bound, and the
    ends must never be swapped (that would report the lower bound as the upper end)."""
    bounds = [Bound("lower", "sign_ascent", 20.0), Bound("upper", "d_L2", 3.6), Bound("upper", "abs_sum", 25.0)]
    result = assemble(bounds, d=20, eps=EPS)
    assert (result.lo_source, result.hi_source) == ("sign_ascent", "abs_sum")
    assert result.lo <= 20.0 <= result.hi == pytest.approx(25.0)
    alone = assemble(bounds[:2], d=20, eps=EPS)
    assert alone.hi_source is None and math.isinf(alone.hi) and alone.lo == pytest.approx(20.0)
    sizes = StepSizes(gd_1_over_L2=1.0, gd_max_2_over_lmax=2.0, gd_opt=None, gd_along_gradient=None)
    assert with_sign_step(sizes, alone.hi).sign_1_over_Linf is None


@pytest.mark.parametrize("rounding", [1e-14, -1e-14, 0.0])
def test_sign_ascent_keeps_the_first_of_starts_that_tie_up_to_rounding(rounding):
    """Two starts that reach the same s give the same ‖Hs‖₁ up to rounding, which differs with the order of
    the sums (a run on one process or on several): the first start is kept whichever rounds higher (the best
    start's name differed between a one-process and a two-process run of the same problem)."""
    rng = np.random.default_rng(13)
    h = random_symmetric("indefinite", 12, rng)
    start = np.sign(rng.standard_normal(12))
    starts = np.stack([start, start], axis=1)

    def matmul(x):
        out = h @ x
        return out * np.array([1.0, 1.0 + rounding])[: x.shape[1]] if x.shape[1] == 2 else out

    result = sign_ascent(matmul, starts, ["first", "second"], max_iterations=50)
    assert result.start == "first"
    assert result.value == pytest.approx(np.abs(h @ result.sign).sum(), rel=1e-13)
