"""The benchmark's problem kinds of the thirtieth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a thirtieth round (2026-12-06, in the session that chose round 29, before round 29 had a ground truth and
# before any of this round's cases was run), to be called by the same rules as round 29 (refitted on 328 cases).
# Meant to lean neither way; no pairs. A GELU MLP on standardised iris, LeNet on raw digit pixels, noiseless
# axis-aligned least squares at condition 1e3, logistic regression on standardised breast cancer at batch 8, rank-1
# completion without noise, a deep narrow ReLU MLP on Friedman's function, an ELU autoencoder on the digits, and
# multinomial logistic regression on the Gaussian clusters at batch 8.


def mlp_gelu_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.GELU), seed=310)


def lenet_digits_raw_model() -> nn.Module:
    return M.build(M.lenet_8x8, seed=311)


def lsq_axis_clean_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=312)


def lsq_axis_clean_data():
    return D.least_squares(seed=412, rotated=False, n=800, d=40, cond=1e3, noise=0.0)


def logreg_cancer_std_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(30, 1), seed=313)


def logreg_cancer_std_b8_data():
    return D.breast_cancer(standardise=True)


def matrix_completion_r1_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=50, cols=50, rank=1), seed=314)


def matrix_completion_r1_clean_data():
    return D.low_rank_entries(seed=414, rows=50, cols=50, rank=1, observed=1000, noise=0.0)


def deep_relu_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 16, 16, 16, 1], nn.ReLU), seed=315)


def deep_relu_friedman_data():
    return R15.friedman_regression(seed=415)


def autoencoder_elu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.ELU), seed=316)


def softmax_clusters_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(20, 5), seed=317)


def softmax_clusters_b8_data():
    return R15.gaussian_clusters(seed=417)


mlp_gelu_iris_data = D.iris_standardised
lenet_digits_raw_data = D.digits_raw
autoencoder_elu_digits_data = D.digits_reconstruction

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_gelu_iris": ("ce", 16, 3, "GELU MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "lenet_digits_raw": ("ce", 64, 10, "LeNet-style tanh CNN with average pooling on raw digit pixels (0..16)",
                         (M.lenet_8x8, D.digits_raw)),
    "lsq_axis_clean": ("mse", 32, None, "noiseless least squares, d=40, axis-aligned Hessian, condition 1e3",
                       (M.linear, D.least_squares, D._orthonormal_columns)),
    "logreg_cancer_std_b8": ("bce", 8, 2, "logistic regression, breast cancer standardised features, batch 8",
                             (M.linear, D.breast_cancer)),
    "matrix_completion_r1_clean": ("mse", 32, None, "rank-1 factorisation u vᵀ of a 50x50 matrix from 1,000 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "deep_relu_friedman": ("mse", 32, None, "deep narrow ReLU MLP 10-16-16-16-1 on Friedman's first regression "
                           "function", (M.mlp, R15.friedman_regression)),
    "autoencoder_elu_digits": ("mse", 64, None, "ELU autoencoder 64-16-64 reconstructing the digits",
                               (M.mlp, D.digits_reconstruction)),
    "softmax_clusters_b8": ("ce", 8, 5, "multinomial logistic regression, 5 Gaussian clusters, batch 8",
                            (M.linear, R15.gaussian_clusters)),
}
