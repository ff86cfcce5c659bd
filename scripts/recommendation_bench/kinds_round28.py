"""The benchmark's problem kinds of the twenty-eighth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import models as M

# Added in a twenty-eighth round (2026-12-05, a new session, chosen while round 27's ground truth was being computed
# and before any of it was read), to be called by the rules refitted after the twenty-seventh round. Meant to lean
# neither way; no pairs. The LeNet-style CNN on digits at batch 16, a three-layer deep linear net on rotated least
# squares at condition 1e3, least squares on monomials up to degree 6, logistic regression on overlapping blobs (gap 2),
# rank-3 completion without noise, a SiLU MLP on diabetes, a ReLU MLP on iris at batch 8, and noiseless
# over-parameterised least squares at condition 1e3.


def lenet_digits_b16_model() -> nn.Module:
    return M.build(M.lenet_8x8, seed=290)


def deep_linear_d3_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=20, depth=3), seed=291, scheme="lecun")


def deep_linear_d3_data():
    return D.least_squares(seed=391, rotated=True, n=800, d=20, cond=1e3, noise=0.1)


def vandermonde_lsq_deg6_model() -> nn.Module:
    return M.build(lambda: M.linear(6, 1), seed=292)


def vandermonde_lsq_deg6_data():
    return D.vandermonde_regression(seed=392, degree=6)


def logreg_blobs_gap2_model() -> nn.Module:
    return M.build(lambda: M.linear(20, 1), seed=293)


def logreg_blobs_gap2_data():
    return D.separable_blobs(seed=393, gap=2.0)


def matrix_completion_r3_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=3), seed=294)


def matrix_completion_r3_clean_data():
    return D.low_rank_entries(seed=394, rows=40, cols=40, rank=3, observed=900, noise=0.0)


def mlp_silu_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 32, 1], nn.SiLU), seed=295)


def mlp_relu_iris_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 16, 3], nn.ReLU), seed=296)


def lsq_overparam_cond1e3_model() -> nn.Module:
    return M.build(lambda: M.linear(400, 1, bias=False), seed=297)


def lsq_overparam_cond1e3_data():
    return D.overparam_least_squares(seed=397, cond=1e3)


lenet_digits_b16_data = D.digits
mlp_silu_diabetes_data = D.diabetes
mlp_relu_iris_b8_data = D.iris_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lenet_digits_b16": ("ce", 16, 10, "LeNet-style tanh CNN with average pooling on 8x8 digits, batch 16",
                         (M.lenet_8x8, D.digits)),
    "deep_linear_d3": ("mse", 32, None, "deep linear net, 3 bias-free layers of 20, on rotated least squares "
                       "(cond 1e3)", (M.deep_linear, D.least_squares, D._orthonormal_columns)),
    "vandermonde_lsq_deg6": ("mse", 32, None, "least squares on monomials t..t^6 of one variable, target sin(3t)",
                             (M.linear, D.vandermonde_regression)),
    "logreg_blobs_gap2": ("bce", 64, 2, "logistic regression on two overlapping Gaussian blobs (gap 2), d=20",
                              (M.linear, D.separable_blobs)),
    "matrix_completion_r3_clean": ("mse", 32, None, "rank-3 factorisation U Vᵀ of a 40x40 matrix from 900 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_silu_diabetes": ("mse", 32, None, "SiLU MLP 10-32-1 regressing sklearn diabetes (target standardised)",
                          (M.mlp, D.diabetes)),
    "mlp_relu_iris_b8": ("ce", 8, 3, "ReLU MLP 4-16-3 on standardised iris, batch 8", (M.mlp, D.iris_standardised)),
    "lsq_overparam_cond1e3": ("mse", 32, None, "noiseless over-parameterised least squares, d=400 > N=300, rotated, "
                              "condition 1e3", (M.linear, D.overparam_least_squares, D._orthonormal_columns)),
}
