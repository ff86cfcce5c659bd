"""The benchmark's problem kinds of the thirty-first prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a thirty-first round (2026-12-06, chosen before round 29's or round 30's ground truth had been computed
# and before any of this round's cases was run), to be called by the rules shipped when its evidence is recorded.
# Meant to lean neither way; no pairs. A SiLU MLP on standardised wine, axis-aligned least squares with N = 200
# samples for d = 40, rank-4 completion without noise, a deep narrow tanh MLP on Friedman's function, the two-conv
# CNN on raw digit pixels, a Softplus MLP on the Gaussian clusters, multinomial logistic regression on standardised
# iris at batch 8, and a ReLU MLP on diabetes at batch 8.


def mlp_silu_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.SiLU), seed=320)


def lsq_axis_n200_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=321)


def lsq_axis_n200_data():
    return D.least_squares(seed=421, rotated=False, n=200, d=40, cond=1e3, noise=0.1)


def matrix_completion_r4_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=322)


def matrix_completion_r4_clean_data():
    return D.low_rank_entries(seed=422, rows=60, cols=50, rank=4, observed=1500, noise=0.0)


def deep_tanh_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 16, 16, 16, 1], nn.Tanh), seed=323)


def deep_tanh_friedman_data():
    return R15.friedman_regression(seed=423)


def cnn_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.cnn_8x8(10), seed=324)


def mlp_softplus_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.Softplus), seed=325)


def mlp_softplus_clusters_data():
    return R15.gaussian_clusters(seed=425)


def softmax_iris_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(4, 3), seed=326)


def mlp_relu_diabetes_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 32, 1], nn.ReLU), seed=327)


mlp_silu_wine_std_data = L.wine_standardised
cnn_digits_raw_data = D.digits_raw
softmax_iris_b8_data = D.iris_standardised
mlp_relu_diabetes_b8_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_silu_wine_std": ("ce", 16, 3, "SiLU MLP 13-32-3 on standardised wine",
                          (M.mlp, L.wine_standardised, D.wine_raw)),
    "lsq_axis_n200": ("mse", 32, None, "least squares, N=200 samples for d=40, axis-aligned, condition 1e3, noise 0.1",
                      (M.linear, D.least_squares, D._orthonormal_columns)),
    "matrix_completion_r4_clean": ("mse", 32, None, "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "deep_tanh_friedman": ("mse", 32, None, "deep narrow tanh MLP 10-16-16-16-1 on Friedman's first regression "
                           "function", (M.mlp, R15.friedman_regression)),
    "cnn_digits_raw": ("ce", 64, 10, "two-conv ReLU CNN with max pooling on raw digit pixels (0..16)",
                       (M.cnn_8x8, D.digits_raw)),
    "mlp_softplus_clusters": ("ce", 32, 5, "Softplus MLP 20-64-5 on 5 Gaussian clusters",
                              (M.mlp, R15.gaussian_clusters)),
    "softmax_iris_b8": ("ce", 8, 3, "multinomial logistic regression on standardised iris, batch 8",
                        (M.linear, D.iris_standardised)),
    "mlp_relu_diabetes_b8": ("mse", 8, None, "ReLU MLP 10-32-1 on diabetes, batch 8", (M.mlp, D.diabetes)),
}
