"""The benchmark's problem kinds of the thirty-third prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a thirty-third round (2026-12-06, chosen before round 32's ground truth was computed and before any of
# this round's cases was run), to be called by the rules shipped when its evidence is recorded. Meant to lean neither
# way; one pair (axis-aligned least squares with N = 100 for d = 40, the twin of round 32's rotated one). An ELU MLP
# on standardised wine, a residual LayerNorm MLP on standardised iris, rank-3 completion with noise, a GELU
# autoencoder on the digits, an ELU MLP on Friedman's function, a ReLU MLP on standardised breast cancer at batch 8,
# and a deep narrow SiLU MLP on the Gaussian clusters.


def mlp_elu_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.ELU), seed=340)


def resmlp_ln_iris_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=4, width=32, blocks=2, classes=3), seed=341)


def lsq_axis_n100_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=342)


def lsq_axis_n100_data():
    return D.least_squares(seed=442, rotated=False, n=100, d=40, cond=1e3, noise=0.1)


def matrix_completion_r3_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=3), seed=343)


def matrix_completion_r3_data():
    return D.low_rank_entries(seed=443, rows=40, cols=40, rank=3, observed=800, noise=0.1)


def autoencoder_gelu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.GELU), seed=344)


def mlp_elu_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.ELU), seed=345)


def mlp_elu_friedman_data():
    return R15.friedman_regression(seed=445)


def mlp_relu_cancer_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.ReLU), seed=346)


def mlp_relu_cancer_std_b8_data():
    return D.breast_cancer(standardise=True)


def deep_silu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20] + [24] * 6 + [5], nn.SiLU), seed=347)


def deep_silu_clusters_data():
    return R15.gaussian_clusters(seed=447)


mlp_elu_wine_std_data = L.wine_standardised
resmlp_ln_iris_data = D.iris_standardised
autoencoder_gelu_digits_data = D.digits_reconstruction

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_elu_wine_std": ("ce", 16, 3, "ELU MLP 13-32-3 on standardised wine",
                         (M.mlp, L.wine_standardised, D.wine_raw)),
    "resmlp_ln_iris": ("ce", 16, 3, "residual MLP, width 32, 2 pre-LayerNorm blocks, on standardised iris",
                       (M.ResidualMLP, D.iris_standardised)),
    "lsq_axis_n100": ("mse", 32, None, "least squares, N=100 samples for d=40, axis-aligned, condition 1e3, noise 0.1",
                      (M.linear, D.least_squares)),
    "matrix_completion_r3": ("mse", 32, None, "rank-3 factorisation U Vᵀ of a 40x40 matrix from 800 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_gelu_digits": ("mse", 64, None, "GELU autoencoder 64-16-64 reconstructing the digits",
                                (M.mlp, D.digits_reconstruction)),
    "mlp_elu_friedman": ("mse", 32, None, "ELU MLP 10-64-64-1 on Friedman's first regression function",
                         (M.mlp, R15.friedman_regression)),
    "mlp_relu_cancer_std_b8": ("bce", 8, 2, "ReLU MLP 30-32-1 on breast cancer standardised features, batch 8",
                               (M.mlp, D.breast_cancer)),
    "deep_silu_clusters": ("ce", 64, 5, "deep narrow SiLU MLP, 6 hidden layers of 24, on 5 Gaussian clusters",
                           (M.mlp, R15.gaussian_clusters)),
}
