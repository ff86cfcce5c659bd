"""The registry of curvature matrices (SPEC §2): one entry per matrix, iterated by every consumer.

Each `CurvatureMatrix` names a matrix as the report does (`H`, `GGN`, `F_mc`, `EF`, `Sigma`), gives its
title in words, says whether the fisher section compares it, and builds its operator from the inputs
a run has (`MatrixInputs`). The fisher section, the report's schema and the terminal all iterate
`CURVATURE_MATRICES`; adding a matrix (say K-FAC) is one operator module and one `register` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from ..load.problem import Problem
from .base import CurvatureOperator
from .fisher_mc import MonteCarloFisherOperator
from .ggn import GGNOperator
from .gradient_moments import EmpiricalFisherOperator, GradientCovarianceOperator
from .hessian import HessianOperator


@dataclass(frozen=True)
class MatrixInputs:
    """What building a curvature operator may need: the problem, the Hessian product mode, the mean
    gradient ∇R, a seeded generator for sampled labels, and the labels drawn per sample."""

    problem: Problem
    hvp: str
    gradient: Tensor
    generator: Callable[[str], torch.Generator]
    mc_samples: int = 1


@dataclass(frozen=True)
class CurvatureMatrix:
    name: str  # key in the report
    title: str  # how tables name it
    build: Callable[[MatrixInputs], CurvatureOperator]
    compared: bool = True  # one of the matrices the fisher section compares (SPEC §6)


CURVATURE_MATRICES: dict[str, CurvatureMatrix] = {}


def register(matrix: CurvatureMatrix) -> CurvatureMatrix:
    if matrix.name in CURVATURE_MATRICES:
        raise ValueError(f"curvature matrix '{matrix.name}' is registered twice")
    CURVATURE_MATRICES[matrix.name] = matrix
    return matrix


def compared_matrices() -> list[CurvatureMatrix]:
    """The matrices of the fisher comparison, in registry order."""
    return [m for m in CURVATURE_MATRICES.values() if m.compared]


# Each name is its operator class's `name` (defined there once).
HESSIAN = register(CurvatureMatrix(HessianOperator.name, "Hessian H",
                                   lambda i: HessianOperator(i.problem, mode=i.hvp)))
GGN = register(CurvatureMatrix(GGNOperator.name, "GGN = Fisher F", lambda i: GGNOperator(i.problem)))
MC_FISHER = register(CurvatureMatrix(
    MonteCarloFisherOperator.name, "Monte-Carlo Fisher F_mc",
    lambda i: MonteCarloFisherOperator(i.problem, i.generator("fisher-mc-labels"), i.mc_samples)))
EMPIRICAL_FISHER = register(CurvatureMatrix(EmpiricalFisherOperator.name, "empirical Fisher EF",
                                            lambda i: EmpiricalFisherOperator(i.problem)))
GRADIENT_COVARIANCE = register(CurvatureMatrix(
    GradientCovarianceOperator.name, "gradient covariance Σ",
    lambda i: GradientCovarianceOperator(i.problem, i.gradient), compared=False))
