"""Dense float64 reference matrices built by brute force, independent of hessdiag's operators.

Each works on the whole data at once (no batching) from the model and the raw tensors (inputs a
tensor or a mapping of tensors passed as keyword arguments; a tuple or mapping output gives its first
element or its `logits`). The objective is R(θ) = (1/K) Σ_n ℓ_n(θ) with K = N for ce/mse/bce and K = M,
the labelled tokens, for the token losses (ℓ_n = a sequence's summed token loss, by torch's own
`cross_entropy(ignore_index=…)`):
- Hessian: d reverse passes through the graph of ∇R(θ) (reverse-over-reverse, one row at a time, no
  vmap: torch 2.13's `torch.func.hessian` and `jacrev(jacrev(·))` are wrong — asymmetric,
  by 5–30 % — for an affine LayerNorm whose input depends on θ, a batching-rule error of the layer
  norm's double backward; hessdiag's own products agree with finite differences there);
- GGN: explicit per-sample Jacobians J_n (jacrev) and Λ_n = ∇²_f ℓ_n (torch.func.hessian in output
  space), G = (1/K) Σ_n J_nᵀ Λ_n J_n;
- EF and Σ: per-sample gradients from a Python loop of autograd calls, EF = (1/K) Σ g_n g_nᵀ, and Σ the
  (1/N) covariance of ğ_n = (N/K) g_n, the per-row unbiased estimate of ∇R.
"""

from __future__ import annotations

import contextlib
import functools

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call, hessian, jacrev  # hessian: output space only (C or T·C dims)
from torch.nn.attention import SDPBackend, sdpa_kernel

IGNORE = -100


@contextlib.contextmanager
def math_kernels():
    """Attention by its math kernel and no fused fast paths (torch's own switches): fused kernels have
    no double backward and no forward-mode derivatives."""
    fast = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with sdpa_kernel(SDPBackend.MATH):
            yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fast)
TOKEN_LOSSES = ("token_ce", "next_token_ce")


def pick(out):
    """The output tensor: itself, a mapping's `logits`, or a tuple's first element."""
    if isinstance(out, Tensor):
        return out
    if hasattr(out, "keys"):
        return out["logits"]
    return out[0]


def rows(x, index):
    return {k: v[index] for k, v in x.items()} if isinstance(x, dict) else x[index]


def count(x) -> int:
    return next(iter(x.values())).shape[0] if isinstance(x, dict) else x.shape[0]


def per_sample_loss(loss: str, out: Tensor, y: Tensor) -> Tensor:
    if loss in TOKEN_LOSSES:
        if loss == "next_token_ce":
            out, y = out[:, :-1], y[:, 1:]
        flat = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=IGNORE, reduction="none")
        return flat.reshape(y.shape).sum(1)
    if loss == "ce":
        return F.cross_entropy(out, y, reduction="none")
    if loss == "mse":
        return 0.5 * ((out - y) ** 2).reshape(out.shape[0], -1).sum(1)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(out, y, reduction="none").reshape(out.shape[0], -1).sum(1)
    raise ValueError(loss)


class Dense:
    """Reference curvature for a model (its trainable parameters, named order) on data (x, y)."""

    def __init__(self, model: nn.Module, x, y: Tensor, loss: str) -> None:
        self.model, self.x, self.y, self.loss = model.eval(), x, y, loss
        self.names = [n for n, p in model.named_parameters() if p.requires_grad]
        params = dict(model.named_parameters())
        self.shapes = [params[n].shape for n in self.names]
        self.theta = torch.cat([params[n].detach().reshape(-1) for n in self.names])
        self.n = count(x)
        labels = y[:, 1:] if loss == "next_token_ce" else y
        self.normaliser = int((labels != IGNORE).sum()) if loss in TOKEN_LOSSES else self.n

    def unflat(self, flat: Tensor) -> dict[str, Tensor]:
        out, offset = {}, 0
        for n, s in zip(self.names, self.shapes):
            k = s.numel()
            out[n] = flat[offset : offset + k].reshape(s)
            offset += k
        return out

    def outputs(self, flat: Tensor, x) -> Tensor:
        if isinstance(x, dict):
            return pick(functional_call(self.model, self.unflat(flat), (), x))
        return pick(functional_call(self.model, self.unflat(flat), (x,)))

    def risk(self, flat: Tensor) -> Tensor:
        return per_sample_loss(self.loss, self.outputs(flat, self.x), self.y).sum() / self.normaliser

    @functools.cache  # noqa: B019 - a few references per test module
    def hessian(self) -> Tensor:
        with math_kernels():
            theta = self.theta.clone().requires_grad_(True)
            (gradient,) = torch.autograd.grad(self.risk(theta), theta, create_graph=True)
            unit = torch.eye(theta.numel(), dtype=theta.dtype)
            rows = [torch.autograd.grad(gradient, theta, unit[i], retain_graph=True)[0] for i in range(theta.numel())]
        return torch.stack(rows)

    def gradient(self) -> Tensor:
        with math_kernels():
            return torch.func.grad(self.risk)(self.theta)

    @functools.cache  # noqa: B019
    @math_kernels()
    def per_sample_gradients(self) -> Tensor:
        grads = []
        for n in range(self.n):
            theta = self.theta.clone().requires_grad_(True)
            out = self.outputs(theta, rows(self.x, slice(n, n + 1)))
            value = per_sample_loss(self.loss, out, self.y[n : n + 1]).sum()
            grads.append(torch.autograd.grad(value, theta)[0])
        return torch.stack(grads)

    @functools.cache  # noqa: B019
    @math_kernels()
    def ggn(self) -> Tensor:
        total = torch.zeros(self.theta.numel(), self.theta.numel(), dtype=self.theta.dtype)
        for n in range(self.n):
            xn, yn = rows(self.x, slice(n, n + 1)), self.y[n : n + 1]
            jac = jacrev(lambda t: self.outputs(t, xn).reshape(-1))(self.theta)  # (C, d)
            out = self.outputs(self.theta, xn).detach()
            shape = out.shape
            lam = hessian(lambda f: per_sample_loss(self.loss, f.reshape(shape), yn).sum())(out.reshape(-1))
            total += jac.T @ lam @ jac
        return total / self.normaliser

    def ggn_diagonal(self) -> Tensor:
        """diag(G) = (1/N) Σ_n diag(J_nᵀ Λ_n J_n) = (1/N) Σ_n Σ_ab Λ_n,ab J_n,a ⊙ J_n,b, with Λ_n itself (no
        factor of it), without forming the d×d matrix (models up to ~10⁴ parameters)."""
        total = torch.zeros(self.theta.numel(), dtype=self.theta.dtype)
        for n in range(self.n):
            xn, yn = rows(self.x, slice(n, n + 1)), self.y[n : n + 1]
            jac = jacrev(lambda t: self.outputs(t, xn).reshape(-1))(self.theta)  # (C, d)
            out = self.outputs(self.theta, xn).detach()
            shape = out.shape
            lam = hessian(lambda f: per_sample_loss(self.loss, f.reshape(shape), yn).sum())(out.reshape(-1))
            total += ((lam @ jac) * jac).sum(0)
        return total / self.normaliser

    def empirical_fisher(self) -> Tensor:
        g = self.per_sample_gradients()
        return g.T @ g / self.normaliser

    def gradient_covariance(self) -> Tensor:
        """(1/N) Σ (ğ_n − ∇R)(ğ_n − ∇R)ᵀ with ğ_n = (N/K) g_n."""
        g = self.per_sample_gradients() * (self.n / self.normaliser)
        c = g - g.mean(0)
        return c.T @ c / g.shape[0]


def rel_err(a: Tensor, b: Tensor) -> float:
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def orthonormal_basis(d: int, rows: int, seed: int):
    """A `Basis` of `rows` seeded orthonormal vectors in R^d (float64, CPU) and the d × rows matrix Q of them."""
    from hessdiag.linalg.basis import Basis

    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(d, rows, generator=gen, dtype=torch.float64))
    basis = Basis(d, torch.float64, "cpu")
    basis.append(q.T)
    return basis, q


def vector_layout(*sizes: int):
    """A `ParamLayout` of 1-d tensors t0, t1, … of the given sizes, laid out one after another."""
    from hessdiag.load import ParamBlock, ParamLayout

    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    return ParamLayout(tuple(ParamBlock(f"t{i}", (n,), o, n) for i, (n, o) in enumerate(zip(sizes, offsets))))
