"""The benchmark's problem kinds of the seventeenth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_round15 as R15
from . import kinds_round16 as R16
from . import models as M

# Added in a seventeenth round (2026-12-05, the same session; 136 cases: 51 sign, 19 euclidean, 66 ties), chosen
# before any was run, to be called by the rules refitted on 136 cases. Three pair with earlier kinds to test a
# mechanism: lsq_two_scales is lsq_block_scales' heterogeneity (eigenvalues 1 and 1e-3, half each) under one DENSE
# rotation, which no diagonal preconditioner undoes (lsq_block_scales went sign by 507 and 330); uniform_bow is
# zipf_bow (sign by 9e3 and 5e4) with uniform class and token frequencies (Kunstner et al. 2024 tie Adam's edge to
# the heavy tail); deep_linear_flat is deep_linear_powerlaw (euclidean at both) on the flatter 1/√i spectrum. Then
# breadth: binary logistic regression on Gaussian features of a rotated 1/i covariance, multinomial logistic
# regression on standardised digit pixels, a wide GELU MLP on diabetes, a tanh MLP on Friedman's function, and
# over-parameterised least squares of spectrum 1/i with label noise (interpolating the noise).


def two_scale_least_squares(seed: int, n: int = 1000, d: int = 200, low: float = 1e-3) -> tuple[Tensor, Tensor]:
    """Noiseless least squares whose Hessian XᵀX/n = Q diag(1, …, 1, low, …, low) Qᵀ (half each), Q a random dense
    rotation; y = X w*, w* ∼ N(0, I)."""
    gen = torch.Generator().manual_seed(seed)
    z = D._orthonormal_columns(n, d, gen) * math.sqrt(n)
    s = torch.cat([torch.ones(d // 2, dtype=torch.float64),
                   torch.full((d - d // 2,), low ** 0.5, dtype=torch.float64)])
    x = (z * s) @ D._orthonormal_columns(d, d, gen).T
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64)).float()


def uniform_documents(seed: int, n: int = 2000, length: int = 24, vocab: int = 2000, classes: int = 40,
                      topic_tokens: int = 20, topic_share: float = 0.25) -> tuple[Tensor, Tensor]:
    """zipf_documents with uniform frequencies: classes uniform, each token with probability `topic_share` one of
    its class's `topic_tokens` characteristic tokens (uniform over ids ≥ 100), else a uniform background token."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(classes, (n,), generator=gen)
    topics = torch.stack([100 + torch.randperm(vocab - 100, generator=gen)[:topic_tokens] for _ in range(classes)])
    background = torch.randint(vocab, (n, length), generator=gen)
    topical = topics[y[:, None], torch.randint(0, topic_tokens, (n, length), generator=gen)]
    use_topic = torch.rand(n, length, generator=gen, dtype=torch.float64) < topic_share
    return torch.where(use_topic, topical, background), y


def powerlaw_logistic(seed: int, n: int = 2000, d: int = 100) -> tuple[Tensor, Tensor]:
    """Gaussian features x ∼ N(0, Q diag(1/i) Qᵀ), i = 1..d (Q a random rotation), labelled by a linear teacher:
    y = [x·w* > 0], w* ∼ N(0, I) (a float column; separable)."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, d, generator=gen, dtype=torch.float64) * torch.arange(1, d + 1, dtype=torch.float64) ** -0.5
    x = z @ D._orthonormal_columns(d, d, gen).T
    return x.float(), (x @ torch.randn(d, generator=gen, dtype=torch.float64) > 0).float()[:, None]


def standardised_digits() -> tuple[Tensor, Tensor]:
    """The digits with each pixel column standardised to zero mean and unit std (constant columns left at 0)."""
    x, y = D.digits()
    std = x.std(dim=0)
    return (x - x.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std)), y


def noisy_overparam_powerlaw(seed: int, noise: float = 0.3) -> tuple[Tensor, Tensor]:
    """lsq_overparam_powerlaw's data (N = 200 < d = 400, spectrum 1/i) with N(0, noise²) added to y, drawn from
    seed + 1 (an interpolating solution fits the noise too)."""
    x, y = R16.overparam_powerlaw_least_squares(seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    return x, y + noise * torch.randn(y.shape, generator=gen, dtype=torch.float64).float()


def lsq_two_scales_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=180)


def lsq_two_scales_data():
    return two_scale_least_squares(seed=280)


def uniform_bow_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=2000, dim=16, classes=40), seed=181)


def uniform_bow_data():
    return uniform_documents(seed=281)


def deep_linear_flat_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=40, depth=3), seed=182, scheme="lecun")


def deep_linear_flat_data():
    return D.powerlaw_least_squares(seed=282, d=40, power=0.5)


def logreg_powerlaw_model() -> nn.Module:
    return M.build(lambda: M.linear(100, 1), seed=183)


def logreg_powerlaw_data():
    return powerlaw_logistic(seed=283)


def softmax_digits_std_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=184)


def mlp_gelu_wide_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 256, 1], nn.GELU), seed=185)


def mlp_tanh_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Tanh), seed=186)


def mlp_tanh_friedman_data():
    return R15.friedman_regression(seed=286)


def lsq_overparam_noisy_model() -> nn.Module:
    return M.build(lambda: M.linear(400, 1, bias=False), seed=187)


def lsq_overparam_noisy_data():
    return noisy_overparam_powerlaw(seed=287)


softmax_digits_std_data = standardised_digits
mlp_gelu_wide_diabetes_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_two_scales": ("mse", 32, None, "noiseless least squares, d=200, eigenvalues 1 and 1e-3 under a dense rotation",
                       (M.linear, two_scale_least_squares, D._orthonormal_columns)),
    "uniform_bow": ("ce", 64, 40, "embedding-bag classifier, uniform class and token frequencies (V=2000, C=40)",
                    (M.BagOfWords, uniform_documents)),
    "deep_linear_flat": ("mse", 32, None, "deep linear net, 3 bias-free layers of 40, on rotated power-law least "
                         "squares 1/sqrt(i)", (M.deep_linear, D.powerlaw_least_squares, D._orthonormal_columns)),
    "logreg_powerlaw": ("bce", 64, 2, "logistic regression, Gaussian features of rotated covariance 1/i, linear "
                        "teacher", (M.linear, powerlaw_logistic, D._orthonormal_columns)),
    "softmax_digits_std": ("ce", 64, 10, "multinomial logistic regression on standardised digit pixels",
                           (M.linear, standardised_digits, D.digits)),
    "mlp_gelu_wide_diabetes": ("mse", 32, None, "wide GELU MLP 10-256-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_tanh_friedman": ("mse", 32, None, "tanh MLP 10-64-64-1 on Friedman's first regression function",
                          (M.mlp, R15.friedman_regression)),
    "lsq_overparam_noisy": ("mse", 32, None, "least squares, d=400 > N=200, rotated spectrum 1/i, label noise 0.3",
                            (M.linear, noisy_overparam_powerlaw, R16.overparam_powerlaw_least_squares,
                             D._orthonormal_columns)),
}
