"""The benchmark's problem kinds of the forty-ninth prospective round: chosen before any of its cases was run, and
called by the rules then shipped before its ground truth was computed (prospective.json). Seeded model factories
and `KINDS` (every data function is an earlier round's)."""

from __future__ import annotations

from torch import nn

from . import data as D
from . import kinds_late as L
from . import kinds_round15 as R15
from . import models as M

# Added in a forty-ninth round (2026-12-07, chosen in the session that refitted the rules on 630 cases, after round
# 48's truth, before any of this round's cases was run), to be called by those rules. Round 48's clear cases did not
# separate the two pairs the no-race selection moves between (the gradient density with Adam's progress, shipped;
# the block top spread with the Jacobi rate, a frozen candidate): they agreed on all 13. On the 630 fitted cases,
# scored leave-one-kind-out as fixed choices, they disagree on 59 clear cases, 29 of them MLPs (most on digits and on
# standardised wine and breast cancer, and the wide GELU ones), 9 least squares and 7 deep nets; so this round
# takes kinds next to those: a wide GELU MLP on standardised wine, SELU and ELU MLPs on digits at batch 16, a tanh MLP
# on standardised wine and a Softplus MLP on standardised breast cancer at batch 8, axis-aligned least squares with
# N = 150 for d = 40, and a Mish MLP on Friedman's function at batch 8. The selection of kinds read only the fitted
# cases' features and truths, never a case of this round.


def mlp_gelu_wide_wine_std_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 256, 3], nn.GELU), seed=600)


def mlp_selu_digits_b16_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.SELU), seed=601, scheme="lecun")


def mlp_elu_digits_b16_model() -> nn.Module:
    return M.build(lambda: M.mlp([64, 64, 64, 10], nn.ELU), seed=602)


def mlp_tanh_wine_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([13, 32, 3], nn.Tanh), seed=603)


def mlp_softplus_cancer_std_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([30, 32, 1], nn.Softplus), seed=604)


def mlp_softplus_cancer_std_b8_data():
    return D.breast_cancer(standardise=True)


def lsq_axis_n150_model() -> nn.Module:
    return M.build(lambda: M.linear(40, 1), seed=605)


def lsq_axis_n150_data():
    return D.least_squares(seed=705, rotated=False, n=150, d=40, cond=1e3, noise=0.1)


def mlp_mish_friedman_b8_model() -> nn.Module:
    return M.build(lambda: M.mlp([10, 64, 64, 1], nn.Mish), seed=606)


def mlp_mish_friedman_b8_data():
    return R15.friedman_regression(seed=706)


mlp_gelu_wide_wine_std_data = L.wine_standardised
mlp_selu_digits_b16_data = D.digits
mlp_elu_digits_b16_data = D.digits
mlp_tanh_wine_std_b8_data = L.wine_standardised

# kind: (loss, batch size, classes, description, extra sources)
KINDS: dict[str, tuple] = {
    "mlp_gelu_wide_wine_std": ("ce", 16, 3, "wide GELU MLP 13-256-3 on standardised wine",
                               (M.mlp, L.wine_standardised, D.wine_raw)),
    "mlp_selu_digits_b16": ("ce", 16, 10, "SELU MLP 64-64-64-10, LeCun init, on digits, batch 16", (M.mlp, D.digits)),
    "mlp_elu_digits_b16": ("ce", 16, 10, "ELU MLP 64-64-64-10 on digits, batch 16", (M.mlp, D.digits)),
    "mlp_tanh_wine_std_b8": ("ce", 8, 3, "tanh MLP 13-32-3 on standardised wine, batch 8",
                             (M.mlp, L.wine_standardised, D.wine_raw)),
    "mlp_softplus_cancer_std_b8": ("bce", 8, 2, "softplus MLP 30-32-1 on breast cancer standardised features, batch 8",
                                   (M.mlp, D.breast_cancer)),
    "lsq_axis_n150": ("mse", 32, None, "least squares, N=150 samples for d=40, axis-aligned, condition 1e3, noise 0.1",
                      (M.linear, D.least_squares)),
    "mlp_mish_friedman_b8": ("mse", 8, None, "Mish MLP 10-64-64-1 on Friedman's first regression function, batch 8",
                             (M.mlp, R15.friedman_regression)),
}
