"""The benchmark's problem kinds of the twenty-seventh prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a twenty-seventh round (2026-12-05, a new session, chosen while round 26's ground truth was being computed
# and before any of it was read), to be called by the rules refitted after the twenty-sixth round. Meant to lean
# neither way; no pairs. A two-conv CNN on digits at batch 16, a GELU MLP on raw wine features, an ELU MLP on the
# Gaussian clusters, logistic regression on sparse Zipf features at batch 8, a SiLU autoencoder on the digits, a
# residual LayerNorm MLP on raw wine features, the 1-D motif CNN with twice the noise, and a Softplus MLP on digits.


def cnn_digits_b16_model() -> nn.Module:
    return M.build(lambda: M.cnn_8x8(10), seed=280)


def mlp_gelu_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.GELU), seed=281)


def mlp_elu_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.ELU), seed=282)


def mlp_elu_clusters_data():
    return R15.gaussian_clusters(seed=382)


def sparse_logreg_b8_model() -> nn.Module:
    return M.build(lambda: M.linear(500, 1), seed=283)


def sparse_logreg_b8_data():
    return D.sparse_binary_classification(seed=383)


def autoencoder_silu_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 16, 64], nn.SiLU), seed=284)


def resmlp_ln_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.ResidualMLP(d_in=13, width=32, blocks=2, classes=3), seed=285)


def conv1d_motif_noisy_model() -> nn.Module:
    return M.build(lambda: M.conv1d_motif(length=32), seed=286)


def conv1d_motif_noisy_data():
    return D.motif_sequences(seed=386, noise=2.0)


def mlp_softplus_digits_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.Softplus), seed=287)


cnn_digits_b16_data = mlp_softplus_digits_data = D.digits
mlp_gelu_wine_raw_data = resmlp_ln_wine_raw_data = D.wine_raw
autoencoder_silu_digits_data = D.digits_reconstruction

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "cnn_digits_b16": ("ce", 16, 10, "two-conv ReLU CNN with max pooling on 8x8 digits, batch 16",
                       (M.cnn_8x8, D.digits)),
    "mlp_gelu_wine_raw": ("ce", 16, 3, "GELU MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
    "mlp_elu_clusters": ("ce", 64, 5, "ELU MLP 20-64-5 on 5 Gaussian clusters", (M.mlp, R15.gaussian_clusters)),
    "sparse_logreg_b8": ("bce", 8, 2, "logistic regression, 500 sparse binary Zipf-frequency features, sparse "
                         "teacher, batch 8", (M.linear, D.sparse_binary_classification)),
    "autoencoder_silu_digits": ("mse", 64, None, "SiLU autoencoder 64-16-64 reconstructing the digits",
                                (M.mlp, D.digits_reconstruction)),
    "resmlp_ln_wine_raw": ("ce", 16, 3, "residual MLP, width 32, 2 pre-LayerNorm blocks, on raw wine features",
                           (M.ResidualMLP, D.wine_raw)),
    "conv1d_motif_noisy": ("ce", 64, 2, "1-D CNN (8, 16 channels, global max pool) detecting a motif in noise of "
                           "standard deviation 2", (M.conv1d_motif, D.motif_sequences)),
    "mlp_softplus_digits": ("ce", 64, 10, "Softplus MLP 64-64-10 on digits", (M.mlp, D.digits)),
}
