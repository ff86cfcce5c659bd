"""Dense float64 reference matrices built by brute force, independent of hessdiag's operators.

Each works on the whole data at once (no batching) from the model and the raw tensors:
- Hessian: `torch.func.hessian` of R(θ) = mean_n ℓ_n(θ) as a function of the flat θ;
- GGN: explicit per-sample Jacobians J_n (jacrev) and Λ_n = ∇²_f ℓ_n (torch.func.hessian in output
  space), G = (1/N) Σ_n J_nᵀ Λ_n J_n;
- EF and Σ: per-sample gradients from a Python loop of autograd calls, (1/N) Σ g_n g_nᵀ and the
  centred version.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call, hessian, jacrev


def _per_sample_loss(loss: str, out: Tensor, y: Tensor) -> Tensor:
    if loss == "ce":
        return F.cross_entropy(out, y, reduction="none")
    if loss == "mse":
        return 0.5 * ((out - y) ** 2).reshape(out.shape[0], -1).sum(1)
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(out, y, reduction="none").reshape(out.shape[0], -1).sum(1)
    raise ValueError(loss)


class Dense:
    """Reference curvature for a model (its trainable parameters, named order) on data (x, y)."""

    def __init__(self, model: nn.Module, x: Tensor, y: Tensor, loss: str) -> None:
        self.model, self.x, self.y, self.loss = model.eval(), x, y, loss
        self.names = [n for n, p in model.named_parameters() if p.requires_grad]
        params = dict(model.named_parameters())
        self.shapes = [params[n].shape for n in self.names]
        self.theta = torch.cat([params[n].detach().reshape(-1) for n in self.names])

    def unflat(self, flat: Tensor) -> dict[str, Tensor]:
        out, offset = {}, 0
        for n, s in zip(self.names, self.shapes):
            k = s.numel()
            out[n] = flat[offset : offset + k].reshape(s)
            offset += k
        return out

    def outputs(self, flat: Tensor, x: Tensor) -> Tensor:
        return functional_call(self.model, self.unflat(flat), (x,))

    def risk(self, flat: Tensor) -> Tensor:
        return _per_sample_loss(self.loss, self.outputs(flat, self.x), self.y).mean()

    def hessian(self) -> Tensor:
        return hessian(self.risk)(self.theta)

    def gradient(self) -> Tensor:
        return torch.func.grad(self.risk)(self.theta)

    def per_sample_gradients(self) -> Tensor:
        rows = []
        for n in range(self.x.shape[0]):
            theta = self.theta.clone().requires_grad_(True)
            value = _per_sample_loss(self.loss, self.outputs(theta, self.x[n : n + 1]), self.y[n : n + 1]).sum()
            rows.append(torch.autograd.grad(value, theta)[0])
        return torch.stack(rows)

    def ggn(self) -> Tensor:
        total = torch.zeros(self.theta.numel(), self.theta.numel(), dtype=self.theta.dtype)
        for n in range(self.x.shape[0]):
            xn, yn = self.x[n : n + 1], self.y[n : n + 1]
            jac = jacrev(lambda t: self.outputs(t, xn).reshape(-1))(self.theta)  # (C, d)
            out = self.outputs(self.theta, xn).detach().reshape(-1)
            lam = hessian(lambda f: _per_sample_loss(self.loss, f.reshape(1, -1), yn).sum())(out)
            total += jac.T @ lam @ jac
        return total / self.x.shape[0]

    def ggn_diagonal(self) -> Tensor:
        """diag(G) = (1/N) Σ_n diag(J_nᵀ Λ_n J_n) = (1/N) Σ_n Σ_ab Λ_n,ab J_n,a ⊙ J_n,b, with Λ_n itself (no
        factor of it), without forming the d×d matrix (models up to ~10⁴ parameters)."""
        total = torch.zeros(self.theta.numel(), dtype=self.theta.dtype)
        for n in range(self.x.shape[0]):
            xn, yn = self.x[n : n + 1], self.y[n : n + 1]
            jac = jacrev(lambda t: self.outputs(t, xn).reshape(-1))(self.theta)  # (C, d)
            out = self.outputs(self.theta, xn).detach().reshape(-1)
            lam = hessian(lambda f: _per_sample_loss(self.loss, f.reshape(1, -1), yn).sum())(out)
            total += ((lam @ jac) * jac).sum(0)
        return total / self.x.shape[0]

    def empirical_fisher(self) -> Tensor:
        g = self.per_sample_gradients()
        return g.T @ g / g.shape[0]

    def gradient_covariance(self) -> Tensor:
        g = self.per_sample_gradients()
        c = g - g.mean(0)
        return c.T @ c / g.shape[0]


def rel_err(a: Tensor, b: Tensor) -> float:
    return float((a - b).norm() / b.norm().clamp_min(1e-300))
