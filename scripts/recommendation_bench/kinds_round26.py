"""The benchmark's problem kinds of the twenty-sixth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories,
data functions (those only these kinds use), and `KINDS`."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from . import data as D
from . import kinds_round15 as R15
from . import kinds_round21 as R21
from . import models as M

# Added in a twenty-sixth round (2026-12-05, the same session, chosen minutes after round 25's ground truth was
# merged, before any of its own cases was run), to be called by the rules refitted after the twenty-fifth round (up to
# two features). Meant to lean neither way; no pairs.
# A wide ReLU MLP on raw breast-cancer features, a tanh MLP on digits at batch 16, multinomial logistic regression on
# raw iris features, a deep narrow GELU MLP on the Gaussian clusters, a residual LayerNorm MLP on standardised
# breast-cancer features, an embedding-bag classifier on Zipf documents with 10 classes, a GELU autoencoder through
# 4 units on the clusters, and rank-2 matrix completion without label noise.


def iris_raw() -> tuple[Tensor, Tensor]:
    """scikit-learn's iris, 150 × 4, raw features (centimetres, 0.1 to 7.9), 3 classes."""
    from sklearn.datasets import load_iris

    raw = load_iris()
    return (torch.tensor(np.asarray(raw.data, dtype=np.float64), dtype=torch.float32),
            torch.tensor(raw.target, dtype=torch.int64))


def mlp_relu_wide_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 256, 1], nn.ReLU), seed=270)


def mlp_relu_wide_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def mlp_tanh_digits_b16_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Tanh), seed=271)


def softmax_iris_raw_model() -> nn.Module:
    return M.build(lambda: M.linear(4, 3), seed=272)


def deep_gelu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20] + [24] * 6 + [5], nn.GELU), seed=273)


def deep_gelu_clusters_data():
    return R15.gaussian_clusters(seed=373)


def resmlp_ln_cancer_std_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=30, width=32, blocks=2, classes=1), seed=274)


def resmlp_ln_cancer_std_data():
    return D.breast_cancer(standardise=True)


def zipf_bow_c10_model() -> nn.Module:
    return M.build(lambda: M.BagOfWords(vocab=2000, dim=16, classes=10), seed=275)


def zipf_bow_c10_data():
    return D.zipf_documents(seed=375, classes=10)


def autoencoder_gelu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 4, 20], nn.GELU), seed=276)


def autoencoder_gelu_clusters_data():
    return R21.clusters_reconstruction(seed=376)


def matrix_completion_r2_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=40, cols=40, rank=2), seed=277)


def matrix_completion_r2_clean_data():
    return D.low_rank_entries(seed=377, rows=40, cols=40, rank=2, observed=800, noise=0.0)


mlp_tanh_digits_b16_data = D.digits
softmax_iris_raw_data = iris_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_relu_wide_cancer_raw": ("bce", 32, 2, "wide ReLU MLP 30-256-1 on breast cancer raw features",
                                 (M.mlp, D.breast_cancer)),
    "mlp_tanh_digits_b16": ("ce", 16, 10, "tanh MLP 64-64-10 on digits, batch 16", (M.mlp, D.digits)),
    "softmax_iris_raw": ("ce", 16, 3, "multinomial logistic regression on raw iris features (0.1..7.9)",
                         (M.linear, iris_raw)),
    "deep_gelu_clusters": ("ce", 64, 5, "deep narrow GELU MLP, 6 hidden layers of 24, on 5 Gaussian clusters",
                           (M.mlp, R15.gaussian_clusters)),
    "resmlp_ln_cancer_std": ("bce", 32, 2, "residual MLP, width 32, 2 pre-LayerNorm blocks, on breast cancer "
                             "standardised features", (M.ResidualMLP, D.breast_cancer)),
    "zipf_bow_c10": ("ce", 64, 10, "embedding-bag classifier, Zipf class and token frequencies (V=2000, C=10)",
                     (M.BagOfWords, D.zipf_documents)),
    "autoencoder_gelu_clusters": ("mse", 64, None, "GELU autoencoder 20-4-20 reconstructing 5 Gaussian clusters",
                                  (M.mlp, R21.clusters_reconstruction, R15.gaussian_clusters)),
    "matrix_completion_r2_clean": ("mse", 32, None, "rank-2 factorisation U Vᵀ of a 40x40 matrix from 800 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
}
