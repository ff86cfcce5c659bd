"""The benchmark's problem kinds of the thirty-seventh prospective round: chosen before any of its cases was run,
and called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model
factories and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a thirty-seventh round (2026-12-06, chosen after round 36's calls were frozen and before the ground truth
# of rounds 35 and 36 was known, and before any of this round's cases was run), to be called by the rules shipped
# when its evidence is recorded. Meant to lean neither way; one pair (axis-aligned least squares with N = 100 for
# d = 40 at condition 1e4, beside round 33's at 1e3). A Mish MLP on standardised iris, an ELU MLP on raw breast
# cancer, noisy rank-3 completion at batch 8 (a new draw; matrix_completion_r3 is at batch 32), a tanh autoencoder
# on the digits, a GELU MLP on diabetes, a tanh MLP on standardised iris at batch 8 and a Softplus MLP on
# standardised wine.


def mlp_mish_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Mish), seed=380)


def mlp_elu_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.ELU), seed=381)


def mlp_elu_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def lsq_axis_n100_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=382)


def lsq_axis_n100_cond1e4_data():
    return D.least_squares(seed=482, rotated=False, n=100, d=40, cond=1e4, noise=0.1)


def matrix_completion_r3_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=3), seed=383)


def matrix_completion_r3_b8_data():
    return D.low_rank_entries(seed=483, rows=40, cols=40, rank=3, observed=800)


def autoencoder_tanh_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.Tanh), seed=384)


def mlp_gelu_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.GELU), seed=385)


def mlp_tanh_iris_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Tanh), seed=386)


def mlp_softplus_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Softplus), seed=387)


mlp_mish_iris_data = D.iris_standardised
autoencoder_tanh_digits_data = D.digits_reconstruction
mlp_gelu_diabetes_data = D.diabetes
mlp_tanh_iris_b8_data = D.iris_standardised
mlp_softplus_wine_std_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_mish_iris": ("ce", 16, 3, "Mish MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_elu_cancer_raw": ("bce", 32, 2, "ELU MLP 30-32-1 on breast cancer raw features", (M.mlp, D.breast_cancer)),
    "lsq_axis_n100_cond1e4": ("mse", 32, None,
                              "least squares, N=100 samples for d=40, axis-aligned, condition 1e4, noise 0.1",
                              (M.linear, D.least_squares)),
    "matrix_completion_r3_b8": ("mse", 8, None,
                                "rank-3 factorisation U Vᵀ of a 40x40 matrix from 800 noisy entries, batch 8",
                                (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_tanh_digits": ("mse", 64, None, "tanh autoencoder 64-16-64 reconstructing the digits",
                                (M.mlp, D.digits_reconstruction)),
    "mlp_gelu_diabetes": ("mse", 32, None, "GELU MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_tanh_iris_b8": ("ce", 8, 3, "tanh MLP 4-32-3 on standardised iris, batch 8", (M.mlp, D.iris_standardised)),
    "mlp_softplus_wine_std": ("ce", 16, 3, "Softplus MLP 13-32-3 on standardised wine",
                              (M.mlp, L.wine_standardised, D.wine_raw)),
}
