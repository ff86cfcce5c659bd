"""The benchmark's problem kinds of the forty-sixth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-sixth round (2026-12-07, chosen in a new session after the rules refitted on 600 cases shipped,
# and before any of this round's cases was run), to be called by those rules. Meant to lean neither way: a SELU MLP
# (LeCun init) on raw digit pixels (SELU on standardised digits went euclidean then sign; ReLU, GELU, ELU, SiLU,
# Softplus and Mish MLPs on raw pixels each went euclidean at least once), exact rank-8 completion (noisy rank 8 tied
# twice; exact ranks 1 to 6 at batch 32 all went euclidean) and noisy rank-8 completion at batch 8, tanh and Mish
# MLPs on 5 Gaussian clusters (shallow MLPs there mostly tie, the tanh one on scaled clusters sign), a tanh MLP on
# standardised iris at batch 16 (at batch 8 a tie twice), and SELU MLPs on raw breast-cancer and raw wine features
# (MLPs on raw features mostly sign, the tanh one on raw wine a tie).


def mlp_selu_digits_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 10], nn.SELU), seed=470, scheme="lecun")


def matrix_completion_r8_clean_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=80, cols=60, rank=8), seed=471)


def matrix_completion_r8_clean_data():
    return D.low_rank_entries(seed=571, rows=80, cols=60, rank=8, observed=2500, noise=0.0)


def matrix_completion_r8_b8_model() -> nn.Module:
    return M.build(lambda: M.MatrixFactorization(rows=80, cols=60, rank=8), seed=472)


def matrix_completion_r8_b8_data():
    return D.low_rank_entries(seed=572, rows=80, cols=60, rank=8, observed=2500)


def mlp_tanh_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.Tanh), seed=473)


def mlp_tanh_clusters_data():
    return R15.gaussian_clusters(seed=573)


def mlp_mish_clusters_model() -> nn.Module:
    return M.build(lambda: M.mlp([20, 64, 5], nn.Mish), seed=474)


def mlp_mish_clusters_data():
    return R15.gaussian_clusters(seed=574)


def mlp_tanh_iris_model() -> nn.Module:
    return M.build(lambda: M.mlp([4, 32, 3], nn.Tanh), seed=475)


def mlp_selu_cancer_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.SELU), seed=476)


def mlp_selu_cancer_raw_data():
    return D.breast_cancer(standardise=False)


def mlp_selu_wine_raw_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.SELU), seed=477)


mlp_selu_digits_raw_data = D.digits_raw
mlp_tanh_iris_data = D.iris_standardised
mlp_selu_wine_raw_data = D.wine_raw

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_selu_digits_raw": ("ce", 64, 10, "SELU MLP 64-64-10, LeCun init, on raw digit pixels (0..16)",
                            (M.mlp, D.digits_raw)),
    "matrix_completion_r8_clean": ("mse", 32, None, "rank-8 factorisation U Vᵀ of an 80x60 matrix from 2,500 exact "
                                   "entries", (M.MatrixFactorization, D.low_rank_entries)),
    "matrix_completion_r8_b8": ("mse", 8, None, "rank-8 factorisation U Vᵀ of an 80x60 matrix from 2,500 noisy "
                                "entries, batch 8", (M.MatrixFactorization, D.low_rank_entries)),
    "mlp_tanh_clusters": ("ce", 32, 5, "tanh MLP 20-64-5 on 5 Gaussian clusters", (M.mlp, R15.gaussian_clusters)),
    "mlp_mish_clusters": ("ce", 32, 5, "Mish MLP 20-64-5 on 5 Gaussian clusters", (M.mlp, R15.gaussian_clusters)),
    "mlp_tanh_iris": ("ce", 16, 3, "tanh MLP 4-32-3 on standardised iris", (M.mlp, D.iris_standardised)),
    "mlp_selu_cancer_raw": ("bce", 32, 2, "SELU MLP 30-32-1 on breast cancer raw features (scales 1e-3..4e3)",
                            (M.mlp, D.breast_cancer)),
    "mlp_selu_wine_raw": ("ce", 16, 3, "SELU MLP 13-32-3 on raw wine features (0.1..1.7e3)", (M.mlp, D.wine_raw)),
}
