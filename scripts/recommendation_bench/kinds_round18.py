"""The benchmark's problem kinds of the eighteenth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_round14 as R14
from . import kinds_round15 as R15
from . import kinds_round17 as R17
from . import models as M

# Added in an eighteenth round (2026-12-05, the same session; 152 cases: 53 sign, 24 euclidean, 75 ties), chosen
# before any was run, to be called by the rules refitted on 152 cases: the first prospective test of the Jacobi
# rate as the rule with the race too. Not leaning either way. Three pair with earlier kinds: lsq_powerlaw_axis
# (sign by 315 and 28.5) with label noise, as lsq_powerlaw_noisy was to lsq_powerlaw; a deep linear net on the
# axis-aligned 1/i spectrum, as deep_linear_powerlaw (euclidean at both) on the rotated one; multinomial logistic
# regression on the Gaussian clusters unscaled (softmax_clusters_scaled was sign at both). Then breadth: uniform_bow
# with a vocabulary of 200, logistic regression on raw digit pixels for 3 against 8, ReLU MLPs on diabetes and (wide)
# on Friedman's function, a sigmoid MLP on the clusters.


def noisy_axis_powerlaw_least_squares(seed: int, noise: float = 0.5) -> tuple[Tensor, Tensor]:
    """kinds_round14.powerlaw_least_squares_axis(seed) with N(0, noise²) added to y, drawn from seed + 1."""
    x, y = R14.powerlaw_least_squares_axis(seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    return x, y + noise * torch.randn(y.shape, generator=gen, dtype=torch.float64).float()


def digits_three_eight() -> tuple[Tensor, Tensor]:
    """The digits 3 and 8 only (pixels in [0, 1]); target 1 for an 8, as a float column."""
    x, y = D.digits()
    keep = (y == 3) | (y == 8)
    return x[keep], (y[keep] == 8).float()[:, None]


def lsq_axis_noisy_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=190)


def lsq_axis_noisy_data():
    return noisy_axis_powerlaw_least_squares(seed=290)


def deep_linear_axis_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=40, depth=3), seed=191, scheme="lecun")


def deep_linear_axis_data():
    return R14.powerlaw_least_squares_axis(seed=291, d=40)


def softmax_clusters_model() -> nn.Module:
    return M.build(lambda: M.linear(20, 5), seed=192)


def softmax_clusters_data():
    return R15.gaussian_clusters(seed=292)


def uniform_bow_v200_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=200, dim=16, classes=40), seed=193)


def uniform_bow_v200_data():
    return R17.uniform_documents(seed=293, vocab=200)


def logreg_digits_38_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 1), seed=194)


def mlp_relu_diabetes_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.ReLU), seed=195)


def mlp_relu_wide_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 256, 1], nn.ReLU), seed=196)


def mlp_relu_wide_friedman_data():
    return R15.friedman_regression(seed=296)


def mlp_sigmoid_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 64, 5], nn.Sigmoid), seed=197)


def mlp_sigmoid_clusters_data():
    return R15.gaussian_clusters(seed=297)


logreg_digits_38_data = digits_three_eight
mlp_relu_diabetes_data = D.diabetes

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_axis_noisy": ("mse", 32, None, "least squares, d=200, axis-aligned power-law spectrum 1/i, label noise 0.5",
                       (M.linear, noisy_axis_powerlaw_least_squares, R14.powerlaw_least_squares_axis,
                        D._orthonormal_columns)),
    "deep_linear_axis": ("mse", 32, None, "deep linear net, 3 bias-free layers of 40, on axis-aligned power-law "
                         "least squares", (M.deep_linear, R14.powerlaw_least_squares_axis, D._orthonormal_columns)),
    "softmax_clusters": ("ce", 64, 5, "multinomial logistic regression, 5 Gaussian clusters",
                         (M.linear, R15.gaussian_clusters)),
    "uniform_bow_v200": ("ce", 64, 40, "embedding-bag classifier, uniform class and token frequencies (V=200, C=40)",
                         (M.BagOfWords, R17.uniform_documents)),
    "logreg_digits_38": ("bce", 64, 2, "logistic regression on digit pixels, 3 against 8",
                         (M.linear, digits_three_eight, D.digits)),
    "mlp_relu_diabetes": ("mse", 32, None, "ReLU MLP 10-64-64-1 on diabetes", (M.mlp, D.diabetes)),
    "mlp_relu_wide_friedman": ("mse", 32, None, "wide ReLU MLP 10-256-1 on Friedman's first regression function",
                               (M.mlp, R15.friedman_regression)),
    "mlp_sigmoid_clusters": ("ce", 64, 5, "sigmoid MLP 20-64-64-5 on 5 Gaussian clusters",
                             (M.mlp, R15.gaussian_clusters)),
}
