"""Section `fisher` (SPEC §8 `--only fisher`): not implemented yet."""

from __future__ import annotations

from .context import Context

IMPLEMENTED = False


def run(ctx: Context) -> None:
    ctx.warn("section fisher is not implemented yet in this version; skipped")
