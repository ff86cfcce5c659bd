"""Block heterogeneity of the Hessian (Zhang et al. 2024): spectra of the diagonal blocks H_BB, one per
parameter tensor, and how much they differ (averaged Jensen–Shannon divergence, spread of the tops)."""

from .heterogeneity import BlockHeterogeneity, block_heterogeneity, js_divergence
from .spectra import BlockSpectrum, block_spectra

__all__ = ["BlockHeterogeneity", "BlockSpectrum", "block_heterogeneity", "block_spectra", "js_divergence"]
