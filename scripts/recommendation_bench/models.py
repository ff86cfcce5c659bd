"""Architectures of the recommendation benchmark, and their seeded initialisation.

Every model is built on the `meta` device (no memory, no random draws), moved to the CPU with
`to_empty`, and initialised from an explicit `torch.Generator` by `init_`; torch's global RNG is
never used. Only plain `torch.nn` layers (Linear, Conv2d, Embedding, LayerNorm, activations) and the
small modules below are used, so hessdiag sees ordinary parameters.

Initialisation (`init_`, scheme "default"): weights and biases of Linear/Conv2d uniform in
±1/√fan_in (PyTorch's default), Embedding N(0, 1), LayerNorm weight 1 and bias 0. Scheme
"lecun": Linear/Conv2d weights N(0, 1/fan_in), biases 0 (the standard choice for deep tanh nets).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn


def init_(model: nn.Module, gen: torch.Generator, scheme: str = "default") -> nn.Module:
    """Initialise every parameter of `model` in place from `gen` (module order, deterministic)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                fan_in = m.weight[0].numel()
                if scheme == "lecun":
                    m.weight.normal_(0.0, 1.0 / math.sqrt(fan_in), generator=gen)
                    if m.bias is not None:
                        m.bias.zero_()
                else:
                    bound = 1.0 / math.sqrt(fan_in)
                    m.weight.uniform_(-bound, bound, generator=gen)
                    if m.bias is not None:
                        m.bias.uniform_(-bound, bound, generator=gen)
            elif isinstance(m, nn.Embedding):
                m.weight.normal_(0.0, 1.0, generator=gen)
            elif isinstance(m, nn.LayerNorm):
                m.weight.fill_(1.0)
                m.bias.zero_()
    return model


def build(arch: Callable[[], nn.Module], seed: int, scheme: str = "default") -> nn.Module:
    """`arch()` built on the meta device, materialised on the CPU and initialised from `seed`."""
    with torch.device("meta"):
        model = arch()
    if list(model.buffers()):
        raise ValueError("benchmark models must not hold buffers (to_empty would leave them unset)")
    model = model.to_empty(device="cpu")
    gen = torch.Generator().manual_seed(seed)
    return init_(model, gen, scheme).eval()


def linear(d_in: int, d_out: int = 1, bias: bool = True) -> nn.Module:
    """A linear model: logistic regression (bce) or least squares (mse)."""
    return nn.Sequential(nn.Linear(d_in, d_out, bias=bias))


def mlp(widths: list[int], act: type[nn.Module] = nn.ReLU) -> nn.Module:
    """Fully connected net with `act` between the layers of widths[0] → … → widths[-1]."""
    layers: list[nn.Module] = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def cnn_8x8(classes: int = 10) -> nn.Module:
    """Two ReLU convolutions with max pooling on 8×8 images (flat inputs of 64), d = 6,090."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(128, classes),
    )


def cnn_gap_8x8(classes: int = 10) -> nn.Module:
    """Two ReLU convolutions, no pooling between them, global average pooling, a linear head, on 8×8 images
    (flat inputs of 64), d = 5,130."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(32, classes),
    )


class SelfAttention(nn.Module):
    """Multi-head softmax self-attention from Linear layers (no mask, all positions)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, h: Tensor) -> Tensor:
        b, t, d = h.shape
        q, k, v = self.qkv(h).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        return self.out((att @ v).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    """Pre-LayerNorm transformer block: h + attn(LN h), then h + MLP(LN h) with a GELU."""

    def __init__(self, dim: int, heads: int, hidden: int):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, h: Tensor) -> Tensor:
        h = h + self.attn(self.ln1(h))
        return h + self.mlp(self.ln2(h))


class TinyTransformer(nn.Module):
    """Token + position embeddings, `depth` blocks, final LayerNorm, mean pool, linear head.

    Input: int64 token ids (N, T). Output: logits (N, classes)."""

    def __init__(self, vocab: int, length: int, dim: int, heads: int, depth: int, classes: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(length, dim)
        self.blocks = nn.Sequential(*[Block(dim, heads, 2 * dim) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: Tensor) -> Tensor:
        positions = torch.arange(x.shape[1], device=x.device)
        h = self.blocks(self.tok(x) + self.pos(positions))
        return self.head(self.ln(h).mean(dim=1))


class BagOfWords(nn.Module):
    """Embedding bag (mean of the token embeddings of a document) and a linear classifier."""

    def __init__(self, vocab: int, dim: int, classes: int):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.emb(x).mean(dim=1))


class LSTMClassifier(nn.Module):
    """Embedding, a hand-written LSTM cell unrolled over the sequence, a linear head on h_T.

    Cell: [i f g o] = W [x_t; h_{t−1}] + b, c_t = σ(f) c_{t−1} + σ(i) tanh(g), h_t = σ(o) tanh(c_t)."""

    def __init__(self, vocab: int, emb: int, hidden: int, classes: int):
        super().__init__()
        self.hidden = hidden
        self.emb = nn.Embedding(vocab, emb)
        self.gates = nn.Linear(emb + hidden, 4 * hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: Tensor) -> Tensor:
        e = self.emb(x)
        h = e.new_zeros(x.shape[0], self.hidden)
        c = e.new_zeros(x.shape[0], self.hidden)
        for t in range(x.shape[1]):
            i, f, g, o = self.gates(torch.cat([e[:, t], h], dim=1)).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return self.head(h)


class MatrixFactorization(nn.Module):
    """Low-rank matrix completion: the entry (i, j) of U Vᵀ/√rank for an input row (i, j) of int64 ids,
    U = `rows` × `rank` and V = `cols` × `rank` embeddings (bilinear; each sample's gradient touches one
    row of each)."""

    def __init__(self, rows: int, cols: int, rank: int):
        super().__init__()
        self.scale = 1.0 / math.sqrt(rank)
        self.u = nn.Embedding(rows, rank)
        self.v = nn.Embedding(cols, rank)

    def forward(self, x: Tensor) -> Tensor:
        return self.scale * (self.u(x[:, 0]) * self.v(x[:, 1])).sum(dim=1, keepdim=True)


def deep_linear(width: int, depth: int, d_out: int = 1) -> nn.Module:
    """A deep linear network: `depth` bias-free Linear layers width → … → width → d_out, no activation (the
    function is linear, the loss in the weights is not)."""
    layers = [nn.Linear(width, width, bias=False) for _ in range(depth - 1)]
    return nn.Sequential(*layers, nn.Linear(width, d_out, bias=False))


class ResidualMLP(nn.Module):
    """An input projection, `blocks` pre-LayerNorm residual blocks x ← x + W₂ relu(W₁ LN(x)), a final LayerNorm
    and a linear head (a transformer's feed-forward path without attention)."""

    def __init__(self, d_in: int, width: int, blocks: int, classes: int):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))
            for _ in range(blocks))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, x: Tensor) -> Tensor:
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.head(self.norm(h))


def conv1d_motif(length: int, classes: int = 2) -> nn.Module:
    """A 1-D CNN on sequences of `length` scalars (flat inputs): two ReLU convolutions (8 and 16 channels, width
    5, as Conv2d with 1×5 kernels on a 1×length image), global max pooling over positions, a linear head."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 1, length)), nn.Conv2d(1, 8, (1, 5), padding=(0, 2)), nn.ReLU(),
        nn.Conv2d(8, 16, (1, 5), padding=(0, 2)), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        nn.Linear(16, classes),
    )


def linear_autoencoder(d: int, k: int) -> nn.Module:
    """x ↦ B A x with A k × d and B d × k, bias-free: a linear autoencoder (its optimum spans the top-k PCA)."""
    return nn.Sequential(nn.Linear(d, k, bias=False), nn.Linear(k, d, bias=False))


def lenet_8x8(classes: int = 10) -> nn.Module:
    """A LeNet-style CNN on 8×8 images (flat inputs of 64): two tanh convolutions with average pooling, a tanh
    hidden layer, a linear head."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 6, 3, padding=1), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 3, padding=1), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
        nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, classes),
    )


class SymmetricSensing(nn.Module):
    """Matrix sensing with a symmetric factor: the measurement ⟨A, U Uᵀ⟩ of a flat n×n input A, U = n × rank
    (Burer–Monteiro)."""

    def __init__(self, n: int, rank: int):
        super().__init__()
        self.n = n
        self.u = nn.Linear(rank, n, bias=False)  # weight = U

    def forward(self, x: Tensor) -> Tensor:
        u = self.u.weight
        return (x.reshape(-1, self.n, self.n) * (u @ u.T)).sum(dim=(1, 2))[:, None]
