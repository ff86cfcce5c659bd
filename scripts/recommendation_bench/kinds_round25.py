"""The benchmark's problem kinds of the twenty-fifth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import models as M

# Added in a twenty-fifth round (2026-12-05, the same session, chosen before round 24 had a ground truth), to be
# called by the rules refitted after the twenty-fourth round. Not leaning either way. One pair with round 22: noisy
# least squares at condition 1e2 made rotated (lsq_axis_cond1e2 is the axis-aligned one). Then breadth: a Mish MLP
# on digits, a tanh MLP on raw breast-cancer features, logistic regression on two moons, rank-4 completion at batch
# 8, a residual LayerNorm MLP on two moons, linear softmax on overlapping Zipf classes at batch 16, and a GELU MLP on
# standardised wine.


def lsq_rot_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=260)


def lsq_rot_cond1e2_data():
    return D.least_squares(seed=360, rotated=True, cond=1e2)


def mlp_mish_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Mish), seed=261)


def mlp_tanh_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Tanh), seed=262)


def mlp_tanh_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def logreg_moons_model() -> nn.Module:
    return M.build(lambda: M.linear(2, 1), seed=263)


def logreg_moons_data():
    return L.two_moons(seed=363)


def matrix_completion_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=264)


def matrix_completion_b8_data():
    return D.low_rank_entries(seed=364)


def resmlp_ln_moons_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=2, width=32, blocks=2, classes=1), seed=265)


def resmlp_ln_moons_data():
    return L.two_moons(seed=365)


def zipf_overlap_b16_model() -> nn.Module:
    return M.build(lambda: M.linear(32, 50), seed=266)


def zipf_overlap_b16_data():
    return L.zipf_overlapping_classes(seed=366)


def mlp_gelu_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.GELU), seed=267)


mlp_mish_digits_data = D.digits
mlp_gelu_wine_std_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_rot_cond1e2": ("mse", 32, None, "least squares, d=40, rotated Hessian, condition 1e2, label noise 0.5",
                        (M.linear, D.least_squares, D._orthonormal_columns)),
    "mlp_mish_digits": ("ce", 64, 10, "Mish MLP 64-64-10 on digits", (M.mlp, D.digits)),
    "mlp_tanh_cancer_raw": ("bce", 32, 2, "tanh MLP 30-32-1 on breast cancer raw features (scales 1e-3..4e3)",
                            (M.mlp, D.breast_cancer)),
    "logreg_moons": ("bce", 32, 2, "logistic regression on two moons (noise 0.2)", (M.linear, L.two_moons)),
    "matrix_completion_b8": ("mse", 8, None, "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy "
                             "entries, batch 8", (M.MatrixFactorization, D.low_rank_entries)),
    "resmlp_ln_moons": ("bce", 32, 2, "residual MLP, width 32, 2 pre-LayerNorm blocks, on two moons",
                        (M.ResidualMLP, L.two_moons)),
    "zipf_overlap_b16": ("ce", 16, 50, "linear softmax, 50 overlapping Gaussian classes of Zipf frequency, d=32, "
                         "batch 16", (M.linear, L.zipf_overlapping_classes)),
    "mlp_gelu_wine_std": ("ce", 16, 3, "GELU MLP 13-32-3 on standardised wine", (M.mlp, L.wine_standardised)),
}
