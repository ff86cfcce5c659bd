"""Token-level cross-entropy for sequence outputs (N, T, C) with labels (N, T) (SPEC §1).

A sample is one **sequence** (one row of the data). Its loss is the sum of its token losses over the
labelled tokens, ℓ_n = Σ_t m_nt · (−log softmax(f_nt)_{y_nt}) with m_nt = [y_nt ≠ ignore_index], and
the objective is the mean over all M = Σ_nt m_nt labelled tokens of the selection, as Hugging Face
computes it: R(θ) = (1/M) Σ_n ℓ_n. So every sequence carries the weight w_n = 1/M (not 1/N), and every
curvature matrix follows from that one objective:
- H = ∇²R; the GGN Σ_n w_n J_nᵀ Λ_n J_n with Λ_n block-diagonal over tokens, Λ_nt = m_nt (diag(p_nt) −
  p_nt p_ntᵀ); the Fisher equals it, since the labelled tokens of a sequence are independent
  categorical variables given the outputs (E_ŷ[ĝ_n ĝ_nᵀ] = J_nᵀ Λ_n J_n);
- EF = Σ_n w_n g_n g_nᵀ and F_mc = Σ_n w_n ĝ_n ĝ_nᵀ with g_n = ∇ℓ_n the gradient of a sequence's
  summed token loss (ĝ_n at tokens sampled from the model, ignored tokens kept ignored), so that
  E[EF] = F for a well-specified model, as for the other losses;
- the noise statistics treat sequences as the samples drawn: see `Problem.sample_scale`.

`token_ce` scores the output at position t against the label at t (token classification, masked
language modelling). `next_token_ce` is the causal language-modelling loss: the output at t predicts
the label at t + 1 (labels shifted inside the loss, as Hugging Face's `ForCausalLMLoss` does), so the
labels are usually the input ids with padding set to the ignore index.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import DataError
from .losses import DEFAULT_IGNORE_INDEX, Loss, sample_classes, softmax_hessian_product


class TokenCrossEntropy(Loss):
    """ℓ_n = Σ_t m_nt (−log softmax(f_nt)_{y_nt}); R = (1/M) Σ_n ℓ_n over the M labelled tokens."""

    name = "token_ce"
    shift = 0  # next_token_ce: outputs at t against labels at t + 1
    sample_meaning = ("a sequence (a row of the data); its loss is the sum of its labelled token losses and "
                      "R(θ) is the mean over all labelled tokens, w_n = 1/M")

    def __init__(self, ignore_index: int = DEFAULT_IGNORE_INDEX) -> None:
        self.ignore_index = int(ignore_index)

    def _aligned(self, out: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Outputs and labels that score each other: (…, T−s, C) and (…, T−s) for a shift s."""
        if self.shift:
            return out[..., : -self.shift, :], y[..., self.shift :]
        return out, y

    def _mask(self, y: Tensor) -> Tensor:
        return y != self.ignore_index

    def padding_target(self) -> int:
        return self.ignore_index

    def per_sample(self, out: Tensor, y: Tensor) -> Tensor:
        logits, labels = self._aligned(out, y)
        mask = self._mask(labels)
        safe = torch.where(mask, labels, torch.zeros_like(labels))
        nll = -F.log_softmax(logits, dim=-1).gather(-1, safe.unsqueeze(-1)).squeeze(-1)
        return (nll * mask.to(nll.dtype)).sum(dim=-1)

    def output_hessian_product(self, out: Tensor, y: Tensor, u: Tensor) -> Tensor:
        logits, labels = self._aligned(out, y)
        lam_u = softmax_hessian_product(logits, u[..., : logits.shape[-2], :])
        lam_u = lam_u * self._mask(labels).unsqueeze(-1).to(lam_u.dtype)
        if self.shift:  # the last positions score no label: no curvature there
            lam_u = torch.cat([lam_u, torch.zeros_like(u[..., logits.shape[-2]:, :])], dim=-2)
        return lam_u

    def sample_targets(self, out: Tensor, y: Tensor, generator: torch.Generator) -> Tensor:
        logits, labels = self._aligned(out, y)
        drawn = torch.where(self._mask(labels), sample_classes(logits, generator), labels)
        if self.shift:
            drawn = torch.cat([y[..., : self.shift], drawn], dim=-1)
        return drawn

    def prepare_targets(self, y: Tensor, out: Tensor, dtype: torch.dtype) -> Tensor:
        if out.ndim != 3:
            raise DataError(f"loss '{self.name}' needs model outputs of shape (N, tokens, classes); "
                            f"got {tuple(out.shape)}")
        if y.ndim != 2 or y.shape[1] != out.shape[1]:
            raise DataError(f"loss '{self.name}' needs labels of shape (N, {out.shape[1]}) (one per output "
                            f"position); got {tuple(y.shape)}")
        if y.is_floating_point() or y.dtype == torch.bool:
            raise DataError(f"loss '{self.name}' needs integer token labels; got {str(y.dtype).removeprefix('torch.')}")
        y = y.to(torch.int64)
        labels = y[:, self.shift :]
        real = labels[self._mask(labels)]
        classes = out.shape[-1]
        if real.numel() and (int(real.min()) < 0 or int(real.max()) >= classes):
            raise DataError(f"token labels must lie in 0..{classes - 1} or equal the ignore index "
                            f"{self.ignore_index}; found labels from {int(real.min())} to {int(real.max())}")
        return y

    def normaliser(self, y: Tensor) -> int:
        """M, the number of labelled tokens of the selection (those that score a label)."""
        count = int(self._mask(y[:, self.shift :]).sum())
        if count == 0:
            raise DataError(f"loss '{self.name}': every token label equals the ignore index "
                            f"{self.ignore_index}; nothing to measure")
        return count

    def describe(self) -> str:
        return f"{self.name} (ignore_index {self.ignore_index})"


class NextTokenCrossEntropy(TokenCrossEntropy):
    """Causal language modelling: the output at position t scores the label at t + 1."""

    name = "next_token_ce"
    shift = 1


TOKEN_LOSSES: dict[str, type[TokenCrossEntropy]] = {
    TokenCrossEntropy.name: TokenCrossEntropy,
    NextTokenCrossEntropy.name: NextTokenCrossEntropy,
}
