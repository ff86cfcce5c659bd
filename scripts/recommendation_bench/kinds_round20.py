"""The benchmark's problem kinds of the twentieth prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_late as L
from . import kinds_round14 as R14
from . import kinds_round15 as R15
from . import models as M

# Added in a twentieth round (2026-12-05, the same session, chosen together with the nineteenth and before any case
# of either was run), to be called by the rules refitted after the nineteenth round. Not leaning either way. One
# pair: lsq_powerlaw_steep (rotated 1/i², tie at both) with the spectrum axis-aligned. One mechanism the benchmark
# lacks: heavy-tailed inputs (Student-t features, 3 degrees of freedom) in noiseless least squares, where heavy-
# tailed gradient noise is said to favour adaptive methods. Then breadth: an ELU MLP on digits, a deep narrow ReLU
# MLP on the Gaussian clusters, a tanh MLP on two moons, a wide GELU MLP on standardised breast cancer, least
# squares on degree-2 features of Friedman's function, and an embedding-bag classifier on Zipf documents with a
# vocabulary of 500 and 20 classes.


def student_t_least_squares(seed: int, n: int = 1000, d: int = 50, dof: int = 3) -> tuple[Tensor, Tensor]:
    """Noiseless least squares on heavy-tailed features: x_ij = z / √(χ²/dof) / √(dof/(dof − 2)), z ∼ N(0, 1) and
    χ² a sum of `dof` squared standard normals (Student-t of unit variance, independent entries); y = x w*,
    w* ∼ N(0, I/d)."""
    gen = torch.Generator().manual_seed(seed)
    normal = torch.randn(n, d, generator=gen, dtype=torch.float64)
    chi2 = (torch.randn(dof, n, d, generator=gen, dtype=torch.float64) ** 2).sum(dim=0)
    x = normal / torch.sqrt(chi2 / dof) / (dof / (dof - 2)) ** 0.5
    return x.float(), (x @ torch.randn(d, 1, generator=gen, dtype=torch.float64) / d ** 0.5).float()


def polynomial_friedman(seed: int) -> tuple[Tensor, Tensor]:
    """kinds_round15.friedman_regression(seed) with its 10 inputs and their 55 products of degree 2 (x_i x_j,
    i ≤ j), each of the 65 columns standardised: correlated features for a linear model."""
    x, y = R15.friedman_regression(seed=seed)
    x = x.double()
    i, j = torch.triu_indices(10, 10)
    z = torch.cat([x, x[:, i] * x[:, j]], dim=1)
    return ((z - z.mean(dim=0)) / z.std(dim=0, unbiased=False)).float(), y


def lsq_steep_axis_model() -> nn.Module:
    return M.build(lambda: M.linear(200, 1, bias=False), seed=210)


def lsq_steep_axis_data():
    return R14.powerlaw_least_squares_axis(seed=310, power=2.0)


def lsq_student_t_model() -> nn.Module:
    return M.build(lambda: M.linear(50, 1, bias=False), seed=211)


def lsq_student_t_data():
    return student_t_least_squares(seed=311)


def mlp_elu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.ELU), seed=212)


def deep_relu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20] + [24] * 6 + [5], nn.ReLU), seed=213)


def deep_relu_clusters_data():
    return R15.gaussian_clusters(seed=313)


def mlp_tanh_moons_model() -> nn.Module:
    return M.build(lambda: M.mlp([2, 32, 32, 1], nn.Tanh), seed=214)


def mlp_tanh_moons_data():
    return L.two_moons(seed=314)


def mlp_gelu_wide_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 256, 1], nn.GELU), seed=215)


def mlp_gelu_wide_cancer_std_data():
    return D.breast_cancer(standardise=True)


def poly_friedman_model() -> nn.Module:
    return M.build(lambda: M.linear(65, 1), seed=216)


def poly_friedman_data():
    return polynomial_friedman(seed=316)


def zipf_bow_v500_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=500, dim=16, classes=20), seed=217)


def zipf_bow_v500_data():
    return D.zipf_documents(seed=317, vocab=500, classes=20)


mlp_elu_digits_data = D.digits

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "lsq_steep_axis": ("mse", 32, None, "noiseless least squares, d=200, axis-aligned power-law spectrum 1/i^2",
                       (M.linear, R14.powerlaw_least_squares_axis, D._orthonormal_columns)),
    "lsq_student_t": ("mse", 32, None, "noiseless least squares, d=50, independent Student-t features (3 dof)",
                      (M.linear, student_t_least_squares)),
    "mlp_elu_digits": ("ce", 64, 10, "ELU MLP 64-64-64-10 on digits", (M.mlp, D.digits)),
    "deep_relu_clusters": ("ce", 64, 5, "deep narrow ReLU MLP, 6 hidden layers of 24, on 5 Gaussian clusters",
                           (M.mlp, R15.gaussian_clusters)),
    "mlp_tanh_moons": ("bce", 32, 2, "tanh MLP 2-32-32-1 on two moons (noise 0.2)", (M.mlp, L.two_moons)),
    "mlp_gelu_wide_cancer_std": ("bce", 32, 2, "wide GELU MLP 30-256-1 on breast cancer standardised features",
                                 (M.mlp, D.breast_cancer)),
    "poly_friedman": ("mse", 32, None, "least squares on the 65 standardised degree-2 features of Friedman's first "
                      "regression function", (M.linear, polynomial_friedman, R15.friedman_regression)),
    "zipf_bow_v500": ("ce", 64, 20, "embedding-bag classifier, Zipf class and token frequencies (V=500, C=20)",
                      (M.BagOfWords, D.zipf_documents)),
}
