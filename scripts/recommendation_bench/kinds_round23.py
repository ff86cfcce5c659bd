"""The benchmark's problem kinds of the twenty-third prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a twenty-third round (2026-12-05, the same session, chosen before any case of rounds 22 and 23 had a
# ground truth), to be called by the rules refitted after the twenty-second round. Not leaning either way. One pair
# chosen together: noiseless least squares at condition 1e4, rotated and axis-aligned (lsq_interp and
# lsq_interp_axis had 1e2: euclidean at both against sign at both). Then breadth: a wide ReLU MLP on two moons, a
# deep narrow tanh MLP on the Gaussian clusters, a wide GELU MLP on iris, rank-4 completion of a 100x100 matrix,
# logistic regression on raw breast-cancer features at batch 8, and a deeper ReLU MLP on the raw features.


def lsq_interp_1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(100, 1, bias=False), seed=240)


def lsq_interp_1e4_data():
    return D.least_squares(seed=340, rotated=True, n=1000, d=100, cond=1e4, noise=0.0)


def lsq_interp_1e4_axis_model() -> nn.Module:
    return M.build(lambda: M.linear(100, 1, bias=False), seed=241)


def lsq_interp_1e4_axis_data():
    return D.least_squares(seed=340, rotated=False, n=1000, d=100, cond=1e4, noise=0.0)


def mlp_relu_wide_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 256, 1], nn.ReLU), seed=242)


def mlp_relu_wide_moons_data():
    return L.two_moons(seed=342)


def deep_tanh_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20] + [24] * 6 + [5], nn.Tanh), seed=243, scheme="lecun")


def deep_tanh_clusters_data():
    return R15.gaussian_clusters(seed=343)


def mlp_gelu_wide_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 256, 3], nn.GELU), seed=244)


def matrix_completion_100_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=100, cols=100, rank=4), seed=245)


def matrix_completion_100_data():
    return D.low_rank_entries(seed=345, rows=100, cols=100, rank=4, observed=2000)


def logreg_raw_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(30, 1), seed=246)


def mlp_relu_deep_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 32, 32, 1], nn.ReLU), seed=247)


def _breast_cancer_raw():
    return D.breast_cancer(standardise=False)


mlp_gelu_wide_iris_data = D.iris_standardised
logreg_raw_b8_data = mlp_relu_deep_cancer_raw_data = _breast_cancer_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_interp_1e4": ("mse", 32, None, "noiseless least squares, d=100, rotated Hessian, condition 1e4",
                       (M.linear, D.least_squares, D._orthonormal_columns)),
    "lsq_interp_1e4_axis": ("mse", 32, None, "noiseless least squares, d=100, axis-aligned Hessian, condition 1e4",
                            (M.linear, D.least_squares, D._orthonormal_columns)),
    "mlp_relu_wide_moons": ("bce", 32, 2, "wide ReLU MLP 2-256-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "deep_tanh_clusters": ("ce", 64, 5, "deep narrow tanh MLP, 6 hidden layers of 24, LeCun init, on 5 Gaussian "
                           "clusters", (M.mlp, R15.gaussian_clusters)),
    "mlp_gelu_wide_iris": ("ce", 16, 3, "wide GELU MLP 4-256-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "matrix_completion_100": ("mse", 32, None, "rank-4 factorisation U Vᵀ of a 100x100 matrix from 2,000 noisy "
                              "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "logreg_raw_b8": ("bce", 8, 2, "logistic regression, breast cancer raw features (scales 1e-3..4e3), batch 8",
                      (M.linear, D.breast_cancer)),
    "mlp_relu_deep_cancer_raw": ("bce", 32, 2, "ReLU MLP 30-32-32-32-1 on breast cancer raw features",
                                 (M.mlp, D.breast_cancer)),
}
