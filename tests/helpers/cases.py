"""Small problems as plain data: (name, model factory, loss, data maker, seed), all in float64.

`CASES` are the original MLP/CNN cases; `LAYER_CASES` cover the layers and forms of issue 13: mapping
inputs (keyword arguments, integer token ids and masks), mapping outputs, the token losses with
ignored positions, Embedding, LayerNorm, GroupNorm, RMSNorm, MultiheadAttention, scaled dot-product
attention, GELU, SiLU, LSTM, GRU and TransformerEncoderLayer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Case:
    name: str
    model: Callable[[torch.Generator], nn.Module]
    loss: str
    data: Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor]]
    seed: int = 0

    def build(self):
        gen = torch.Generator().manual_seed(self.seed)
        model = self.model(gen)
        x, y = self.data(gen)
        return model, x, y

    def __str__(self) -> str:
        return self.name


def _init(model: nn.Module, gen: torch.Generator, scale: float = 0.5) -> nn.Module:
    """Seeded weights in float64 (never the global RNG); BatchNorm gets non-trivial statistics."""
    model = model.to(torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=gen, dtype=torch.float64))
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.copy_(0.3 * torch.randn(m.running_mean.shape, generator=gen, dtype=torch.float64))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen, dtype=torch.float64))
    return model.eval()


def seeded_model(build: Callable[[], nn.Module], gen: torch.Generator, scale: float = 0.5) -> nn.Module:
    """`build()` without touching the global RNG (constructed on the meta device), then seeded weights."""
    with torch.device("meta"):
        model = build()
    return _init(model.to_empty(device="cpu"), gen, scale)


def _meta(build: Callable[[], nn.Module]) -> Callable[[torch.Generator], nn.Module]:
    return lambda gen: seeded_model(build, gen)


def _classes(n: int, shape: tuple[int, ...], classes: int):
    def make(gen):
        x = torch.randn(n, *shape, generator=gen, dtype=torch.float64)
        y = torch.randint(0, classes, (n,), generator=gen)
        return x, y

    return make


def _regression(n: int, d_in: int, d_out: int):
    def make(gen):
        x = torch.randn(n, d_in, generator=gen, dtype=torch.float64)
        y = torch.randn(n, d_out, generator=gen, dtype=torch.float64)
        return x, y

    return make


def _binary(n: int, d_in: int):
    def make(gen):
        x = torch.randn(n, d_in, generator=gen, dtype=torch.float64)
        y = torch.randint(0, 2, (n, 1), generator=gen).to(torch.float64)
        return x, y

    return make



CASES = [
    Case("tanh_mlp_ce", _meta(lambda: nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))),
         "ce", _classes(23, (6,), 3), seed=1),
    Case("mlp_mse_multi", _meta(lambda: nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 3))),
         "mse", _regression(19, 4, 3), seed=2),
    Case("logreg_bce", _meta(lambda: nn.Sequential(nn.Linear(5, 1))), "bce", _binary(25, 5), seed=3),
    Case("cnn_pool_ce", _meta(lambda: nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))),
         "ce", _classes(13, (1, 6, 6), 3), seed=4),
    Case("batchnorm_eval_ce", _meta(lambda: nn.Sequential(
        nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 3))),
         "ce", _classes(17, (5,), 3), seed=5),
]

CASE_IDS = [c.name for c in CASES]


# ---- issue 13: new layers, mapping inputs, token losses ----------------------------------------------

IGNORE = -100


class TokenTagger(nn.Module):
    """Embedding → LayerNorm → GELU → per-token logits; keyword inputs, a mapping output."""

    def __init__(self, vocab: int = 6, dim: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.embed, self.norm, self.act = nn.Embedding(vocab, dim), nn.LayerNorm(dim), nn.GELU()
        self.head = nn.Linear(dim, classes)

    def forward(self, input_ids, attention_mask):
        hidden = self.act(self.norm(self.embed(input_ids))) * attention_mask.unsqueeze(-1)
        return {"logits": self.head(hidden), "hidden": hidden}


class TokenMLP(nn.Module):
    """Linear → tanh → Linear per token (layers BackPACK knows), keyword inputs: BackPACK's own path.
    (BackPACK 1.7's Embedding extension fails in float64 — 'expected scalar type Float' — and falls back.)"""

    def __init__(self, dim: int = 3, hidden: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.inner, self.head = nn.Linear(dim, hidden), nn.Linear(hidden, classes)

    def forward(self, features, attention_mask):
        return self.head(torch.tanh(self.inner(features)) * attention_mask.unsqueeze(-1))


def _token_features(n: int, t: int, dim: int, classes: int):
    def make(gen):
        inputs, labels = _tokens(n, t, 5, classes)(gen)
        features = torch.randn(n, t, dim, generator=gen, dtype=torch.float64)
        return {"features": features, "attention_mask": inputs["attention_mask"]}, labels

    return make


class AttentionPool(nn.Module):
    """nn.MultiheadAttention (self-attention, key padding mask) → mean → logits; returns a tuple."""

    def __init__(self, dim: int = 4, heads: int = 2, classes: int = 3) -> None:
        super().__init__()
        self.attn, self.head = nn.MultiheadAttention(dim, heads, batch_first=True), nn.Linear(dim, classes)

    def forward(self, x, pad):
        hidden, _ = self.attn(x, x, x, key_padding_mask=pad, need_weights=False)
        return (self.head(hidden.mean(1)), hidden)


class SDPAPool(nn.Module):
    """F.scaled_dot_product_attention with a boolean mask → mean → SiLU → logits."""

    def __init__(self, dim: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.qkv, self.head = nn.Linear(dim, 3 * dim), nn.Linear(dim, classes)

    def forward(self, x, keep):
        q, k, v = (t.unsqueeze(1) for t in self.qkv(x).chunk(3, dim=-1))
        hidden = F.scaled_dot_product_attention(q, k, v, attn_mask=keep[:, None, None, :]).squeeze(1)
        return self.head(F.silu(hidden.mean(1)))


class Recurrent(nn.Module):
    """nn.LSTM or nn.GRU (batch first) → last state → logits."""

    def __init__(self, kind: str, dim: int = 3, hidden: int = 3, classes: int = 3) -> None:
        super().__init__()
        self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class TinyEncoder(nn.Module):
    """Embedding → nn.TransformerEncoderLayer (GELU, dropout off in eval, padding mask) → per-token logits."""

    def __init__(self, vocab: int = 5, dim: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layer = nn.TransformerEncoderLayer(dim, 2, 6, dropout=0.1, activation="gelu", batch_first=True)
        self.head = nn.Linear(dim, classes)

    def forward(self, input_ids, attention_mask):
        return self.head(self.layer(self.embed(input_ids), src_key_padding_mask=attention_mask == 0))


def _tokens(n: int, t: int, vocab: int, classes: int, *, shift_labels: bool = False):
    """Token ids, an attention mask with trailing padding, and labels with ignored (−100) positions."""

    def make(gen):
        ids = torch.randint(0, vocab, (n, t), generator=gen)
        lengths = torch.randint(2, t + 1, (n,), generator=gen)
        mask = (torch.arange(t)[None, :] < lengths[:, None]).to(torch.int64)
        labels = ids.clone() if shift_labels else torch.randint(0, classes, (n, t), generator=gen)
        dropped = torch.rand(n, t, generator=gen) < 0.15
        labels = torch.where((mask == 0) | dropped, torch.full_like(labels, IGNORE), labels)
        return {"input_ids": ids, "attention_mask": mask}, labels

    return make


def _sequences(n: int, t: int, dim: int, classes: int, mask: str | None):
    def make(gen):
        x = torch.randn(n, t, dim, generator=gen, dtype=torch.float64)
        y = torch.randint(0, classes, (n,), generator=gen)
        if mask is None:
            return x, y
        lengths = torch.randint(1, t + 1, (n,), generator=gen)
        keep = torch.arange(t)[None, :] < lengths[:, None]
        return {"x": x, ("pad" if mask == "pad" else "keep"): ~keep if mask == "pad" else keep}, y

    return make


LAYER_CASES = [
    Case("layernorm_gelu_ce", _meta(lambda: nn.Sequential(
        nn.Linear(5, 4), nn.LayerNorm(4), nn.GELU(), nn.Linear(4, 3))), "ce", _classes(11, (5,), 3), seed=11),
    Case("groupnorm_silu_ce", _meta(lambda: nn.Sequential(
        nn.Linear(5, 4), nn.GroupNorm(2, 4), nn.SiLU(), nn.Linear(4, 3))), "ce", _classes(11, (5,), 3), seed=12),
    Case("rmsnorm_mse", _meta(lambda: nn.Sequential(
        nn.Linear(5, 4), nn.RMSNorm(4), nn.Tanh(), nn.Linear(4, 2))), "mse", _regression(11, 5, 2), seed=13),
    Case("embedding_tokens", _meta(TokenTagger), "token_ce", _tokens(7, 5, 6, 3), seed=14),
    Case("token_mlp_backpack", _meta(TokenMLP), "token_ce", _token_features(7, 5, 3, 3), seed=21),
    Case("embedding_next_token", _meta(lambda: TokenTagger(vocab=6, classes=6)), "next_token_ce",
         _tokens(7, 5, 6, 6, shift_labels=True), seed=15),
    Case("multihead_attention", _meta(AttentionPool), "ce", _sequences(7, 4, 4, 3, "pad"), seed=16),
    Case("sdpa", _meta(SDPAPool), "ce", _sequences(7, 4, 4, 3, "keep"), seed=17),
    Case("lstm", _meta(lambda: Recurrent("lstm")), "ce", _sequences(7, 4, 3, 3, None), seed=18),
    Case("gru", _meta(lambda: Recurrent("gru")), "ce", _sequences(7, 4, 3, 3, None), seed=19),
    Case("transformer_encoder_layer", _meta(TinyEncoder), "token_ce", _tokens(6, 4, 5, 3), seed=20),
]

LAYER_CASE_IDS = [c.name for c in LAYER_CASES]
