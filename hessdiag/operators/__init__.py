"""Matrix–vector products with the curvature matrices of SPEC §2 (the second layer of hessdiag)."""

from .base import CurvatureOperator
from .fisher_mc import MonteCarloFisherOperator
from .ggn import GGNOperator
from .gradient import LossAndGradient, loss_and_gradient
from .gradient_moments import EmpiricalFisherOperator, GradientCovarianceOperator
from .hessian import HVP_MODES, HessianOperator
from .reduction import accumulate, reduce_sum
from .registry import CURVATURE_MATRICES, CurvatureMatrix, MatrixInputs, compared_matrices, register

__all__ = [
    "CURVATURE_MATRICES", "CurvatureMatrix", "CurvatureOperator", "EmpiricalFisherOperator", "GGNOperator",
    "GradientCovarianceOperator", "HVP_MODES", "HessianOperator", "LossAndGradient", "MatrixInputs",
    "MonteCarloFisherOperator", "accumulate", "compared_matrices", "loss_and_gradient", "reduce_sum", "register",
]
