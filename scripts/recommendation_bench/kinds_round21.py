"""The benchmark's problem kinds of the twenty-first prospective round: chosen before any of its cases was run, and
called by the rule then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

from torch import Tensor, nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a twenty-first round (2026-12-05, the same session, chosen before any case of the nineteenth or twentieth
# round had a ground truth), to be called by the rules refitted after the twentieth round. Not leaning either way,
# no pairs with rounds 19 and 20 (their outcomes were unknown): binary logistic regression on raw wine features
# (scales 0.1 to 1.7e3; softmax_wine was sign at both), a ReLU MLP on iris, rank-2 matrix completion, SiLU and
# sigmoid MLPs on Friedman's function, a tanh autoencoder through 4 units on the Gaussian clusters, multinomial
# logistic regression on digits at batch 256, and a linear autoencoder 64-8-64 on the digits.


def wine_raw_class0() -> tuple[Tensor, Tensor]:
    """scikit-learn's wine, raw features, target 1 for class 0 against the other two, as a float column."""
    x, y = D.wine_raw()
    return x, (y == 0).float()[:, None]


def clusters_reconstruction(seed: int) -> tuple[Tensor, Tensor]:
    """kinds_round15.gaussian_clusters(seed) inputs as their own targets."""
    x, _ = R15.gaussian_clusters(seed=seed)
    return x, x.clone()


def logreg_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.linear(13, 1), seed=220)


def mlp_relu_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 16, 3], nn.ReLU), seed=221)


def matrix_completion_r2_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=2), seed=222)


def matrix_completion_r2_data():
    return D.low_rank_entries(seed=322, rows=40, cols=40, rank=2, observed=800)


def mlp_silu_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.SiLU), seed=223)


def mlp_silu_friedman_data():
    return R15.friedman_regression(seed=323)


def autoencoder_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.Tanh), seed=224)


def autoencoder_clusters_data():
    return clusters_reconstruction(seed=324)


def softmax_digits_b256_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=225)


def mlp_sigmoid_friedman_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Sigmoid), seed=226)


def mlp_sigmoid_friedman_data():
    return R15.friedman_regression(seed=326)


def linear_autoencoder_digits_model() -> nn.Module:
    return M.build(lambda: M.linear_autoencoder(64, 8), seed=227)


logreg_wine_raw_data = wine_raw_class0
mlp_relu_iris_data = D.iris_standardised
softmax_digits_b256_data = D.digits
linear_autoencoder_digits_data = D.digits_reconstruction

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "logreg_wine_raw": ("bce", 16, 2, "logistic regression on raw wine features (0.1..1.7e3), class 0 against the "
                        "rest", (M.linear, wine_raw_class0, D.wine_raw)),
    "mlp_relu_iris": ("ce", 16, 3, "ReLU MLP 4-16-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "matrix_completion_r2": ("mse", 32, None, "rank-2 factorisation U Vᵀ of a 40x40 matrix from 800 noisy entries",
                             (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_silu_friedman": ("mse", 32, None, "SiLU MLP 10-64-64-1 on Friedman's first regression function",
                          (M.mlp, R15.friedman_regression)),
    "autoencoder_clusters": ("mse", 64, None, "tanh autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                             (M.mlp, clusters_reconstruction, R15.gaussian_clusters)),
    "softmax_digits_b256": ("ce", 256, 10, "multinomial logistic regression on digits, batch 256",
                            (M.linear, D.digits)),
    "mlp_sigmoid_friedman": ("mse", 32, None, "sigmoid MLP 10-64-64-1 on Friedman's first regression function",
                             (M.mlp, R15.friedman_regression)),
    "linear_autoencoder_digits": ("mse", 64, None, "linear autoencoder 64-8-64 reconstructing the digits",
                                  (M.linear_autoencoder, D.digits_reconstruction, D.digits)),
}
