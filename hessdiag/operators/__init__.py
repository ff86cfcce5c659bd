"""Matrix–vector products with the curvature matrices of SPEC §2 (the second layer of hessdiag)."""

from .base import CurvatureOperator
from .ggn import GGNOperator
from .gradient import LossAndGradient, loss_and_gradient
from .gradient_moments import EmpiricalFisherOperator, GradientCovarianceOperator
from .hessian import HVP_MODES, HessianOperator
from .reduction import accumulate, reduce_sum

__all__ = [
    "CurvatureOperator", "EmpiricalFisherOperator", "GGNOperator", "GradientCovarianceOperator",
    "HVP_MODES", "HessianOperator", "LossAndGradient", "accumulate", "loss_and_gradient", "reduce_sum",
]
