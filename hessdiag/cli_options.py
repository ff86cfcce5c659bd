"""The command-line options that `run` and `track` share, each declared once (name, type and help)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

Loss = Annotated[Optional[str], typer.Option(help="ce, mse, bce, token_ce or next_token_ce")]
Samples = Annotated[Optional[int], typer.Option(help="seeded random subset of N samples")]
BatchSize = Annotated[Optional[int], typer.Option(help="samples per batch (results do not depend on it)")]
Seed = Annotated[Optional[int], typer.Option(help="seed of every random draw")]
Dtype = Annotated[Optional[str], typer.Option(help="float32, float64 or auto (float64 on CPU)")]
Device = Annotated[Optional[str], typer.Option(help="auto, cpu or cuda")]
TopK = Annotated[Optional[int], typer.Option(help="number of top/bottom eigenvalues")]
Tol = Annotated[Optional[float], typer.Option(help="relative residual tolerance of Lanczos")]
MaxMatvecs = Annotated[Optional[int], typer.Option(help="product budget of each Lanczos run")]
PngDir = Annotated[Optional[str], typer.Option(help="write PNG plots into this directory")]
Quiet = Annotated[bool, typer.Option("--quiet", help="no tables or progress bars")]
