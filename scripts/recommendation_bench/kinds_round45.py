"""The benchmark's problem kinds of the forty-fifth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-fifth round (2026-12-06, chosen after round 44's truth was computed, while the rules refitted on
# 584 cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its
# evidence is recorded. Meant to lean neither way; Softplus and Mish MLPs on raw digit pixels (the data set where
# ReLU, GELU, ELU and SiLU MLPs went euclidean once each, tanh sign twice), noisy rank-1 completion at batch 8
# (noisy ranks 2 to 6 at batch 8 went euclidean or tie) and exact rank-4 completion at batch 8 (exact ranks 2, 3, 5
# and 6 at batch 8 mixed euclidean, sign and tie), a Mish MLP on standardised wine (seven of eight activations
# sign twice, sigmoid euclidean twice), and SELU MLPs on two moons, on diabetes (most activations tie twice on
# both) and on 5 Gaussian clusters (shallow MLPs mostly tie, deep and wide ones mostly sign).


def mlp_softplus_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Softplus), seed=460)


def mlp_mish_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Mish), seed=461)


def matrix_completion_r1_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=50, cols=50, rank=1), seed=462)


def matrix_completion_r1_b8_data():
    return D.low_rank_entries(seed=562, rows=50, cols=50, rank=1, observed=1000)


def matrix_completion_r4_clean_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=463)


def matrix_completion_r4_clean_b8_data():
    return D.low_rank_entries(seed=563, rows=60, cols=50, rank=4, observed=1500, noise=0.0)


def mlp_mish_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Mish), seed=464)


def mlp_selu_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.SELU), seed=465)


def mlp_selu_moons_data():
    return L.two_moons(seed=565)


def mlp_selu_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.SELU), seed=466)


def mlp_selu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.SELU), seed=467)


def mlp_selu_clusters_data():
    return R15.gaussian_clusters(seed=567)


mlp_softplus_digits_raw_data = D.digits_raw
mlp_mish_digits_raw_data = D.digits_raw
mlp_mish_wine_std_data = L.wine_standardised
mlp_selu_diabetes_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_softplus_digits_raw": ("ce", 64, 10, "Softplus MLP 64-64-10 on raw digit pixels (0..16)",
                                (M.mlp, D.digits_raw)),
    "mlp_mish_digits_raw": ("ce", 64, 10, "Mish MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "matrix_completion_r1_b8": ("mse", 8, None, "rank-1 factorisation u vᵀ of a 50x50 matrix from 1,000 noisy entries, "
                                "batch 8", (M.MatrixFactorization, D.low_rank_entries)),
    "matrix_completion_r4_clean_b8": ("mse", 8, None,
                                      "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact entries, batch 8",
                                      (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_mish_wine_std": ("ce", 16, 3, "Mish MLP 13-32-3 on standardised wine",
                          (M.mlp, L.wine_standardised, D.wine_raw)),
    "mlp_selu_moons": ("bce", 32, 2, "SELU MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_selu_diabetes": ("mse", 32, None, "SELU MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_selu_clusters": ("ce", 64, 5, "SELU MLP 20-64-5 on 5 Gaussian clusters", (M.mlp, R15.gaussian_clusters)),
}
