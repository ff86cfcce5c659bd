"""The command-line options, each declared once (name, type and help): those `run` and `track` share, then
`run`'s own, and how `run`'s options become `make_settings` keywords (`settings_keywords`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

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

# `run`'s own
ConfigFile = Annotated[Optional[Path], typer.Argument(help="TOML config (flags override it)", show_default=False)]
Model = Annotated[Optional[str], typer.Option(
    help="module:factory, TorchScript archive, .pt2 program or hf:DIR (a local Hugging Face model)")]
Checkpoint = Annotated[Optional[str], typer.Option(
    help="state dict (plain, nested, prefixed), Lightning .ckpt, .safetensors or a sharded directory")]
Data = Annotated[Optional[str], typer.Option(
    help="torch/npz file with x and y, sklearn:NAME or module:factory (Dataset, DataLoader, (x, y))")]
IgnoreIndex = Annotated[Optional[int], typer.Option(
    help="label of the tokens token_ce/next_token_ce leave out (default -100)")]
Output = Annotated[Optional[str], typer.Option(
    help="key (or tuple index) of the model's output tensor (default: logits, or the only tensor)")]
HfTask = Annotated[Optional[str], typer.Option(
    help="with --model hf:DIR: sequence-classification, token-classification, causal-lm, masked-lm or "
         "image-classification (default: from the config)")]
Budget = Annotated[Optional[float], typer.Option(
    help="seconds the run may take: fewer probes, sampled columns, no dense paths beyond it")]
Memory = Annotated[Optional[float], typer.Option(
    help="GB of memory the run may hold (default: 80% of the available RAM, 90% of free GPU memory): "
         "Lanczos bases thick-restart, probes run in blocks, a run that cannot fit stops before the work")]
Hvp = Annotated[Optional[str], typer.Option(help="Hessian products: auto, retained, fwd-rev or linearized")]
TraceMethod = Annotated[Optional[str], typer.Option(help="trace estimator: hutch++ or hutchinson")]
TraceRtol = Annotated[Optional[float], typer.Option(
    help="stop the trace at stderr ≤ this × |trace| (0: only an exact 0 stops it before --trace-matvecs)")]
TraceMatvecs = Annotated[Optional[int], typer.Option(help="product budget of the trace estimator")]
SlqProbes = Annotated[Optional[int], typer.Option(help="Rademacher probes of the spectral density (SLQ)")]
SlqSteps = Annotated[Optional[int], typer.Option(help="Lanczos steps per SLQ probe")]
ExactMaxD = Annotated[Optional[int], typer.Option(
    help="up to this d, the dense Hessian (d products) gives exact trace, density, λ̄, ρ_diag and "
         "column bounds on L∞")]
PerSample = Annotated[Optional[str], typer.Option(help="per-sample gradients: auto, backpack or func")]
Lr = Annotated[Optional[float], typer.Option(help="learning rate for the CABS batch size")]
Damping = Annotated[Optional[float], typer.Option(help="damping λ of (F+λI)⁻¹∇R (default 1e-3·λ_max(F))")]
RaceSteps = Annotated[Optional[int], typer.Option(help="mini-batch steps of the tuned race (0: off)")]
Only = Annotated[Optional[str], typer.Option(help="comma list of the sections to compute (default: all of them)")]
JsonReport = Annotated[Optional[str], typer.Option("--json", help="write the JSON report here")]
HtmlReport = Annotated[Optional[str], typer.Option(help="write the HTML report here")]
FailIf = Annotated[Optional[list[str]], typer.Option(help="'PATH OP NUMBER': exit 3 when it holds")]
TrustPickle = Annotated[bool, typer.Option("--trust-pickle", help="allow full unpickling of trusted files")]
DistBackend = Annotated[Optional[str], typer.Option(
    help="under torchrun: auto (NCCL on CUDA, gloo on CPU), gloo or nccl")]
AllowTf32 = Annotated[bool, typer.Option("--allow-tf32", help="on CUDA: TF32 matrix products (off by default)")]
# options whose "not given" (False, an empty list) must reach make_settings as None, so that a config's value stands
_UNSET_WHEN_FALSY = ("fail_if", "trust_pickle", "quiet", "allow_tf32")


def settings_keywords(options: dict[str, Any]) -> dict[str, Any]:
    """`run`'s options (by parameter name, without the config) as `make_settings` keywords: `json_path` is
    `json`, and a flag left off or an empty --fail-if is None (unset)."""
    keywords = {name: value for name, value in options.items() if name != "json_path"}
    keywords["json"] = options["json_path"]
    for name in _UNSET_WHEN_FALSY:
        keywords[name] = keywords[name] or None
    return keywords
