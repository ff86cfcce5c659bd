"""Section `spectrum` (SPEC §3): extreme eigenvalues and the spectral norm."""

from __future__ import annotations

from ..estimators.extremes import spectral_norm
from .context import Context


def run(ctx: Context) -> None:
    report = ctx.report
    report.top = ctx.top
    report.bottom = ctx.bottom
    report.L2 = spectral_norm(ctx.top, ctx.bottom)
