"""The benchmark's problem kinds of the fifty-first prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a fifty-first round (2026-12-07, chosen in the session that refitted the rules on 658 cases, after round
# 50's truth and before any of this round's cases was run), to be called by those rules. Like round 50 it is aimed at
# neither no-race pair: it extends the benchmark to a unit it has never met, Hardswish (piecewise quadratic, its
# second derivative 1/3 on (−3, 3) and 0 outside), on six data sets its MLPs are usually run on (digits, standardised
# breast cancer, two moons, 5 Gaussian clusters, Friedman's function, standardised iris), and adds noisy rank-7
# completion at batch 32 (exact rank 7 went euclidean twice in round 48) and axis-aligned least squares of condition
# 1e4 with N = 150 for d = 40 (at N = 60, 100, 120 and 200 sign at every checkpoint).


def mlp_hardswish_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.Hardswish), seed=620)


def mlp_hardswish_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Hardswish), seed=621)


def mlp_hardswish_cancer_std_data():
    return D.breast_cancer(standardise=True)


def mlp_hardswish_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.Hardswish), seed=622)


def mlp_hardswish_moons_data():
    return L.two_moons(seed=722)


def mlp_hardswish_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.Hardswish), seed=623)


def mlp_hardswish_clusters_data():
    return R15.gaussian_clusters(seed=723)


def mlp_hardswish_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Hardswish), seed=624)


def mlp_hardswish_friedman_data():
    return R15.friedman_regression(seed=724)


def mlp_hardswish_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Hardswish), seed=625)


def matrix_completion_r7_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=70, cols=50, rank=7), seed=626)


def matrix_completion_r7_data():
    return D.low_rank_entries(seed=726, rows=70, cols=50, rank=7, observed=2000, noise=0.1)


def lsq_axis_n150_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=627)


def lsq_axis_n150_cond1e4_data():
    return D.least_squares(seed=727, rotated=False, n=150, d=40, cond=1e4, noise=0.1)


mlp_hardswish_digits_data = D.digits
mlp_hardswish_iris_data = D.iris_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_hardswish_digits": ("ce", 64, 10, "Hardswish MLP 64-64-64-10 on digits", (M.mlp, D.digits)),
    "mlp_hardswish_cancer_std": ("bce", 32, 2, "Hardswish MLP 30-32-1 on breast cancer standardised features",
                                 (M.mlp, D.breast_cancer)),
    "mlp_hardswish_moons": ("bce", 32, 2, "Hardswish MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_hardswish_clusters": ("ce", 64, 5, "Hardswish MLP 20-64-5 on 5 Gaussian clusters",
                               (M.mlp, R15.gaussian_clusters)),
    "mlp_hardswish_friedman": ("mse", 32, None, "Hardswish MLP 10-64-64-1 on Friedman's first regression function",
                               (M.mlp, R15.friedman_regression)),
    "mlp_hardswish_iris": ("ce", 16, 3, "Hardswish MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "matrix_completion_r7": ("mse", 32, None, "rank-7 factorisation U Vᵀ of a 70x50 matrix from 2,000 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "lsq_axis_n150_cond1e4": ("mse", 32, None, "least squares, N=150 samples for d=40, axis-aligned, condition 1e4, "
                              "noise 0.1", (M.linear, D.least_squares)),
}
