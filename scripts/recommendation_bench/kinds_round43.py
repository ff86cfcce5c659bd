"""The benchmark's problem kinds of the forty-third prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-third round (2026-12-06, chosen after round 42's truth was computed, while the rules refitted on
# 536 cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its
# evidence is recorded. Meant to lean neither way; two least-squares kinds with N = 200 for d = 40 that extend
# pairs (rotated at condition 1e2, where at 1e3 it was euclidean twice and at 1e4 a tie twice; axis-aligned at 1e4,
# where at 1e3 it was sign twice), exact rank-5 completion at batch 8 (at batch 32 it was euclidean twice), a sigmoid
# MLP on raw digit pixels (where ReLU, GELU and ELU MLPs went euclidean once each and tanh sign twice), tanh on
# standardised breast cancer and sigmoid on standardised wine at batch 8 (at batch 32 and 16 both were euclidean
# twice), a SELU MLP on Friedman's first function and a Mish MLP on two moons.


def lsq_rot_n200_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=440)


def lsq_rot_n200_cond1e2_data():
    return D.least_squares(seed=540, rotated=True, n=200, d=40, cond=1e2, noise=0.1)


def lsq_axis_n200_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=441)


def lsq_axis_n200_cond1e4_data():
    return D.least_squares(seed=541, rotated=False, n=200, d=40, cond=1e4, noise=0.1)


def matrix_completion_r5_clean_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=5), seed=442)


def matrix_completion_r5_clean_b8_data():
    return D.low_rank_entries(seed=542, rows=60, cols=50, rank=5, observed=1500, noise=0.0)


def mlp_sigmoid_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Sigmoid), seed=443)


def mlp_tanh_cancer_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Tanh), seed=444)


def mlp_tanh_cancer_std_b8_data():
    return D.breast_cancer(standardise=True)


def mlp_sigmoid_wine_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Sigmoid), seed=445)


def mlp_selu_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.SELU), seed=446)


def mlp_selu_friedman_data():
    return R15.friedman_regression(seed=546)


def mlp_mish_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.Mish), seed=447)


def mlp_mish_moons_data():
    return L.two_moons(seed=547)


mlp_sigmoid_digits_raw_data = D.digits_raw
mlp_sigmoid_wine_std_b8_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_rot_n200_cond1e2": ("mse", 32, None,
                             "least squares, N=200 samples for d=40, rotated, condition 1e2, noise 0.1",
                             (M.linear, D.least_squares, D._orthonormal_columns)),
    "lsq_axis_n200_cond1e4": ("mse", 32, None,
                              "least squares, N=200 samples for d=40, axis-aligned, condition 1e4, noise 0.1",
                              (M.linear, D.least_squares)),
    "matrix_completion_r5_clean_b8": ("mse", 8, None,
                                      "rank-5 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact entries, batch 8",
                                      (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_sigmoid_digits_raw": ("ce", 64, 10, "sigmoid MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "mlp_tanh_cancer_std_b8": ("bce", 8, 2, "tanh MLP 30-32-1 on breast cancer standardised features, batch 8",
                               (M.mlp, D.breast_cancer)),
    "mlp_sigmoid_wine_std_b8": ("ce", 8, 3, "sigmoid MLP 13-32-3 on standardised wine, batch 8",
                                (M.mlp, L.wine_standardised, D.wine_raw)),
    "mlp_selu_friedman": ("mse", 32, None, "SELU MLP 10-64-64-1 on Friedman's first regression function",
                          (M.mlp, R15.friedman_regression)),
    "mlp_mish_moons": ("bce", 32, 2, "Mish MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
}
