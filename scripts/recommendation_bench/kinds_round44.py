"""The benchmark's problem kinds of the forty-fourth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-fourth round (2026-12-06, chosen after round 43's truth was computed, while the rules refitted on
# 536 cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its
# evidence is recorded. Meant to lean neither way; axis-aligned least squares with N = 200 for d = 40 at condition
# 1e2 (at 1e3 and 1e4 it was sign twice; rotated at 1e2 a tie twice), exact rank-6 completion at batch 8 (at batch
# 32 it was euclidean twice; noisy at batch 8 a tie twice), a SiLU MLP on raw digit pixels (ReLU, GELU and ELU went
# euclidean once each), a tanh MLP on diabetes (five activations tie twice, sigmoid and softplus sign twice), a SiLU
# MLP on raw breast cancer features and a softplus MLP on raw wine (four and six other activations mostly sign), a
# Mish MLP on Friedman's first function and a SELU MLP on standardised iris (every iris MLP so far a tie).


def lsq_axis_n200_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=450)


def lsq_axis_n200_cond1e2_data():
    return D.least_squares(seed=550, rotated=False, n=200, d=40, cond=1e2, noise=0.1)


def matrix_completion_r6_clean_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=6), seed=451)


def matrix_completion_r6_clean_b8_data():
    return D.low_rank_entries(seed=551, rows=60, cols=50, rank=6, observed=1500, noise=0.0)


def mlp_silu_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.SiLU), seed=452)


def mlp_tanh_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Tanh), seed=453)


def mlp_silu_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.SiLU), seed=454)


def mlp_silu_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def mlp_softplus_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Softplus), seed=455)


def mlp_mish_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Mish), seed=456)


def mlp_mish_friedman_data():
    return R15.friedman_regression(seed=556)


def mlp_selu_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.SELU), seed=457)


mlp_silu_digits_raw_data = D.digits_raw
mlp_tanh_diabetes_data = D.diabetes
mlp_softplus_wine_raw_data = D.wine_raw
mlp_selu_iris_data = D.iris_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_axis_n200_cond1e2": ("mse", 32, None,
                              "least squares, N=200 samples for d=40, axis-aligned, condition 1e2, noise 0.1",
                              (M.linear, D.least_squares)),
    "matrix_completion_r6_clean_b8": ("mse", 8, None,
                                      "rank-6 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact entries, batch 8",
                                      (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_silu_digits_raw": ("ce", 64, 10, "SiLU MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "mlp_tanh_diabetes": ("mse", 32, None, "tanh MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_silu_cancer_raw": ("bce", 32, 2, "SiLU MLP 30-32-1 on breast cancer raw features", (M.mlp, D.breast_cancer)),
    "mlp_softplus_wine_raw": ("ce", 16, 3, "softplus MLP 13-32-3 on raw wine features (0.1..1.7e3)",
                              (M.mlp, D.wine_raw)),
    "mlp_mish_friedman": ("mse", 32, None, "Mish MLP 10-64-64-1 on Friedman's first regression function",
                          (M.mlp, R15.friedman_regression)),
    "mlp_selu_iris": ("ce", 16, 3, "SELU MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
}
