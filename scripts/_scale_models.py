"""Models of 1e4 to 1e7 parameters for `bench_scale.py`: an MLP, a ResNet-18-shaped CNN on 32×32 inputs
and a small transformer encoder, each at four widths, as zero-argument factories (`mlp_1e6`, …) that
`hessdiag run --model scripts._scale_models:NAME` can call; `data(family)` makes their seeded data.
"""

from __future__ import annotations

import torch
from torch import nn

SIZES = ("1e4", "1e5", "1e6", "1e7")
MLP_WIDTH = {"1e4": 70, "1e5": 280, "1e6": 960, "1e7": 3120}
CNN_BASE = {"1e4": 2, "1e5": 6, "1e6": 19, "1e7": 60}  # ResNet-18 is base 64 (11.2M parameters)
TRANSFORMER = {"1e4": (16, 1), "1e5": (48, 2), "1e6": (128, 4), "1e7": (320, 8)}  # (width, layers)
VOCAB, TOKENS, CLASSES = 512, 32, 10


class Block(nn.Module):
    """ResNet's basic block: two 3×3 convolutions with BatchNorm, a projection shortcut when the shape changes."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out)
        self.conv2, self.bn2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity() if stride == 1 and c_in == c_out else nn.Sequential(
            nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 for 32×32 inputs (CIFAR stem: one 3×3 convolution, no max pool), widths base·(1, 2, 4, 8)."""

    def __init__(self, base: int) -> None:
        super().__init__()
        widths = [base, 2 * base, 4 * base, 8 * base]
        self.stem = nn.Sequential(nn.Conv2d(3, base, 3, 1, 1, bias=False), nn.BatchNorm2d(base), nn.ReLU())
        layers, c_in = [], base
        for i, width in enumerate(widths):
            layers += [Block(c_in, width, 1 if i == 0 else 2), Block(width, width, 1)]
            c_in = width
        self.layers = nn.Sequential(*layers)
        self.head = nn.Linear(widths[-1], CLASSES)

    def forward(self, x):
        return self.head(self.layers(self.stem(x)).mean(dim=(2, 3)))


class Encoder(nn.Module):
    """Token embedding + learned positions, pre-norm TransformerEncoderLayers (GELU), mean pool, logits."""

    def __init__(self, width: int, depth: int) -> None:
        super().__init__()
        self.embed, self.position = nn.Embedding(VOCAB, width), nn.Parameter(torch.zeros(TOKENS, width))
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(width, max(1, width // 16), 4 * width, dropout=0.1,
                                                               activation="gelu", batch_first=True, norm_first=True)
                                    for _ in range(depth))
        self.norm, self.head = nn.LayerNorm(width), nn.Linear(width, CLASSES)

    def forward(self, input_ids, attention_mask):
        hidden = self.embed(input_ids) + self.position
        for layer in self.layers:
            hidden = layer(hidden, src_key_padding_mask=attention_mask == 0)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((self.norm(hidden) * mask).sum(1) / mask.sum(1))


def _seeded(build) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return build()


def _mlp(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, CLASSES))


FACTORIES = {}
for _size in SIZES:
    FACTORIES[f"mlp_{_size}"] = (lambda w: lambda: _seeded(lambda: _mlp(w)))(MLP_WIDTH[_size])
    FACTORIES[f"cnn_{_size}"] = (lambda b: lambda: _seeded(lambda: ResNet18(b)))(CNN_BASE[_size])
    FACTORIES[f"transformer_{_size}"] = (lambda c: lambda: _seeded(lambda: Encoder(*c)))(TRANSFORMER[_size])
globals().update(FACTORIES)


def data(family: str, n: int) -> dict:
    """Seeded inputs and labels for a family (10 classes)."""
    g = torch.Generator().manual_seed(1)
    y = torch.randint(0, CLASSES, (n,), generator=g)
    if family == "mlp":
        return {"x": torch.randn(n, 64, generator=g), "y": y}
    if family == "cnn":
        return {"x": torch.randn(n, 3, 32, 32, generator=g), "y": y}
    lengths = torch.randint(TOKENS // 2, TOKENS + 1, (n,), generator=g)
    mask = (torch.arange(TOKENS)[None] < lengths[:, None]).long()
    return {"x": {"input_ids": torch.randint(0, VOCAB, (n, TOKENS), generator=g) * mask, "attention_mask": mask},
            "y": y}
