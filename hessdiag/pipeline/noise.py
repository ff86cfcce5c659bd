"""Section `noise` (SPEC §8 `--only noise`): not implemented yet."""

from __future__ import annotations

from .context import Context

IMPLEMENTED = False


def run(ctx: Context) -> None:
    ctx.warn("section noise is not implemented yet in this version; skipped")
