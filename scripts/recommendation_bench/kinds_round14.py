"""The benchmark's problem kinds of the fourteenth prospective round (kinds_late.py holds eleven to thirteen,
kinds_round15.py to kinds_round26.py the next twelve): chosen before any of its cases was run, and called by the
rule then shipped before its ground truth was computed (prospective.json). Seeded model factories, data functions
(those only these kinds use), and `KINDS`."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from . import data as D
from . import models as M

# Added in a fourteenth round (2026-12-05, a new session; 96 cases: 35 sign, 14 euclidean, 47 ties), chosen before
# any was run, to be called by the rules refitted on 96 cases with the race study complete. One pair tests the
# mechanism both the sign family's diagonal preconditioning and the rule's Jacobi rate read: lsq_powerlaw (a power-law
# spectrum 1/i under a dense rotation, euclidean at both checkpoints) with the SAME spectrum AXIS-ALIGNED (no
# rotation: a diagonal preconditioner removes the conditioning; lsq_axis against lsq_rot asked this for a condition
# number of 1e3). A second varies lsq_powerlaw's spectrum only: decay 1/i² instead of 1/i. Then breadth, both cheap:
# a tanh MLP on digits (ReLU, sigmoid and GELU are in the benchmark, tanh is not), and multinomial logistic
# regression on 256 random Fourier features of digits (rff_cancer was binary).


def powerlaw_least_squares_axis(seed: int, n: int = 1000, d: int = 200, power: float = 1.0) -> tuple[Tensor, Tensor]:
    """powerlaw_least_squares without its last rotation: XᵀX/n = diag(i^(−power)), i = 1..d, exactly (an
    axis-aligned power-law spectrum); y = X w*, w* ∼ N(0, I)."""
    gen = torch.Generator().manual_seed(seed)
    z = D._orthonormal_columns(n, d, gen) * float(n) ** 0.5
    x = z * torch.arange(1, d + 1, dtype=torch.float64) ** (-power / 2)
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64)).float()


def random_fourier_digits(seed: int, features: int = 256, bandwidth: float = 4.0) -> tuple[Tensor, Tensor]:
    """Digits (pixels in [0, 1]) mapped to `features` random Fourier features of a Gaussian kernel of the given
    bandwidth: z(x) = √(2/D) cos(xW + b), W ∼ N(0, 1/bandwidth²), b ∼ U(0, 2π), drawn from `seed`."""
    x, y = D.digits()
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(x.shape[1], features, generator=gen, dtype=torch.float64) / bandwidth
    b = 2 * torch.pi * torch.rand(features, generator=gen, dtype=torch.float64)
    return ((2.0 / features) ** 0.5 * torch.cos(x.double() @ w + b)).float(), y


def lsq_powerlaw_axis_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=150)


def lsq_powerlaw_axis_data():
    return powerlaw_least_squares_axis(seed=250)


def lsq_powerlaw_steep_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=151)


def lsq_powerlaw_steep_data():
    return D.powerlaw_least_squares(seed=251, power=2.0)


def mlp_tanh_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Tanh), seed=152)


def rff_digits_model() -> nn.Module:
    return M.build(lambda: M.linear(256, 10), seed=153)


def rff_digits_data():
    return random_fourier_digits(seed=253)


mlp_tanh_digits_data = D.digits


# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_powerlaw_axis": ("mse", 32, None, "noiseless least squares, d=200, axis-aligned power-law spectrum 1/i",
                          (M.linear, powerlaw_least_squares_axis, D._orthonormal_columns)),
    "lsq_powerlaw_steep": ("mse", 32, None, "noiseless least squares, d=200, rotated power-law spectrum 1/i^2",
                           (M.linear, D.powerlaw_least_squares, D._orthonormal_columns)),
    "mlp_tanh_digits": ("ce", 64, 10, "tanh MLP 64-64-10 on digits", (M.mlp, D.digits)),
    "rff_digits": ("ce", 64, 10, "multinomial logistic regression on 256 random Fourier features of digits",
                   (M.linear, random_fourier_digits, D.digits)),
}
