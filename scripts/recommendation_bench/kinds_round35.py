"""The benchmark's problem kinds of the thirty-fifth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round26 as R26
from . import models as M

# Added in a thirty-fifth round (2026-12-06, chosen after round 33's ground truth was computed, while the rules were
# refitted on it and before round 34's calls were frozen, and before any of this round's cases was run), to be called
# by the rules shipped when its evidence is recorded. Meant to lean neither way; one pair (axis-aligned least squares
# with N = 60 samples for d = 40, the twin of round 34's rotated one). An ELU MLP on two moons, a SiLU MLP on
# standardised breast cancer, noiseless rank-6 completion (the twin of round 29's noisy one), a Mish autoencoder on
# the digits, an ELU MLP on diabetes, multinomial logistic regression on raw iris at batch 8 (a batch-size variant of
# softmax_iris_raw) and a residual LayerNorm MLP on standardised wine (after raw wine in round 27).


def mlp_elu_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.ELU), seed=360)


def mlp_elu_moons_data():
    return L.two_moons(seed=460)


def mlp_silu_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.SiLU), seed=361)


def mlp_silu_cancer_std_data():
    return D.breast_cancer(standardise=True)


def lsq_axis_n60_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=362)


def lsq_axis_n60_data():
    return D.least_squares(seed=462, rotated=False, n=60, d=40, cond=1e3, noise=0.1)


def matrix_completion_r6_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=6), seed=363)


def matrix_completion_r6_clean_data():
    return D.low_rank_entries(seed=463, rows=60, cols=50, rank=6, observed=1500, noise=0.0)


def autoencoder_mish_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.Mish), seed=364)


def mlp_elu_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.ELU), seed=365)


def softmax_iris_raw_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(4, 3), seed=366)


def resmlp_ln_wine_std_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=13, width=32, blocks=2, classes=3), seed=367)


autoencoder_mish_digits_data = D.digits_reconstruction
mlp_elu_diabetes_data = D.diabetes
softmax_iris_raw_b8_data = R26.iris_raw
resmlp_ln_wine_std_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_elu_moons": ("bce", 32, 2, "ELU MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_silu_cancer_std": ("bce", 32, 2, "SiLU MLP 30-32-1 on breast cancer standardised features",
                            (M.mlp, D.breast_cancer)),
    "lsq_axis_n60": ("mse", 32, None, "least squares, N=60 samples for d=40, axis-aligned, condition 1e3, noise 0.1",
                     (M.linear, D.least_squares)),
    "matrix_completion_r6_clean": ("mse", 32, None,
                                   "rank-6 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact entries",
                                   (M.MatrixFactorization, D.low_rank_entries)),
    "autoencoder_mish_digits": ("mse", 64, None, "Mish autoencoder 64-16-64 reconstructing the digits",
                                (M.mlp, D.digits_reconstruction)),
    "mlp_elu_diabetes": ("mse", 32, None, "ELU MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "softmax_iris_raw_b8": ("ce", 8, 3, "multinomial logistic regression on raw iris features (0.1..7.9), batch 8",
                            (M.linear, R26.iris_raw)),
    "resmlp_ln_wine_std": ("ce", 16, 3, "residual MLP, width 32, 2 pre-LayerNorm blocks, on standardised wine",
                           (M.ResidualMLP, L.wine_standardised, D.wine_raw)),
}
