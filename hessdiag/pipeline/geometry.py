"""Section `geometry` (SPEC §8 `--only geometry`): not implemented yet."""

from __future__ import annotations

from .context import Context

IMPLEMENTED = False


def run(ctx: Context) -> None:
    ctx.warn("section geometry is not implemented yet in this version; skipped")
