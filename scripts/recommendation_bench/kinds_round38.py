"""The benchmark's problem kinds of the thirty-eighth prospective round: chosen before any of its cases was run,
and called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model
factories and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import kinds_round21 as R21
from . import models as M

# Added in a thirty-eighth round (2026-12-06, chosen after round 37's truth was computed, while the rules refitted on
# 456 cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its
# evidence is recorded. Meant to lean neither way; one pair (rotated least squares with N = 60 for d = 40 at
# condition 1e2, beside round 34's at 1e3). A Softplus MLP on standardised iris, a Mish MLP on standardised breast
# cancer, noisy rank-5 completion at batch 8 (a new draw; matrix_completion_r5 is at batch 32), a SiLU autoencoder
# on Gaussian clusters, a Softplus MLP on diabetes, a SELU MLP on standardised wine and a residual LayerNorm MLP on
# raw digit pixels.


def mlp_softplus_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Softplus), seed=390)


def mlp_mish_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Mish), seed=391)


def mlp_mish_cancer_std_data():
    return D.breast_cancer(standardise=True)


def lsq_rot_n60_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=392)


def lsq_rot_n60_cond1e2_data():
    return D.least_squares(seed=492, rotated=True, n=60, d=40, cond=1e2, noise=0.1)


def matrix_completion_r5_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=5), seed=393)


def matrix_completion_r5_b8_data():
    return D.low_rank_entries(seed=493, rows=40, cols=40, rank=5, observed=800)


def autoencoder_silu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.SiLU), seed=394)


def autoencoder_silu_clusters_data():
    return R21.clusters_reconstruction(seed=494)


def mlp_softplus_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Softplus), seed=395)


def mlp_selu_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.SELU), seed=396)


def resmlp_ln_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=64, width=32, blocks=2, classes=10), seed=397)


mlp_softplus_iris_data = D.iris_standardised
mlp_softplus_diabetes_data = D.diabetes
mlp_selu_wine_std_data = L.wine_standardised
resmlp_ln_digits_raw_data = D.digits_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_softplus_iris": ("ce", 16, 3, "Softplus MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_mish_cancer_std": ("bce", 32, 2, "Mish MLP 30-32-1 on breast cancer standardised features",
                            (M.mlp, D.breast_cancer)),
    "lsq_rot_n60_cond1e2": ("mse", 32, None,
                            "least squares, N=60 samples for d=40, rotated, condition 1e2, noise 0.1",
                            (M.linear, D.least_squares, D._orthonormal_columns)),
    "matrix_completion_r5_b8": ("mse", 8, None,
                                "rank-5 factorisation U Vᵀ of a 40x40 matrix from 800 noisy entries, batch 8",
                                (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_silu_clusters": ("mse", 64, None, "SiLU autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                                  (M.mlp, R21.clusters_reconstruction, R15.gaussian_clusters)),
    "mlp_softplus_diabetes": ("mse", 32, None, "Softplus MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_selu_wine_std": ("ce", 16, 3, "SELU MLP 13-32-3 on standardised wine",
                          (M.mlp, L.wine_standardised, D.wine_raw)),
    "resmlp_ln_digits_raw": ("ce", 64, 10, "residual MLP, width 32, 2 pre-LayerNorm blocks, on raw digit pixels",
                             (M.ResidualMLP, D.digits_raw)),
}
