"""The benchmark's problem kinds of the fifteenth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from . import data as D
from . import models as M

# Added in a fifteenth round (2026-12-05, a new session; 104 cases: 40 sign, 14 euclidean, 50 ties), chosen before
# any was run, to be called by the rules refitted on 104 cases. Eight kinds, to grow the clear cases faster. Two test
# mechanisms: a rotated least-squares problem whose Hessian is block-diagonal with blocks 1, 10⁻¹, 10⁻², 10⁻³ apart
# in scale (block heterogeneity, which a diagonal preconditioner removes though each block is rotated), and
# lsq_powerlaw (euclidean at both checkpoints) with label noise. One tests basis dependence on real data: logistic
# regression on the standardised breast cancer features under a random rotation (logreg_std is a tie at both). One
# varies only the batch size: mlp_digits at batch 8 (sign methods are said to need large batches). Then breadth:
# kernel regression (256 random Fourier features of diabetes), an MLP on Friedman's first regression function, and
# Gaussian class clusters, by multinomial logistic regression on columns of scales 10⁻² to 10¹ and by an MLP on
# the same clusters unscaled.


def block_scaled_least_squares(seed: int, n: int = 1000, blocks: int = 4, width: int = 50) -> tuple[Tensor, Tensor]:
    """Noiseless least squares whose Hessian XᵀX/n = blockdiag(10^(−b) Q_b diag(u_b) Q_bᵀ), b = 0..blocks−1,
    exactly: Q_b a random width × width rotation, u_b uniform on [½, 1]; y = X w*, w* ∼ N(0, I)."""
    gen = torch.Generator().manual_seed(seed)
    z = D._orthonormal_columns(n, blocks * width, gen) * math.sqrt(n)
    parts = []
    for b in range(blocks):
        scale = 10.0 ** (-b) * (0.5 + 0.5 * torch.rand(width, generator=gen, dtype=torch.float64))
        parts.append((z[:, b * width:(b + 1) * width] * scale.sqrt()) @ D._orthonormal_columns(width, width, gen).T)
    x = torch.cat(parts, dim=1)
    return x.float(), (x @ torch.randn(blocks * width, 1, generator=gen, dtype=torch.float64)).float()


def noisy_powerlaw_least_squares(seed: int, noise: float = 0.5) -> tuple[Tensor, Tensor]:
    """powerlaw_least_squares(seed) with N(0, noise²) added to y (y's own std is about 2.4), drawn from seed + 1."""
    x, y = D.powerlaw_least_squares(seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    return x, y + noise * torch.randn(y.shape, generator=gen, dtype=torch.float64).float()


def rotated_breast_cancer(seed: int) -> tuple[Tensor, Tensor]:
    """The standardised breast cancer features times a random 30 × 30 rotation drawn from `seed`."""
    x, y = D.breast_cancer(standardise=True)
    gen = torch.Generator().manual_seed(seed)
    return (x.double() @ D._orthonormal_columns(30, 30, gen)).float(), y


def random_fourier_diabetes(seed: int, features: int = 256, bandwidth: float = 0.2) -> tuple[Tensor, Tensor]:
    """Diabetes (unit-norm columns; pairwise distances about 0.2) mapped to `features` random Fourier features of a
    Gaussian kernel: z(x) = √(2/D) cos(xW + b), W ∼ N(0, 1/bandwidth²), b ∼ U(0, 2π), drawn from `seed`."""
    x, y = D.diabetes()
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(x.shape[1], features, generator=gen, dtype=torch.float64) / bandwidth
    b = 2 * torch.pi * torch.rand(features, generator=gen, dtype=torch.float64)
    return ((2.0 / features) ** 0.5 * torch.cos(x.double() @ w + b)).float(), y


def friedman_regression(seed: int, n: int = 1000, noise: float = 1.0) -> tuple[Tensor, Tensor]:
    """Friedman's first function: x ∼ U(0, 1)¹⁰, y = 10 sin(π x₁x₂) + 20 (x₃ − ½)² + 10 x₄ + 5 x₅ + noise·ε
    (x₆..x₁₀ unused), y standardised to zero mean and unit std."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 10, generator=gen, dtype=torch.float64)
    y = (10 * torch.sin(torch.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2 + 10 * x[:, 3] + 5 * x[:, 4]
         + noise * torch.randn(n, generator=gen, dtype=torch.float64))
    return x.float(), ((y - y.mean()) / y.std())[:, None].float()


def gaussian_clusters(seed: int, n: int = 2000, d: int = 20, classes: int = 5, spread: float = 0.6,
                      scaled: bool = False) -> tuple[Tensor, Tensor]:
    """`classes` Gaussian clusters in d dimensions: y uniform, x = μ_y + ε, μ_c ∼ N(0, spread²·I), ε ∼ N(0, I);
    scaled: each column then multiplied by 10^u, u ∼ U(−2, 1) (the same draw for every sample)."""
    gen = torch.Generator().manual_seed(seed)
    means = spread * torch.randn(classes, d, generator=gen, dtype=torch.float64)
    y = torch.randint(classes, (n,), generator=gen)
    x = means[y] + torch.randn(n, d, generator=gen, dtype=torch.float64)
    if scaled:
        x = x * 10.0 ** (3 * torch.rand(d, generator=gen, dtype=torch.float64) - 2)
    return x.float(), y


def lsq_block_scales_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=160)


def lsq_block_scales_data():
    return block_scaled_least_squares(seed=260)


def lsq_powerlaw_noisy_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=161)


def lsq_powerlaw_noisy_data():
    return noisy_powerlaw_least_squares(seed=261)


def logreg_cancer_rot_model() -> nn.Module:
    return M.build(lambda: M.linear(30, 1), seed=162)


def logreg_cancer_rot_data():
    return rotated_breast_cancer(seed=262)


def mlp_digits_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.ReLU), seed=163)


mlp_digits_b8_data = D.digits


def rff_diabetes_model() -> nn.Module:
    return M.build(lambda: M.linear(256, 1), seed=164)


def rff_diabetes_data():
    return random_fourier_diabetes(seed=264)


def mlp_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.ReLU), seed=165)


def mlp_friedman_data():
    return friedman_regression(seed=265)


def softmax_clusters_scaled_model() -> nn.Module:
    return M.build(lambda: M.linear(20, 5), seed=166)


def softmax_clusters_scaled_data():
    return gaussian_clusters(seed=266, scaled=True)


def mlp_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.ReLU), seed=167)


def mlp_clusters_data():
    return gaussian_clusters(seed=267)


# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_block_scales": ("mse", 32, None, "noiseless least squares, d=200, 4 rotated blocks of scales 1 to 1e-3",
                         (M.linear, block_scaled_least_squares, D._orthonormal_columns)),
    "lsq_powerlaw_noisy": ("mse", 32, None, "least squares, d=200, rotated power-law spectrum 1/i, label noise 0.5",
                           (M.linear, noisy_powerlaw_least_squares, D.powerlaw_least_squares,
                            D._orthonormal_columns)),
    "logreg_cancer_rot": ("bce", 64, 2, "logistic regression, breast cancer standardised then rotated",
                          (M.linear, rotated_breast_cancer, D.breast_cancer, D._orthonormal_columns)),
    "mlp_digits_b8": ("ce", 8, 10, "ReLU MLP 64-64-64-10 on digits, batch 8", (M.mlp, D.digits)),
    "rff_diabetes": ("mse", 32, None, "kernel regression on 256 random Fourier features of diabetes",
                     (M.linear, random_fourier_diabetes, D.diabetes)),
    "mlp_friedman": ("mse", 32, None, "ReLU MLP 10-64-64-1 on Friedman's first regression function",
                     (M.mlp, friedman_regression)),
    "softmax_clusters_scaled": ("ce", 64, 5, "multinomial logistic regression, 5 Gaussian clusters, column scales "
                                "1e-2 to 1e1", (M.linear, gaussian_clusters)),
    "mlp_clusters": ("ce", 64, 5, "ReLU MLP 20-64-5 on 5 Gaussian clusters", (M.mlp, gaussian_clusters)),
}
