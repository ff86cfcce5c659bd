"""The benchmark's problem kinds of the forty-first prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-first round (2026-12-06, chosen after round 40's truth was computed, while the rules refitted on 488
# cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its evidence is
# recorded. Meant to lean neither way; two least-squares kinds that extend pairs (axis-aligned with N = 100 for d = 40
# at condition 1e2, where rotated it was a tie twice; rotated with N = 60 at condition 1e4, where at 1e3 it was
# euclidean twice and at 1e2 a tie twice), noiseless rank-3 completion at batch 8 (a new draw; at batch 32 it was
# euclidean twice), tanh and GELU MLPs on raw digit pixels (where a ReLU MLP was a tie and then euclidean, and a
# residual LayerNorm MLP sign twice), a sigmoid MLP on two moons, a Softplus MLP on Friedman's first function and a
# Mish MLP on raw wine features.


def lsq_axis_n100_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=420)


def lsq_axis_n100_cond1e2_data():
    return D.least_squares(seed=520, rotated=False, n=100, d=40, cond=1e2, noise=0.1)


def lsq_rot_n60_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=421)


def lsq_rot_n60_cond1e4_data():
    return D.least_squares(seed=521, rotated=True, n=60, d=40, cond=1e4, noise=0.1)


def matrix_completion_r3_clean_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=3), seed=422)


def matrix_completion_r3_clean_b8_data():
    return D.low_rank_entries(seed=522, rows=40, cols=40, rank=3, observed=900, noise=0.0)


def mlp_tanh_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Tanh), seed=423)


def mlp_gelu_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.GELU), seed=424)


def mlp_sigmoid_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.Sigmoid), seed=425)


def mlp_sigmoid_moons_data():
    return L.two_moons(seed=525)


def mlp_softplus_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Softplus), seed=426)


def mlp_softplus_friedman_data():
    return R15.friedman_regression(seed=526)


def mlp_mish_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Mish), seed=427)


mlp_tanh_digits_raw_data = D.digits_raw
mlp_gelu_digits_raw_data = D.digits_raw
mlp_mish_wine_raw_data = D.wine_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_axis_n100_cond1e2": ("mse", 32, None,
                              "least squares, N=100 samples for d=40, axis-aligned, condition 1e2, noise 0.1",
                              (M.linear, D.least_squares)),
    "lsq_rot_n60_cond1e4": ("mse", 32, None,
                            "least squares, N=60 samples for d=40, rotated, condition 1e4, noise 0.1",
                            (M.linear, D.least_squares, D._orthonormal_columns)),
    "matrix_completion_r3_clean_b8": ("mse", 8, None,
                                      "rank-3 factorisation U Vᵀ of a 40x40 matrix from 900 exact entries, batch 8",
                                      (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_tanh_digits_raw": ("ce", 64, 10, "tanh MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "mlp_gelu_digits_raw": ("ce", 64, 10, "GELU MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "mlp_sigmoid_moons": ("bce", 32, 2, "sigmoid MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_softplus_friedman": ("mse", 32, None, "Softplus MLP 10-64-64-1 on Friedman's first regression function",
                              (M.mlp, R15.friedman_regression)),
    "mlp_mish_wine_raw": ("ce", 16, 3, "Mish MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
}
