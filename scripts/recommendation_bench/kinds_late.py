"""The benchmark's problem kinds of the prospective rounds from eleven on: each round chosen before any of its
cases was run, and called by the rule then shipped before its ground truth was computed (prospective.json).
Seeded model factories, data functions (those only these kinds use are defined here), and `KINDS`."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from . import data as D
from . import models as M

# Added in an eleventh round (2026-12-05, a new session; 72 cases: 26 sign, 9 euclidean, 37 ties), chosen before
# any was run, as a sixth PROSPECTIVE test, of the rule fitted on 72 cases. Two kinds pair an existing one with one
# change, to test the mechanism the rule reads (the gradient density φ depends on the basis and the feature
# scales): a ReLU MLP on STANDARDISED breast cancer (mlp_cancer_raw was sign 3.96 at both checkpoints, as
# logreg_raw was sign and logreg_std a tie), and softmax regression on digits with ROTATED pixels (a rotation makes
# the gradient dense; mlp_digits_rot was sign at both checkpoints). Two for breadth: a linear softmax model under
# heavy-tailed class imbalance (50 classes of Zipf frequency; Kunstner et al. 2024 report sign descent ahead of
# gradient descent there), and a small ReLU MLP on two moons (a low-dimensional nonlinear classifier).


def zipf_classes(seed: int, n: int = 2000, d: int = 32, classes: int = 50) -> tuple[Tensor, Tensor]:
    """Gaussian classes x = μ_y + ε (μ_c, ε ~ N(0, I_d)) whose labels y are drawn with Zipf frequencies
    p_c ∝ 1/(c+1): the first class holds about 22 % of the samples, the last about 0.4 %."""
    gen = torch.Generator().manual_seed(seed)
    freq = 1.0 / torch.arange(1, classes + 1, dtype=torch.float64)
    y = torch.multinomial(freq / freq.sum(), n, replacement=True, generator=gen)
    means = torch.randn(classes, d, generator=gen, dtype=torch.float64)
    x = means[y] + torch.randn(n, d, generator=gen, dtype=torch.float64)
    return x.float(), y.to(torch.int64)


def two_moons(seed: int, n: int = 1000, noise: float = 0.2) -> tuple[Tensor, Tensor]:
    """scikit-learn's `make_moons` (generated, no download) with its own seeded random state."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=np.random.RandomState(seed))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]


def mlp_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.ReLU), seed=138)


def mlp_cancer_std_data():
    return D.breast_cancer(standardise=True)


def softmax_digits_rot_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=139)


def softmax_digits_rot_data():
    return D.digits_rotated(seed=239)


def zipf_softmax_model() -> nn.Module:
    return M.build(lambda: M.linear(32, 50), seed=140)


def zipf_softmax_data():
    return zipf_classes(seed=240)


def mlp_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.ReLU), seed=141)


def mlp_moons_data():
    return two_moons(seed=241)


# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_cancer_std": ("bce", 32, 2, "ReLU MLP 30-32-1 on breast cancer standardised features",
                       (M.mlp, D.breast_cancer)),
    "softmax_digits_rot": ("ce", 64, 10, "multinomial logistic regression on digits with randomly rotated pixels",
                           (M.linear, D.digits_rotated, D.digits, D._orthonormal_columns)),
    "zipf_softmax": ("ce", 64, 50, "linear softmax, 50 Gaussian classes of Zipf frequency 1/(c+1), d=32",
                     (M.linear, zipf_classes)),
    "mlp_moons": ("bce", 32, 2, "ReLU MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, two_moons)),
}
