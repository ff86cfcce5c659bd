"""The benchmark's problem kinds of the twenty-ninth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a twenty-ninth round (2026-12-05, in the session that computed round 27's truth, chosen while round 28's
# ground truth was being computed and before any of it was read), to be called by the rules refitted after the
# twenty-eighth round. Meant to lean neither way; no pairs. The global-average-pooling CNN on digits at batch 16, a
# sigmoid MLP on standardised wine, rotated least squares with N = 200 samples for d = 40 at condition 1e3,
# multinomial logistic regression on raw digit pixels at batch 8, rank-6 completion of a 60x50 matrix, a four-layer
# deep linear net of width 40, a GELU MLP on two moons, and a ReLU student of a tanh teacher.


def cnn_gap_digits_b16_model() -> nn.Module:
    return M.build(lambda: M.cnn_gap_8x8(10), seed=300)


def mlp_sigmoid_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Sigmoid), seed=301)


def lsq_rot_n200_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=302)


def lsq_rot_n200_data():
    return D.least_squares(seed=402, rotated=True, n=200, d=40, cond=1e3, noise=0.1)


def softmax_digits_raw_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=303)


def matrix_completion_r6_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=6), seed=304)


def matrix_completion_r6_data():
    return D.low_rank_entries(seed=404, rows=60, cols=50, rank=6, observed=1500)


def deep_linear_w40_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=40, depth=4), seed=305, scheme="lecun")


def deep_linear_w40_data():
    return D.least_squares(seed=405, rotated=True, n=800, d=40, cond=1e2, noise=0.5)


def mlp_gelu_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.GELU), seed=306)


def mlp_gelu_moons_data():
    return L.two_moons(seed=406)


def teacher_relu_student_model() -> nn.Module:
    return M.build(lambda: M.mlp([16, 64, 1], nn.ReLU), seed=307)


def teacher_relu_student_data():
    return D.teacher_regression(seed=407)


cnn_gap_digits_b16_data = D.digits
mlp_sigmoid_wine_std_data = L.wine_standardised
softmax_digits_raw_b8_data = D.digits_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "cnn_gap_digits_b16": ("ce", 16, 10, "two-conv ReLU CNN with global average pooling on 8x8 digits, batch 16",
                           (M.cnn_gap_8x8, D.digits)),
    "mlp_sigmoid_wine_std": ("ce", 16, 3, "sigmoid MLP 13-32-3 on standardised wine",
                             (M.mlp, L.wine_standardised, D.wine_raw)),
    "lsq_rot_n200": ("mse", 32, None, "least squares, N=200 samples for d=40, rotated, condition 1e3, noise 0.1",
                     (M.linear, D.least_squares, D._orthonormal_columns)),
    "softmax_digits_raw_b8": ("ce", 8, 10, "multinomial logistic regression on raw digit pixels (0..16), batch 8",
                              (M.linear, D.digits_raw)),
    "matrix_completion_r6": ("mse", 32, None, "rank-6 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "deep_linear_w40": ("mse", 32, None, "deep linear net, 4 bias-free layers of 40, on rotated least squares "
                        "(cond 1e2, noise 0.5)", (M.deep_linear, D.least_squares, D._orthonormal_columns)),
    "mlp_gelu_moons": ("bce", 32, 2, "GELU MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "teacher_relu_student": ("mse", 32, None, "ReLU MLP 16-64-1 fitting a noiseless tanh teacher",
                             (M.mlp, D.teacher_regression, M.build, M.init_)),
}
