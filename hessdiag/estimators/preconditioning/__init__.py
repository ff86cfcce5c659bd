"""The Hessian under each family's implicit diagonal preconditioner (SPEC §7): Adam's √diag(EF) and
the Jacobi diagonal |diag(H)|; effective condition numbers and the rates GD vs preconditioned GD
would get on the local quadratic model."""

from .diagonals import (
    ADAM_EPS,
    JACOBI_EPS,
    adam_diagonal,
    fisher_mc_diagonal,
    jacobi_diagonal,
)
from .spectra import (
    SpectrumSummary,
    preconditioned_map,
    progress_ratio,
    rate_ratio,
    summary_from_dense,
    summary_from_eigenvalues,
    summary_from_operator,
)

__all__ = ["ADAM_EPS", "JACOBI_EPS", "SpectrumSummary", "adam_diagonal", "fisher_mc_diagonal",
           "jacobi_diagonal",
           "preconditioned_map", "progress_ratio", "rate_ratio", "summary_from_dense",
           "summary_from_eigenvalues", "summary_from_operator"]
