"""The benchmark's problem kinds of the thirty-second prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a thirty-second round (2026-12-06, chosen after round 31's calls were frozen and before its ground truth
# was computed, and before any of this round's cases was run), to be called by the rules shipped when its evidence is
# recorded. Meant to lean neither way; no pairs. A sigmoid MLP on standardised iris and one on standardised breast
# cancer, rank-5 completion without noise, rotated least squares with N = 100 samples for d = 40, multinomial logistic
# regression on raw wine features at batch 8, a sigmoid autoencoder on the digits, the global-average-pooling CNN on
# raw digit pixels, and a ReLU MLP on two moons at batch 8.


def mlp_sigmoid_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Sigmoid), seed=330)


def mlp_sigmoid_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Sigmoid), seed=331)


def mlp_sigmoid_cancer_std_data():
    return D.breast_cancer(standardise=True)


def matrix_completion_r5_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=5), seed=332)


def matrix_completion_r5_clean_data():
    return D.low_rank_entries(seed=432, rows=60, cols=50, rank=5, observed=1500, noise=0.0)


def lsq_rot_n100_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=333)


def lsq_rot_n100_data():
    return D.least_squares(seed=433, rotated=True, n=100, d=40, cond=1e3, noise=0.1)


def softmax_wine_raw_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(13, 3), seed=334)


def autoencoder_sigmoid_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.Sigmoid), seed=335)


def cnn_gap_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.cnn_gap_8x8(10), seed=336)


def mlp_relu_moons_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.ReLU), seed=337)


def mlp_relu_moons_b8_data():
    return L.two_moons(seed=437)


mlp_sigmoid_iris_data = D.iris_standardised
softmax_wine_raw_b8_data = D.wine_raw
autoencoder_sigmoid_digits_data = D.digits_reconstruction
cnn_gap_digits_raw_data = D.digits_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_sigmoid_iris": ("ce", 16, 3, "sigmoid MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_sigmoid_cancer_std": ("bce", 32, 2, "sigmoid MLP 30-32-1 on breast cancer standardised features",
                               (M.mlp, D.breast_cancer)),
    "matrix_completion_r5_clean": ("mse", 32, None, "rank-5 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "lsq_rot_n100": ("mse", 32, None, "least squares, N=100 samples for d=40, rotated, condition 1e3, noise 0.1",
                     (M.linear, D.least_squares, D._orthonormal_columns)),
    "softmax_wine_raw_b8": ("ce", 8, 3, "multinomial logistic regression, sklearn wine raw features, batch 8",
                            (M.linear, D.wine_raw)),
    "autoencoder_sigmoid_digits": ("mse", 64, None, "sigmoid autoencoder 64-16-64 reconstructing the digits",
                                   (M.mlp, D.digits_reconstruction)),
    "cnn_gap_digits_raw": ("ce", 64, 10, "two-conv ReLU CNN with global average pooling on raw digit pixels (0..16)",
                           (M.cnn_gap_8x8, D.digits_raw)),
    "mlp_relu_moons_b8": ("bce", 8, 2, "ReLU MLP 2-32-32-1 on two moons (noise 0.2), batch 8", (M.mlp, L.two_moons)),
}
