"""The benchmark's problem kinds of the twenty-second prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import kinds_round17 as R17
from . import models as M

# Added in a twenty-second round (2026-12-05, the same session, chosen before any case of rounds 20 to 22 had a ground
# truth), to be called by the rules refitted after the twenty-first round. Not leaning either way, no pairs with
# rounds 19 to 21: noisy least squares rotated at condition 1e4 and axis-aligned at condition 1e2 (lsq_rot and
# lsq_axis had 1e3), a ReLU MLP on standardised digits, multinomial logistic regression on standardised iris, a tanh
# MLP on raw wine features, logistic regression on random Fourier features of two moons, a GELU MLP on Friedman's
# function, and an embedding-bag classifier on Zipf documents with 4-dimensional embeddings.


def random_fourier_moons(seed: int, features: int = 200, bandwidth: float = 0.5) -> tuple[Tensor, Tensor]:
    """kinds_late.two_moons(seed) mapped to `features` random Fourier features of a Gaussian kernel of the given
    bandwidth: z(x) = √(2/D) cos(xW + b), W ∼ N(0, 1/bandwidth²), b ∼ U(0, 2π), drawn from seed + 1."""
    x, y = L.two_moons(seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    w = torch.randn(x.shape[1], features, generator=gen, dtype=torch.float64) / bandwidth
    b = 2 * torch.pi * torch.rand(features, generator=gen, dtype=torch.float64)
    return (math.sqrt(2.0 / features) * torch.cos(x.double() @ w + b)).float(), y


def lsq_rot_cond1e4_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1, bias=False), seed=230)


def lsq_rot_cond1e4_data():
    return D.least_squares(seed=330, rotated=True, cond=1e4)


def lsq_axis_cond1e2_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1, bias=False), seed=231)


def lsq_axis_cond1e2_data():
    return D.least_squares(seed=331, rotated=False, cond=1e2)


def mlp_relu_digits_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.ReLU), seed=232)


def softmax_iris_model() -> nn.Module:
    return M.build(lambda: M.linear(4, 3), seed=233)


def mlp_tanh_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Tanh), seed=234)


def rff_moons_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1), seed=235)


def rff_moons_data():
    return random_fourier_moons(seed=335)


def mlp_gelu_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.GELU), seed=236)


def mlp_gelu_friedman_data():
    return R15.friedman_regression(seed=336)


def zipf_bow_dim4_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=2000, dim=4, classes=40), seed=237)


def zipf_bow_dim4_data():
    return D.zipf_documents(seed=337)


mlp_relu_digits_std_data = R17.standardised_digits
softmax_iris_data = D.iris_standardised
mlp_tanh_wine_raw_data = D.wine_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_rot_cond1e4": ("mse", 32, None, "least squares, d=40, rotated Hessian, condition 1e4, label noise 0.5",
                        (M.linear, D.least_squares, D._orthonormal_columns)),
    "lsq_axis_cond1e2": ("mse", 32, None, "least squares, d=40, diagonal Hessian, condition 1e2, label noise 0.5",
                         (M.linear, D.least_squares, D._orthonormal_columns)),
    "mlp_relu_digits_std": ("ce", 64, 10, "ReLU MLP 64-64-64-10 on standardised digit pixels",
                            (M.mlp, R17.standardised_digits, D.digits)),
    "softmax_iris": ("ce", 16, 3, "multinomial logistic regression on standardised iris",
                     (M.linear, D.iris_standardised)),
    "mlp_tanh_wine_raw": ("ce", 16, 3, "tanh MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
    "rff_moons": ("bce", 32, 2, "logistic regression on 200 random Fourier features of two moons",
                  (M.linear, random_fourier_moons, L.two_moons)),
    "mlp_gelu_friedman": ("mse", 32, None, "GELU MLP 10-64-64-1 on Friedman's first regression function",
                          (M.mlp, R15.friedman_regression)),
    "zipf_bow_dim4": ("ce", 64, 40, "embedding-bag classifier, Zipf class and token frequencies (V=2000, C=40), "
                      "4-dimensional embeddings", (M.BagOfWords, D.zipf_documents)),
}
