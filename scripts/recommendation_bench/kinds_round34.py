"""The benchmark's problem kinds of the thirty-fourth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import kinds_round21 as R21
from . import models as M

# Added in a thirty-fourth round (2026-12-06, chosen after round 33's calls were frozen and before its ground truth
# was computed, and before any of this round's cases was run), to be called by the rules shipped when its evidence is
# recorded. Meant to lean neither way. An ELU MLP on standardised iris, a tanh MLP on standardised breast cancer,
# rotated least squares with N = 60 samples for d = 40 (after N = 800, 200 and 100), rank-5 completion with noise (the
# twin of round 32's noiseless one), a ReLU autoencoder on the Gaussian clusters, a ReLU MLP on Friedman's function at
# batch 8 and multinomial logistic regression on standardised wine at batch 8 (batch-size variants of mlp_friedman
# and softmax_wine_std), and a residual LayerNorm MLP on diabetes.


def mlp_elu_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.ELU), seed=350)


def mlp_tanh_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Tanh), seed=351)


def mlp_tanh_cancer_std_data():
    return D.breast_cancer(standardise=True)


def lsq_rot_n60_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=352)


def lsq_rot_n60_data():
    return D.least_squares(seed=452, rotated=True, n=60, d=40, cond=1e3, noise=0.1)


def matrix_completion_r5_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=5), seed=353)


def matrix_completion_r5_data():
    return D.low_rank_entries(seed=453, rows=60, cols=50, rank=5, observed=1500, noise=0.1)


def autoencoder_relu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.ReLU), seed=354)


def autoencoder_relu_clusters_data():
    return R21.clusters_reconstruction(seed=454)


def mlp_relu_friedman_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.ReLU), seed=355)


def mlp_relu_friedman_b8_data():
    return R15.friedman_regression(seed=455)


def softmax_wine_std_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(13, 3), seed=356)


def resmlp_ln_diabetes_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=10, width=32, blocks=2, classes=1), seed=357)


mlp_elu_iris_data = D.iris_standardised
softmax_wine_std_b8_data = L.wine_standardised
resmlp_ln_diabetes_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_elu_iris": ("ce", 16, 3, "ELU MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_tanh_cancer_std": ("bce", 32, 2, "tanh MLP 30-32-1 on breast cancer standardised features",
                            (M.mlp, D.breast_cancer)),
    "lsq_rot_n60": ("mse", 32, None, "least squares, N=60 samples for d=40, rotated, condition 1e3, noise 0.1",
                    (M.linear, D.least_squares, D._orthonormal_columns)),
    "matrix_completion_r5": ("mse", 32, None, "rank-5 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_relu_clusters": ("mse", 64, None, "ReLU autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                                  (M.mlp, R21.clusters_reconstruction, R15.gaussian_clusters)),
    "mlp_relu_friedman_b8": ("mse", 8, None, "ReLU MLP 10-64-64-1 on Friedman's first regression function, batch 8",
                             (M.mlp, R15.friedman_regression)),
    "softmax_wine_std_b8": ("ce", 8, 3, "multinomial logistic regression on standardised wine, batch 8",
                            (M.linear, L.wine_standardised, D.wine_raw)),
    "resmlp_ln_diabetes": ("mse", 32, None, "residual MLP, width 32, 2 pre-LayerNorm blocks, on diabetes",
                           (M.ResidualMLP, D.diabetes)),
}
