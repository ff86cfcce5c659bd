"""The benchmark's problem kinds of the thirty-sixth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a thirty-sixth round (2026-12-06, chosen after round 35's calls were frozen and before its ground truth was
# computed, and before any of this round's cases was run), to be called by the rules shipped when its evidence is
# recorded. Meant to lean neither way; one pair (rotated least squares with N = 100 for d = 40 at condition 1e2, beside
# round 32's at 1e3). A SiLU MLP on standardised iris, a GELU MLP on standardised breast cancer, noisy rank-2
# completion at batch 8 (a new draw; matrix_completion_r2 is at batch 32), a Softplus autoencoder on the digits, a
# sigmoid MLP on diabetes, a ReLU MLP on standardised wine at batch 8 (a batch-size variant of mlp_wine_std) and a
# residual LayerNorm MLP on raw breast cancer (after standardised in round 26).


def mlp_silu_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.SiLU), seed=370)


def mlp_gelu_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.GELU), seed=371)


def mlp_gelu_cancer_std_data():
    return D.breast_cancer(standardise=True)


def lsq_rot_n100_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=372)


def lsq_rot_n100_cond1e2_data():
    return D.least_squares(seed=472, rotated=True, n=100, d=40, cond=1e2, noise=0.1)


def matrix_completion_r2_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=2), seed=373)


def matrix_completion_r2_b8_data():
    return D.low_rank_entries(seed=473, rows=40, cols=40, rank=2, observed=800)


def autoencoder_softplus_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.Softplus), seed=374)


def mlp_sigmoid_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Sigmoid), seed=375)


def mlp_relu_wine_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.ReLU), seed=376)


def resmlp_ln_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=30, width=32, blocks=2, classes=1), seed=377)


def resmlp_ln_cancer_raw_data():
    return D.breast_cancer(standardise=False)


mlp_silu_iris_data = D.iris_standardised
autoencoder_softplus_digits_data = D.digits_reconstruction
mlp_sigmoid_diabetes_data = D.diabetes
mlp_relu_wine_std_b8_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_silu_iris": ("ce", 16, 3, "SiLU MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_gelu_cancer_std": ("bce", 32, 2, "GELU MLP 30-32-1 on breast cancer standardised features",
                            (M.mlp, D.breast_cancer)),
    "lsq_rot_n100_cond1e2": ("mse", 32, None,
                             "least squares, N=100 samples for d=40, rotated, condition 1e2, noise 0.1",
                             (M.linear, D.least_squares, D._orthonormal_columns)),
    "matrix_completion_r2_b8": ("mse", 8, None,
                                "rank-2 factorisation U Vᵀ of a 40x40 matrix from 800 noisy entries, batch 8",
                                (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_softplus_digits": ("mse", 64, None, "Softplus autoencoder 64-16-64 reconstructing the digits",
                                    (M.mlp, D.digits_reconstruction)),
    "mlp_sigmoid_diabetes": ("mse", 32, None, "sigmoid MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_relu_wine_std_b8": ("ce", 8, 3, "ReLU MLP 13-32-3 on standardised wine, batch 8",
                             (M.mlp, L.wine_standardised, D.wine_raw)),
    "resmlp_ln_cancer_raw": ("bce", 32, 2, "residual MLP, width 32, 2 pre-LayerNorm blocks, on breast cancer raw "
                             "features", (M.ResidualMLP, D.breast_cancer)),
}
