"""The benchmark's problem kinds of the sixteenth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a sixteenth round (2026-12-05, the same session; 120 cases: 48 sign, 14 euclidean, 58 ties), chosen
# before any was run, to be called by the rules refitted on 120 cases. The benchmark has few euclidean cases (14 of
# 62 clear), and the fifteenth round added none, so this round leans to where euclidean wins were found: rotated
# power-law spectra (lsq_powerlaw, euclidean at both checkpoints) made flatter (1/√i), over-parameterised, fitted
# by a deep linear net, and in a classification analogue (multinomial logistic regression on Gaussian features of
# a rotated 1/i covariance); logistic regression on rotated ill-conditioned features; low-rank matrix completion
# (euclidean at initialisation) at rank 8; and wide GELU MLPs (mlp_gelu_wide_digits was euclidean at both) on the
# fifteenth round's Gaussian clusters and Friedman regression. No CNN: their evidence takes 5 to 30 min each.


def overparam_powerlaw_least_squares(seed: int, n: int = 200, d: int = 400) -> tuple[Tensor, Tensor]:
    """Noiseless least squares with more parameters than samples: X = √n · U diag(i^(−½)) Vᵀ, i = 1..n (U n × n
    orthogonal, V d × n with orthonormal columns), so XᵀX/n has the n eigenvalues 1/i in a random rotation and
    d − n zeros; y = X w*, w* ∼ N(0, I)."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.arange(1, n + 1, dtype=torch.float64) ** -0.5
    x = math.sqrt(n) * (D._orthonormal_columns(n, n, gen) * s) @ D._orthonormal_columns(d, n, gen).T
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64)).float()


def powerlaw_softmax(seed: int, n: int = 2000, d: int = 100, classes: int = 5) -> tuple[Tensor, Tensor]:
    """Gaussian features x ∼ N(0, Q diag(1/i) Qᵀ), i = 1..d (Q a random rotation), labelled by a linear teacher:
    y = argmax_c (x W*)_c with W* ∼ N(0, I)·√d/2 (ties impossible in practice; the classes overlap little)."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, d, generator=gen, dtype=torch.float64) * torch.arange(1, d + 1, dtype=torch.float64) ** -0.5
    x = z @ D._orthonormal_columns(d, d, gen).T
    y = (x @ (torch.randn(d, classes, generator=gen, dtype=torch.float64) * math.sqrt(d) / 2)).argmax(dim=1)
    return x.float(), y


def illconditioned_logistic(seed: int, n: int = 1000, d: int = 30, cond: float = 1e3) -> tuple[Tensor, Tensor]:
    """Features with covariance Q diag(s²) Qᵀ, s log-spaced from cond^¼ to cond^-¼ (condition number `cond`), Q a
    random rotation; labels y ∼ Bernoulli(σ(x·w*)), w* ∼ N(0, I)·2/√d (a float column)."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.logspace(0.25 * math.log10(cond), -0.25 * math.log10(cond), d, dtype=torch.float64)
    x = (torch.randn(n, d, generator=gen, dtype=torch.float64) * s) @ D._orthonormal_columns(d, d, gen).T
    p = torch.sigmoid(x @ (torch.randn(d, generator=gen, dtype=torch.float64) * 2 / math.sqrt(d)))
    return x.float(), (torch.rand(n, generator=gen, dtype=torch.float64) < p).float()[:, None]


def lsq_powerlaw_flat_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=170)


def lsq_powerlaw_flat_data():
    return D.powerlaw_least_squares(seed=270, power=0.5)


def lsq_overparam_powerlaw_model() -> nn.Module:
    return M.build(lambda: M.linear(400, 1, bias=False), seed=171)


def lsq_overparam_powerlaw_data():
    return overparam_powerlaw_least_squares(seed=271)


def matrix_completion_r8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=80, cols=60, rank=8), seed=172)


def matrix_completion_r8_data():
    return D.low_rank_entries(seed=272, rows=80, cols=60, rank=8, observed=2500)


def softmax_powerlaw_model() -> nn.Module:
    return M.build(lambda: M.linear(100, 5), seed=173)


def softmax_powerlaw_data():
    return powerlaw_softmax(seed=273)


def mlp_gelu_wide_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 256, 5], nn.GELU), seed=174)


def mlp_gelu_wide_clusters_data():
    return R15.gaussian_clusters(seed=274)


def logreg_illcond_rot_model() -> nn.Module:
    return M.build(lambda: M.linear(30, 1), seed=175)


def logreg_illcond_rot_data():
    return illconditioned_logistic(seed=275)


def deep_linear_powerlaw_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=40, depth=3), seed=176, scheme="lecun")


def deep_linear_powerlaw_data():
    return D.powerlaw_least_squares(seed=276, d=40)


def mlp_gelu_wide_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 256, 1], nn.GELU), seed=177)


def mlp_gelu_wide_friedman_data():
    return R15.friedman_regression(seed=277)


# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_powerlaw_flat": ("mse", 32, None, "noiseless least squares, d=200, rotated power-law spectrum 1/sqrt(i)",
                          (M.linear, D.powerlaw_least_squares, D._orthonormal_columns)),
    "lsq_overparam_powerlaw": ("mse", 32, None, "noiseless least squares, d=400 > N=200, rotated spectrum 1/i",
                               (M.linear, overparam_powerlaw_least_squares, D._orthonormal_columns)),
    "matrix_completion_r8": ("mse", 32, None, "rank-8 factorisation U Vᵀ of an 80x60 matrix from 2,500 noisy "
                             "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "softmax_powerlaw": ("ce", 64, 5, "multinomial logistic regression, Gaussian features of rotated covariance 1/i, "
                         "linear teacher", (M.linear, powerlaw_softmax, D._orthonormal_columns)),
    "mlp_gelu_wide_clusters": ("ce", 64, 5, "wide GELU MLP 20-256-5 on 5 Gaussian clusters",
                               (M.mlp, R15.gaussian_clusters)),
    "logreg_illcond_rot": ("bce", 64, 2, "logistic regression, rotated features of condition 1e3, logistic teacher",
                           (M.linear, illconditioned_logistic, D._orthonormal_columns)),
    "deep_linear_powerlaw": ("mse", 32, None, "deep linear net, 3 bias-free layers of 40, on rotated power-law "
                             "least squares", (M.deep_linear, D.powerlaw_least_squares, D._orthonormal_columns)),
    "mlp_gelu_wide_friedman": ("mse", 32, None, "wide GELU MLP 10-256-1 on Friedman's first regression function",
                               (M.mlp, R15.friedman_regression)),
}
