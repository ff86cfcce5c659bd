"""The benchmark's problem kinds of the nineteenth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_round14 as R14
from . import kinds_round15 as R15
from . import kinds_round17 as R17
from . import models as M

# Added in a nineteenth round (2026-12-05, a new session; 168 cases: 57 sign, 26 euclidean, 85 ties), chosen before
# any was run, to be called by the rules refitted on 168 cases: the second prospective test of the Jacobi rate as the
# rule with and without the race. Not leaning either way. Four pair with earlier kinds and change one thing:
# lsq_powerlaw_flat (rotated 1/sqrt(i), euclidean then tie) with the spectrum AXIS-ALIGNED; mlp_gelu_wide_digits
# (euclidean at both) narrow (64-64-10) and, wide, on pixels mixed by a random rotation; matrix_completion
# (euclidean then tie) without its label noise; softmax_digits_std (euclidean then tie) at batch 16. Then breadth:
# a softplus MLP on standardised breast cancer, least squares on random Fourier features of Friedman's function, a
# pre-LayerNorm residual MLP on the Gaussian clusters.


def random_fourier_friedman(seed: int, features: int = 256, bandwidth: float = 1.0) -> tuple[Tensor, Tensor]:
    """kinds_round15.friedman_regression(seed) with x ∈ [0, 1]¹⁰ mapped to `features` random Fourier features of a
    Gaussian kernel of the given bandwidth: z(x) = √(2/D) cos(xW + b), W ∼ N(0, 1/bandwidth²), b ∼ U(0, 2π), drawn
    from seed + 1."""
    x, y = R15.friedman_regression(seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    w = torch.randn(x.shape[1], features, generator=gen, dtype=torch.float64) / bandwidth
    b = 2 * torch.pi * torch.rand(features, generator=gen, dtype=torch.float64)
    return (math.sqrt(2.0 / features) * torch.cos(x.double() @ w + b)).float(), y


def lsq_flat_axis_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=200)


def lsq_flat_axis_data():
    return R14.powerlaw_least_squares_axis(seed=300, power=0.5)


def mlp_gelu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.GELU), seed=201)


def mlp_gelu_wide_digits_rot_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 256, 10], nn.GELU), seed=202)


def mlp_gelu_wide_digits_rot_data():
    return D.digits_rotated(seed=302)


def matrix_completion_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=203)


def matrix_completion_clean_data():
    return D.low_rank_entries(seed=303, noise=0.0)


def softmax_digits_std_b16_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=204)


def mlp_softplus_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Softplus), seed=205)


def mlp_softplus_cancer_std_data():
    return D.breast_cancer(standardise=True)


def rff_friedman_model() -> nn.Module:
    return M.build(lambda: M.linear(256, 1), seed=206)


def rff_friedman_data():
    return random_fourier_friedman(seed=306)


def resmlp_ln_clusters_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=20, width=32, blocks=2, classes=5), seed=207)


def resmlp_ln_clusters_data():
    return R15.gaussian_clusters(seed=307)


mlp_gelu_digits_data = D.digits
softmax_digits_std_b16_data = R17.standardised_digits

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_flat_axis": ("mse", 32, None, "noiseless least squares, d=200, axis-aligned power-law spectrum 1/sqrt(i)",
                      (M.linear, R14.powerlaw_least_squares_axis, D._orthonormal_columns)),
    "mlp_gelu_digits": ("ce", 64, 10, "GELU MLP 64-64-10 on digits", (M.mlp, D.digits)),
    "mlp_gelu_wide_digits_rot": ("ce", 64, 10, "wide GELU MLP 64-256-10 on digits with randomly rotated pixels",
                                 (M.mlp, D.digits_rotated, D.digits, D._orthonormal_columns)),
    "matrix_completion_clean": ("mse", 32, None, "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 exact "
                                "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "softmax_digits_std_b16": ("ce", 16, 10, "multinomial logistic regression on standardised digit pixels, batch 16",
                               (M.linear, R17.standardised_digits, D.digits)),
    "mlp_softplus_cancer_std": ("bce", 32, 2, "softplus MLP 30-32-1 on breast cancer standardised features",
                                (M.mlp, D.breast_cancer)),
    "rff_friedman": ("mse", 32, None, "least squares on 256 random Fourier features of Friedman's first regression "
                     "function", (M.linear, random_fourier_friedman, R15.friedman_regression)),
    "resmlp_ln_clusters": ("ce", 64, 5, "residual MLP, width 32, 2 pre-LayerNorm blocks, on 5 Gaussian clusters",
                           (M.ResidualMLP, R15.gaussian_clusters)),
}
