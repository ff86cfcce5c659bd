"""The benchmark's problem kinds of the prospective rounds six to ten (18 kinds): each round chosen before any
of its cases was run, and called by the rule then shipped before its ground truth was computed
(prospective.json). Seeded model factories, data functions, and their settings in `KINDS`."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import models as M
from .kinds import digits_data

# Added in a sixth round (2026-12-05, a new session; 36 cases, 6 clear euclidean), chosen before any was run,
# as a PROSPECTIVE test of the shipped rule: its calls on these cases were computed from their evidence and
# committed (prospective.json) before their ground truth was computed. Two kinds from theory for the euclidean
# side beyond plain least squares — a kernel model (a linear model on dense random Fourier features) and a
# wide one-hidden-layer net on a noiseless target (near the lazy, kernel regime) — and one for breadth:
# low-rank matrix completion (bilinear, embedding rows touched sparsely), which the literature leaves open.

def rff_cancer_model() -> nn.Module:
    return M.build(lambda: M.linear(300, 1), seed=120)


def rff_cancer_data():
    return D.random_fourier_cancer(seed=220)


def wide_mlp_teacher_model() -> nn.Module:
    return M.build(lambda: M.mlp([16, 256, 1], nn.ReLU), seed=121)


def wide_mlp_teacher_data():
    return D.teacher_regression(seed=221)


def matrix_completion_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=60, cols=50, rank=4), seed=122)


def matrix_completion_data():
    return D.low_rank_entries(seed=222)


# Added in a seventh round (2026-12-05, the same session), chosen before any was run, as a second PROSPECTIVE
# test: the rule refitted on the 42 cases above called these from their evidence before their ground truth was
# computed (prospective.json). Chosen for breadth: a deep linear network (non-convex, linear function), a linear
# model on correlated real features (degree-2 products of diabetes), a residual MLP with LayerNorm (a
# transformer's feed-forward path), and logistic regression on sparse Zipf-frequency binary features (rare
# features, as in text; the literature expects the sign family there).

def deep_linear_model() -> nn.Module:
    return M.build(lambda: M.deep_linear(width=20, depth=5), seed=123, scheme="lecun")


def deep_linear_data():
    return D.least_squares(seed=223, rotated=True, n=800, d=20, cond=1e2, noise=0.1)


def poly_diabetes_model() -> nn.Module:
    return M.build(lambda: M.linear(65, 1), seed=124)


def poly_diabetes_data():
    return D.polynomial_diabetes()


def resmlp_ln_digits_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=64, width=32, blocks=2, classes=10), seed=125)


def sparse_logreg_model() -> nn.Module:
    return M.build(lambda: M.linear(500, 1), seed=126)


def sparse_logreg_data():
    return D.sparse_binary_classification(seed=226)


# Added in an eighth round (2026-12-05, the same session), chosen before any was run, as a third PROSPECTIVE
# test, of the rule refitted on 50 cases: softmax regression on raw digit pixels (0..16, many always 0), a
# ReLU MLP on breast cancer's raw features (scales 1e-3..4e3), a 1-D CNN finding a motif in noise (a CNN on
# other data than digits), and a linear autoencoder 32-8-32 on rotated anisotropic Gaussian data.

def softmax_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.linear(64, 10), seed=127)


def softmax_digits_raw_data():
    return D.digits_raw()


def mlp_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.ReLU), seed=128)


def mlp_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def conv1d_motif_model() -> nn.Module:
    return M.build(lambda: M.conv1d_motif(length=32), seed=129)


def conv1d_motif_data():
    return D.motif_sequences(seed=229)


def linear_autoencoder_model() -> nn.Module:
    return M.build(lambda: M.linear_autoencoder(32, 8), seed=130)


def linear_autoencoder_data():
    return D.anisotropic_gaussian(seed=230)


# Added in a ninth round (2026-12-05, the same session), chosen before any was run, as a fourth PROSPECTIVE test,
# of the rule refitted on 58 cases, aimed at the euclidean side — the only calls in which the rule differs from
# "always sign", and the class with 1 prospective case so far: a LeNet-style tanh CNN with average pooling
# (CNNs gave 2 of the 7 euclidean cases), symmetric matrix sensing U Uᵀ (non-convex, rotation-invariant; matrix
# completion at init came out euclidean), and over-parameterised noiseless least squares (d = 400 > N = 300, a
# rotated spectrum; interpolation gave 4 of the 7). Sensing was first noiseless; its warm-up reached a loss of
# 5e-10 (float32 rounding, as the dropped lsq_multi), so before anything else was run it got noise 0.1.

def lenet_digits_model() -> nn.Module:
    return M.build(M.lenet_8x8, seed=131)


def sensing_sym_model() -> nn.Module:
    return M.build(lambda: M.SymmetricSensing(n=20, rank=3), seed=132)


def sensing_sym_data():
    return D.gaussian_sensing(seed=232)


def lsq_overparam_model() -> nn.Module:
    return M.build(lambda: M.linear(400, 1, bias=False), seed=133)


def lsq_overparam_data():
    return D.overparam_least_squares(seed=233)


# Added in a tenth round (2026-12-05, the same session), chosen before any was run, as a fifth PROSPECTIVE test,
# of the rule refitted on 64 cases, for questions the benchmark leaves open, cheap enough to finish this session:
# noiseless least squares with an axis-aligned Hessian (lsq_interp's pair: does the rotation decide it in the
# interpolation regime, as it did for lsq_axis/lsq_rot?), logistic regression on separable data (no finite
# minimiser), least squares on monomial features of one variable (badly conditioned, correlated), and an MLP on
# iris (a tiny real problem).

def lsq_interp_axis_model() -> nn.Module:
    return M.build(lambda: M.linear(100, 1, bias=False), seed=134)


def lsq_interp_axis_data():
    return D.least_squares(seed=211, rotated=False, n=1000, d=100, cond=1e2, noise=0.0)


def logreg_separable_model() -> nn.Module:
    return M.build(lambda: M.linear(20, 1), seed=135)


def logreg_separable_data():
    return D.separable_blobs(seed=235)


def vandermonde_lsq_model() -> nn.Module:
    return M.build(lambda: M.linear(12, 1), seed=136)


def vandermonde_lsq_data():
    return D.vandermonde_regression(seed=236)


def mlp_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 16, 3], nn.Tanh), seed=137)


def mlp_iris_data():
    return D.iris_standardised()


resmlp_ln_digits_data = lenet_digits_data = digits_data

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "rff_cancer": ("bce", 32, 2, "logistic regression on 300 random Fourier features of standardised breast cancer",
                   (M.linear, D.random_fourier_cancer, D.breast_cancer)),
    "wide_mlp_teacher": ("mse", 32, None, "wide ReLU MLP 16-256-1 fitting a noiseless tanh teacher 16-32-32-1",
                         (M.mlp, D.teacher_regression, M.build, M.init_)),
    "matrix_completion": ("mse", 32, None, "rank-4 factorisation U Vᵀ of a 60x50 matrix from 1,500 noisy entries",
                          (M.MatrixFactorization, D.low_rank_entries)),
    "deep_linear": ("mse", 32, None, "deep linear net, 5 bias-free layers of 20, on rotated least squares (cond 1e2)",
                    (M.deep_linear, D.least_squares, D._orthonormal_columns)),
    "poly_diabetes": ("mse", 32, None, "least squares on the 65 standardised degree-2 features of diabetes",
                      (M.linear, D.polynomial_diabetes, D.diabetes)),
    "resmlp_ln_digits": ("ce", 64, 10, "residual MLP, width 32, 2 pre-LayerNorm blocks, on digits",
                         (M.ResidualMLP, D.digits)),
    "sparse_logreg": ("bce", 64, 2, "logistic regression, 500 sparse binary Zipf-frequency features, sparse teacher",
                      (M.linear, D.sparse_binary_classification)),
    "softmax_digits_raw": ("ce", 64, 10, "multinomial logistic regression on raw digit pixels (0..16)",
                           (M.linear, D.digits_raw)),
    "mlp_cancer_raw": ("bce", 32, 2, "ReLU MLP 30-32-1 on breast cancer raw features (scales 1e-3..4e3)",
                       (M.mlp, D.breast_cancer)),
    "conv1d_motif": ("ce", 64, 2, "1-D CNN (8, 16 channels, global max pool) detecting a motif in noise",
                     (M.conv1d_motif, D.motif_sequences)),
    "linear_autoencoder": ("mse", 32, None, "linear autoencoder 32-8-32 on rotated anisotropic Gaussian data",
                           (M.linear_autoencoder, D.anisotropic_gaussian, D._orthonormal_columns)),
    "lenet_digits": ("ce", 64, 10, "LeNet-style tanh CNN with average pooling on 8x8 digits", (M.lenet_8x8, D.digits)),
    "sensing_sym": ("mse", 32, None, "symmetric matrix sensing U Uᵀ, n=20, rank 3, 1,200 measurements, noise 0.1",
                    (M.SymmetricSensing, D.gaussian_sensing)),
    "lsq_overparam": ("mse", 32, None, "noiseless over-parameterised least squares, d=400 > N=300, rotated",
                      (M.linear, D.overparam_least_squares, D._orthonormal_columns)),
    "lsq_interp_axis": ("mse", 32, None, "noiseless least squares, d=100, axis-aligned Hessian, condition 1e2",
                        (M.linear, D.least_squares, D._orthonormal_columns)),
    "logreg_separable": ("bce", 64, 2, "logistic regression on two separable Gaussian blobs, d=20",
                         (M.linear, D.separable_blobs)),
    "vandermonde_lsq": ("mse", 32, None, "least squares on monomials t..t^12 of one variable, target sin(3t)",
                        (M.linear, D.vandermonde_regression)),
    "mlp_iris": ("ce", 16, 3, "tanh MLP 4-16-3 on standardised iris", (M.mlp, D.iris_standardised)),
}
