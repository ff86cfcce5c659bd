"""The supported losses: negative log-likelihoods of exponential families (SPEC §1–2).

Each loss gives the per-sample loss ℓ_n = −log p(y_n | f_n), the product of its Hessian with respect
to the model output Λ_n = ∇²_f ℓ_n with a vector (for the GGN), a sample ŷ ∼ p(y | f_n) (for the
Monte-Carlo Fisher), checks that targets fit it, and the count the objective averages over
(`normaliser`: N samples here, the labelled tokens for the token losses of `token_losses`), so that
every row carries the weight w_n = 1/normaliser and R(θ) = Σ_n w_n ℓ_n. The list is explicit:
anything else is refused.

| name | ℓ_n | Λ_n |
|---|---|---|
| `ce`  | −log softmax(f)_y (categorical)                    | diag(p) − ppᵀ, p = softmax(f) |
| `mse` | ½‖f − y‖² summed over outputs (Gaussian, unit var) | I                              |
| `bce` | Σ_outputs BCE-with-logits(f, y) (Bernoulli)        | diag(σ(f)(1 − σ(f)))           |
| `token_ce`, `next_token_ce` | Σ_t over labelled tokens of −log softmax(f_t)_{y_t} | per token, as `ce` |
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import ConfigError, DataError, UnsupportedError


class Loss(ABC):
    """A negative log-likelihood loss with per-sample values and output-space curvature."""

    name: str

    @abstractmethod
    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        """ℓ_n for each row: shape (b,)."""

    @abstractmethod
    def output_hessian_product(self, out: Tensor, y: Tensor, u: Tensor) -> Tensor:
        """Λ_n u_n for each row, Λ_n = ∇²_f ℓ_n at the outputs `out` (same shape as `out`); the targets
        `y` matter only where they mask outputs out of the loss (ignored tokens)."""

    @abstractmethod
    def sample_targets(self, out: Tensor, y: Tensor, generator: torch.Generator) -> Tensor:
        """ŷ_n ∼ p(y | f_n), drawn with the given generator (same form as the real targets `y`)."""

    @abstractmethod
    def prepare_targets(self, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
        """Check targets against the model outputs of the same rows and return them in loss form."""

    def padding_target(self) -> int:
        """The target of a position added to pad a row to a longer one (sequences of a DataLoader that pads
        each batch to its own length): one the loss leaves out where it can (the token losses' ignore
        index), else a valid label (0); padded positions are dropped again before any use."""
        return 0

    def normaliser(self, y: Tensor) -> int:
        """The count R averages over: the number of samples N (rows of `y`), so that w_n = 1/N."""
        return int(y.shape[0])

    #: what one sample is, in the report's words (the noise and fisher sections' per-sample quantities)
    sample_meaning = "a row of the data; R(θ) is the mean of the per-sample losses, w_n = 1/N"

    def describe(self) -> str:
        return self.name


def softmax_hessian_product(out: Tensor, u: Tensor) -> Tensor:
    """(diag(p) − ppᵀ) u along the last dimension, p = softmax(out): the Hessian of −log softmax(f)_y."""
    p = torch.softmax(out, dim=-1)
    return p * u - p * (p * u).sum(dim=-1, keepdim=True)


def sample_classes(out: Tensor, generator: torch.Generator) -> Tensor:
    """One class per row of logits (…, C), drawn from softmax(out) with `generator` (on the CPU, float64)."""
    p = torch.softmax(out.detach(), dim=-1).to(torch.float64).cpu()
    drawn = torch.multinomial(p.reshape(-1, p.shape[-1]), 1, generator=generator)
    return drawn.reshape(p.shape[:-1]).to(out.device)


class CrossEntropy(Loss):
    """Categorical negative log-likelihood on logits f ∈ R^C: ℓ = −log softmax(f)_y."""

    name = "ce"

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        return F.cross_entropy(out, y, reduction="none")

    def output_hessian_product(self, out: Tensor, y: Tensor, u: Tensor) -> Tensor:
        return softmax_hessian_product(out, u)

    def sample_targets(self, out: Tensor, y: Tensor, generator: torch.Generator) -> Tensor:
        return sample_classes(out, generator)

    def prepare_targets(self, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
        if out.ndim != 2:
            raise DataError(f"loss 'ce' needs model outputs of shape (N, classes); got {tuple(out.shape)}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError(f"loss 'ce' needs class labels of shape (N,); got {tuple(y.shape)}")
        if y.is_floating_point():
            if not torch.all(torch.isfinite(y)) or not torch.equal(y, torch.round(y)):
                raise DataError("loss 'ce' needs integer class labels; the labels hold non-integers")
        n_classes = out.shape[1]
        y = y.to(torch.int64)
        if y.numel() and (int(y.min()) < 0 or int(y.max()) >= n_classes):
            raise DataError(
                f"class labels must lie in 0..{n_classes - 1} for a model with {n_classes} outputs; "
                f"found labels from {int(y.min())} to {int(y.max())}"
            )
        return y


class MeanSquaredError(Loss):
    """Gaussian negative log-likelihood with unit variance: ℓ = ½‖f − y‖² summed over outputs."""

    name = "mse"

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        return 0.5 * (out - y).pow(2).reshape(out.shape[0], -1).sum(dim=1)

    def output_hessian_product(self, out: Tensor, y: Tensor, u: Tensor) -> Tensor:
        return u

    def sample_targets(self, out: Tensor, y: Tensor, generator: torch.Generator) -> Tensor:
        noise = torch.randn(out.shape, generator=generator, dtype=torch.float64)
        return out.detach() + noise.to(device=out.device, dtype=out.dtype)

    def prepare_targets(self, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
        return _same_shape_targets(self.name, y, out, dtype)


class BinaryCrossEntropy(Loss):
    """Bernoulli negative log-likelihood on logits, summed over outputs: ℓ = Σ_k BCE(f_k, y_k)."""

    name = "bce"

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        losses = F.binary_cross_entropy_with_logits(out, y, reduction="none")
        return losses.reshape(out.shape[0], -1).sum(dim=1)

    def output_hessian_product(self, out: Tensor, y: Tensor, u: Tensor) -> Tensor:
        s = torch.sigmoid(out)
        return s * (1 - s) * u

    def sample_targets(self, out: Tensor, y: Tensor, generator: torch.Generator) -> Tensor:
        p = torch.sigmoid(out.detach()).to(torch.float64).cpu()
        return torch.bernoulli(p, generator=generator).to(device=out.device, dtype=out.dtype)

    def prepare_targets(self, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
        y = _same_shape_targets(self.name, y, out, dtype)
        if y.numel() and (float(y.min()) < 0 or float(y.max()) > 1):
            raise DataError(
                f"loss 'bce' needs targets in [0, 1]; found values from {float(y.min()):g} "
                f"to {float(y.max()):g}"
            )
        return y


def _same_shape_targets(name: str, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
    """Targets with the shape of the outputs; a (N,) vector is accepted for outputs (N, 1)."""
    if y.ndim == 1 and out.ndim == 2 and out.shape[1] == 1:
        y = y[:, None]
    if tuple(y.shape[1:]) != tuple(out.shape[1:]):
        raise DataError(
            f"loss '{name}' needs targets shaped like the model outputs {tuple(out.shape[1:])} per "
            f"sample; got {tuple(y.shape[1:])}"
        )
    return y.to(dtype)


LOSSES: dict[str, type[Loss]] = {
    "ce": CrossEntropy,
    "mse": MeanSquaredError,
    "bce": BinaryCrossEntropy,
}


DEFAULT_IGNORE_INDEX = -100  # the token losses' label of tokens left out unless --ignore-index says otherwise


def get_loss(name: str, ignore_index: int = DEFAULT_IGNORE_INDEX) -> Loss:
    """The loss called `name` (`ignore_index`: the label of tokens the token losses leave out);
    anything outside `LOSSES` and the token losses is refused."""
    from .token_losses import TOKEN_LOSSES

    key = str(name).strip().lower()
    if key in TOKEN_LOSSES:
        return TOKEN_LOSSES[key](ignore_index)
    if key not in LOSSES:
        names = ", ".join([*LOSSES, *TOKEN_LOSSES])
        raise UnsupportedError(f"unknown loss '{name}'; supported losses: {names}")
    if ignore_index != DEFAULT_IGNORE_INDEX:  # PyTorch's cross-entropy has one: silently unused, R would differ
        raise ConfigError(f"--ignore-index {ignore_index} applies to the token losses ({', '.join(TOKEN_LOSSES)}); "
                          f"loss '{key}' uses every sample's target")
    return LOSSES[key]()


def loss_names() -> list[str]:
    """Every loss name `get_loss` accepts."""
    from .token_losses import TOKEN_LOSSES

    return [*LOSSES, *TOKEN_LOSSES]
