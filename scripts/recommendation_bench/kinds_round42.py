"""The benchmark's problem kinds of the forty-second prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a forty-second round (2026-12-06, chosen after round 41's truth was computed, while the rules were being
# refitted on 536 cases, and before any of this round's cases was run), to be called by the rules refitted on 536 cases
# once they ship (its evidence was recorded while the 488-case rules shipped; the calls are frozen from it). Meant to
# lean neither way; two least-squares kinds at condition 1e4 that extend pairs (rotated with N = 200, where at 1e3 it
# was euclidean twice; axis-aligned with N = 60, where at 1e3 it was sign and a tie), rank-4 noisy completion at batch 8
# (a second draw of round 25's matrix_completion_b8, a tie twice; at batch 32 two draws were euclidean and a tie each)
# and exact rank-2 completion at batch 8 (at batch 32 it was euclidean twice; exact rank 3 at batch 8 was sign and
# euclidean), a SELU MLP on standardised breast cancer (where GELU and tanh MLPs went euclidean), a sigmoid MLP on raw
# wine features (on standardised wine it was euclidean twice), an ELU MLP on raw digit pixels and a Softplus MLP on two
# moons.


def lsq_rot_n200_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=430)


def lsq_rot_n200_cond1e4_data():
    return D.least_squares(seed=530, rotated=True, n=200, d=40, cond=1e4, noise=0.1)


def lsq_axis_n60_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=431)


def lsq_axis_n60_cond1e4_data():
    return D.least_squares(seed=531, rotated=False, n=60, d=40, cond=1e4, noise=0.1)


def matrix_completion_r4_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=432)


def matrix_completion_r4_b8_data():
    return D.low_rank_entries(seed=532, rows=60, cols=50, rank=4, observed=1500, noise=0.1)


def matrix_completion_r2_clean_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=2), seed=433)


def matrix_completion_r2_clean_b8_data():
    return D.low_rank_entries(seed=533, rows=40, cols=40, rank=2, observed=800, noise=0.0)


def mlp_selu_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.SELU), seed=434)


def mlp_selu_cancer_std_data():
    return D.breast_cancer(standardise=True)


def mlp_sigmoid_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Sigmoid), seed=435)


def mlp_elu_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.ELU), seed=436)


def mlp_softplus_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.Softplus), seed=437)


def mlp_softplus_moons_data():
    return L.two_moons(seed=537)


mlp_sigmoid_wine_raw_data = D.wine_raw
mlp_elu_digits_raw_data = D.digits_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_rot_n200_cond1e4": ("mse", 32, None,
                             "least squares, N=200 samples for d=40, rotated, condition 1e4, noise 0.1",
                             (M.linear, D.least_squares, D._orthonormal_columns)),
    "lsq_axis_n60_cond1e4": ("mse", 32, None,
                             "least squares, N=60 samples for d=40, axis-aligned, condition 1e4, noise 0.1",
                             (M.linear, D.least_squares)),
    "matrix_completion_r4_b8": ("mse", 8, None,
                                "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries, batch 8",
                                (M.MatrixFactorization, D.low_rank_entries)),
    "matrix_completion_r2_clean_b8": ("mse", 8, None,
                                      "rank-2 factorisation U Vᵀ of a 40x40 matrix from 800 exact entries, batch 8",
                                      (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_selu_cancer_std": ("bce", 32, 2, "SELU MLP 30-32-1 on breast cancer standardised features",
                            (M.mlp, D.breast_cancer)),
    "mlp_sigmoid_wine_raw": ("ce", 16, 3, "sigmoid MLP 13-32-3 on raw wine features (0.1..1.7e3)",
                             (M.mlp, D.wine_raw)),
    "mlp_elu_digits_raw": ("ce", 64, 10, "ELU MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
    "mlp_softplus_moons": ("bce", 32, 2, "Softplus MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
}
