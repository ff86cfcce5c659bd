"""Estimators grouped by what they measure, mirroring SPEC §3–6.

- `spectrum`: the spectral norm L2, spectral ratios and step sizes (the eigenvalues, traces and
  densities themselves come from the numerical core, `hessdiag.linalg`);
- `geometry`: Hessian columns, ρ_diag, the L∞ interval, gradient density and the improvement ratio;
- `noise`: per-sample gradient moments, scalar and per-coordinate noise, noise–curvature alignment;
- `fisher`: traces and distances of the curvature matrices, the residual size, the comparison result.
"""
