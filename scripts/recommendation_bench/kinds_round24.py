"""The benchmark's problem kinds of the twenty-fourth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a twenty-fourth round (2026-12-05, a new session, chosen before any of its cases was run), to be called
# by the rules refitted after the twenty-third round. Not leaning either way. One pair with round 22: noisy least
# squares at condition 1e4 made axis-aligned (lsq_rot_cond1e4 is the rotated one). Then breadth: a SELU MLP on
# digits, a ReLU MLP on raw wine features (the tanh one was a tie), a residual LayerNorm MLP on Friedman's
# regression, rank-1 completion of a 50x50 matrix, an embedding-bag classifier on Zipf documents with a vocabulary of
# 300 and 10 classes, a tanh MLP on the Gaussian clusters with column scales 1e-2 to 1e1, and a ReLU autoencoder on
# the digits.


def lsq_axis_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=250)


def lsq_axis_cond1e4_data():
    return D.least_squares(seed=350, rotated=False, cond=1e4)


def mlp_selu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.SELU), seed=251, scheme="lecun")


def mlp_relu_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.ReLU), seed=252)


def resmlp_ln_friedman_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=10, width=32, blocks=2, classes=1), seed=253)


def resmlp_ln_friedman_data():
    return R15.friedman_regression(seed=353)


def matrix_completion_r1_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=50, cols=50, rank=1), seed=254)


def matrix_completion_r1_data():
    return D.low_rank_entries(seed=354, rows=50, cols=50, rank=1, observed=1000)


def zipf_bow_v300_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=300, dim=16, classes=10), seed=255)


def zipf_bow_v300_data():
    return D.zipf_documents(seed=355, vocab=300, classes=10)


def mlp_tanh_clusters_scaled_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 32, 5], nn.Tanh), seed=256)


def mlp_tanh_clusters_scaled_data():
    return R15.gaussian_clusters(seed=356, scaled=True)


def autoencoder_relu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.ReLU), seed=257)


mlp_selu_digits_data = D.digits
mlp_relu_wine_raw_data = D.wine_raw
autoencoder_relu_digits_data = D.digits_reconstruction

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_axis_cond1e4": ("mse", 32, None, "least squares, d=40, diagonal Hessian, condition 1e4, label noise 0.5",
                         (M.linear, D.least_squares, D._orthonormal_columns)),
    "mlp_selu_digits": ("ce", 64, 10, "SELU MLP 64-64-64-10, LeCun init, on digits", (M.mlp, D.digits)),
    "mlp_relu_wine_raw": ("ce", 16, 3, "ReLU MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
    "resmlp_ln_friedman": ("mse", 32, None, "residual MLP, width 32, 2 pre-LayerNorm blocks, on Friedman's first "
                           "regression function", (M.ResidualMLP, R15.friedman_regression)),
    "matrix_completion_r1": ("mse", 32, None, "rank-1 factorisation u vᵀ of a 50x50 matrix from 1,000 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "zipf_bow_v300": ("ce", 64, 10, "embedding-bag classifier, Zipf class and token frequencies (V=300, C=10)",
                      (M.BagOfWords, D.zipf_documents)),
    "mlp_tanh_clusters_scaled": ("ce", 64, 5, "tanh MLP 20-32-5 on 5 Gaussian clusters, column scales 1e-2 to 1e1",
                                 (M.mlp, R15.gaussian_clusters)),
    "autoencoder_relu_digits": ("mse", 64, None, "ReLU autoencoder 64-16-64 reconstructing the digits",
                                (M.mlp, D.digits_reconstruction, D.digits)),
}
