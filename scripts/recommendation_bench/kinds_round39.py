"""The benchmark's problem kinds of the thirty-ninth prospective round: chosen before any of its cases was run,
and called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model
factories and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import kinds_round17 as R17
from . import kinds_round21 as R21
from . import models as M

# Added in a thirty-ninth round (2026-12-06, chosen after round 38's truth was computed and before any of this
# round's cases was run), to be called by the rules shipped when its evidence is recorded. Meant to lean neither
# way, with more kinds of the families that have often gone Euclidean (noiseless over-parameterised least squares
# at condition 1e4, beside round 28's 1e3; noisy rank-4 completion, beside round 31's exact entries; tanh on a
# standardised small table, as sigmoid on wine and tanh on breast cancer went) than the last two rounds had. An
# ELU MLP on standardised breast cancer, a SiLU MLP on standardised digit pixels, an ELU autoencoder on Gaussian
# clusters, a Mish MLP on diabetes and a sigmoid MLP on raw breast-cancer features.


def mlp_elu_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.ELU), seed=400)


def mlp_elu_cancer_std_data():
    return D.breast_cancer(standardise=True)


def matrix_completion_r4_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=401)


def matrix_completion_r4_data():
    return D.low_rank_entries(seed=501, rows=60, cols=50, rank=4, observed=1500, noise=0.1)


def lsq_overparam_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(400, 1, bias=False), seed=402)


def lsq_overparam_cond1e4_data():
    return D.overparam_least_squares(seed=502, cond=1e4)


def mlp_tanh_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Tanh), seed=403)


def mlp_silu_digits_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.SiLU), seed=404)


def autoencoder_elu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.ELU), seed=405)


def autoencoder_elu_clusters_data():
    return R21.clusters_reconstruction(seed=505)


def mlp_mish_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Mish), seed=406)


def mlp_sigmoid_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Sigmoid), seed=407)


def mlp_sigmoid_cancer_raw_data():
    return D.breast_cancer(standardise=False)


mlp_tanh_wine_std_data = L.wine_standardised
mlp_silu_digits_std_data = R17.standardised_digits
mlp_mish_diabetes_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_elu_cancer_std": ("bce", 32, 2, "ELU MLP 30-32-1 on breast cancer standardised features",
                           (M.mlp, D.breast_cancer)),
    "matrix_completion_r4": ("mse", 32, None, "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "lsq_overparam_cond1e4": ("mse", 32, None, "noiseless over-parameterised least squares, d=400 > N=300, rotated, "
                              "condition 1e4", (M.linear, D.overparam_least_squares, D._orthonormal_columns)),
    "mlp_tanh_wine_std": ("ce", 16, 3, "tanh MLP 13-32-3 on standardised wine",
                          (M.mlp, L.wine_standardised, D.wine_raw)),
    "mlp_silu_digits_std": ("ce", 64, 10, "SiLU MLP 64-64-10 on standardised digit pixels",
                            (M.mlp, R17.standardised_digits, D.digits)),
    "autoencoder_elu_clusters": ("mse", 64, None, "ELU autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                                 (M.mlp, R21.clusters_reconstruction, R15.gaussian_clusters)),
    "mlp_mish_diabetes": ("mse", 32, None, "Mish MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_sigmoid_cancer_raw": ("bce", 32, 2, "sigmoid MLP 30-32-1 on breast cancer raw features",
                               (M.mlp, D.breast_cancer)),
}
