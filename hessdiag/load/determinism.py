"""Is the data pass a function of θ? Loss and gradient twice on the first batch, compared bit for bit.

The curvature of R(θ) (SPEC §1) exists only if R is a function: two evaluations at the same θ on the
same data must agree. A forward that draws random numbers — `torch.randn` or `torch.rand_like` in
`forward`, `F.dropout(x, training=True)` or a dropout layer kept in train mode inside a custom layer —
gives another function at every call; Hessian-vector products and Lanczos on it measure noise. As in
curvlinops (its linear operators check that two data passes agree), the loss R_B(θ) = Σ_n w_n ℓ_n(θ)
of the first batch and its gradient ∇R_B(θ) are computed twice and must be equal to the last bit.

On the CPU, torch's kernels are deterministic, so any difference is the model's randomness. On CUDA
some kernels (atomic adds in scatter/index backward passes) are not bitwise reproducible; there a
difference no larger than `CUDA_ROUNDING` times the dtype's epsilon (relative to the largest
magnitude) is rounding, reported as a warning, and anything larger is refused. The global RNG is
restored afterwards, so the check changes nothing a later computation draws.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..errors import HessdiagError, ModelError, first_line
from .problem import Problem

CUDA_ROUNDING = 1024  # in units of the dtype's epsilon, relative: nondeterministic CUDA summation orders


def _pass(problem: Problem) -> tuple[Tensor, Tensor]:
    """(R_B(θ), ∇R_B(θ) flattened) on the first batch, unused parameters' gradients as zeros."""
    params = {name: tensor.detach().requires_grad_(True) for name, tensor in problem.params.items()}
    loss = problem.batch_loss(params, problem.batches[0])
    if not loss.requires_grad:
        raise ModelError(f"the loss of '{problem.model_description}' does not depend on its trainable weights "
                         "(a detach(), torch.no_grad() or .data in the forward?); there is no curvature to measure")
    grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    flat = [g if g is not None else torch.zeros_like(p) for g, p in zip(grads, params.values())]
    return loss.detach(), problem.layout.flatten(tuple(flat)).detach()


def _differ(a: Tensor, b: Tensor) -> float:
    """0 when bitwise equal (NaN where NaN); else the largest |a − b| relative to max|a| (inf if NaNs differ)."""
    nan_a, nan_b = torch.isnan(a), torch.isnan(b)
    if not torch.equal(nan_a, nan_b):
        return float("inf")
    a, b = a.masked_fill(nan_a, 0), b.masked_fill(nan_b, 0)
    if torch.equal(a, b):
        return 0.0
    scale = float(a.abs().max())
    return float((a - b).abs().max()) / scale if scale > 0 else float("inf")


def fork_rng(device: torch.device):
    """Restore the global RNG (CPU, and `device`'s if CUDA) after a block that may run the user's forward."""
    if device.type == "cuda":
        return torch.random.fork_rng(devices=[device.index or 0])
    return torch.random.fork_rng(devices=[])


def check_deterministic(problem: Problem) -> str | None:
    """Refuse a random data pass (`ModelError`); a warning (str) for CUDA rounding; None when bitwise equal."""
    if not problem.batches:
        return None
    try:
        # both passes draw in turn; the global RNG is restored after; gradients whatever the caller's
        # grad mode (a training loop's callback may run under torch.no_grad())
        with fork_rng(problem.device), torch.enable_grad():
            first, second = _pass(problem), _pass(problem)
    except HessdiagError:
        raise
    except Exception as exc:  # the backward of the user's forward (a detached output, a custom Function)
        raise ModelError(f"the gradient of the loss of '{problem.model_description}' cannot be computed: "
                         f"{type(exc).__name__}: {first_line(exc)}") from None
    loss_gap, grad_gap = _differ(first[0], second[0]), _differ(first[1], second[1])
    if loss_gap == 0.0 and grad_gap == 0.0:
        return None
    bound = CUDA_ROUNDING * torch.finfo(problem.dtype).eps
    if problem.device.type == "cuda" and max(loss_gap, grad_gap) <= bound:
        return (f"two data passes on the first batch differ by rounding (relative {max(loss_gap, grad_gap):.1e}; "
                "nondeterministic CUDA kernels); curvature figures carry that noise")
    raise ModelError(
        f"the model '{problem.model_description}' is random: two passes over the first batch at the same weights "
        f"differ (loss relative {loss_gap:.1e}, gradient relative {grad_gap:.1e}); a forward that draws random "
        "numbers (torch.randn, F.dropout(training=True), dropout kept in train mode in a custom layer) has no "
        "curvature to measure — make the forward deterministic in eval mode"
    )
