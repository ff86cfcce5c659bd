"""The benchmark's problem kinds of the fortieth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import kinds_round21 as R21
from . import models as M

# Added in a fortieth round (2026-12-06, chosen after round 39's truth was computed, while the rules refitted on 488
# cases shipped, and before any of this round's cases was run), to be called by the rules shipped when its evidence is
# recorded. Meant to lean neither way; two least-squares kinds that complete pairs (rotated with N = 100 for d = 40 at
# condition 1e4, where axis-aligned it was sign by 10; axis-aligned with N = 60 at condition 1e2, where rotated it was
# a tie twice), noisy rank-6 completion at batch 8 (a new draw; matrix_completion_r6 is at batch 32), a Softplus
# autoencoder on Gaussian clusters, an ELU MLP on raw wine features, a SiLU MLP on two moons, a GELU MLP on raw
# breast-cancer features and a ReLU MLP on raw digit pixels.


def lsq_rot_n100_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=410)


def lsq_rot_n100_cond1e4_data():
    return D.least_squares(seed=510, rotated=True, n=100, d=40, cond=1e4, noise=0.1)


def lsq_axis_n60_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=411)


def lsq_axis_n60_cond1e2_data():
    return D.least_squares(seed=511, rotated=False, n=60, d=40, cond=1e2, noise=0.1)


def matrix_completion_r6_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=6), seed=412)


def matrix_completion_r6_b8_data():
    return D.low_rank_entries(seed=512, rows=60, cols=50, rank=6, observed=1500)


def autoencoder_softplus_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.Softplus), seed=413)


def autoencoder_softplus_clusters_data():
    return R21.clusters_reconstruction(seed=513)


def mlp_elu_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.ELU), seed=414)


def mlp_silu_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.SiLU), seed=415)


def mlp_silu_moons_data():
    return L.two_moons(seed=515)


def mlp_gelu_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.GELU), seed=416)


def mlp_gelu_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def mlp_relu_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.ReLU), seed=417)


mlp_elu_wine_raw_data = D.wine_raw
mlp_relu_digits_raw_data = D.digits_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_rot_n100_cond1e4": ("mse", 32, None,
                             "least squares, N=100 samples for d=40, rotated, condition 1e4, noise 0.1",
                             (M.linear, D.least_squares, D._orthonormal_columns)),
    "lsq_axis_n60_cond1e2": ("mse", 32, None,
                             "least squares, N=60 samples for d=40, axis-aligned, condition 1e2, noise 0.1",
                             (M.linear, D.least_squares)),
    "matrix_completion_r6_b8": ("mse", 8, None,
                                "rank-6 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries, batch 8",
                                (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_softplus_clusters": ("mse", 64, None,
                                      "Softplus autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                                      (M.mlp, R21.clusters_reconstruction, R15.gaussian_clusters)),
    "mlp_elu_wine_raw": ("ce", 16, 3, "ELU MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
    "mlp_silu_moons": ("bce", 32, 2, "SiLU MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_gelu_cancer_raw": ("bce", 32, 2, "GELU MLP 30-32-1 on breast cancer raw features", (M.mlp, D.breast_cancer)),
    "mlp_relu_digits_raw": ("ce", 64, 10, "ReLU MLP 64-64-10 on raw digit pixels (0..16)", (M.mlp, D.digits_raw)),
}
