"""The unfolded convolution `SumGradSquared` against per-sample gradients computed one sample at a time.

Float64, tolerance 1e-12 relative: both sides sum the same products in a different order. Cases cover
Conv1d/2d/3d with stride, dilation, padding, groups, 'same' and 'valid' padding and non-zero padding
modes; chunks of one sample force the chunk loop.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from helpers.cases import seeded_model
from helpers.dense import rel_err
from hessdiag.operators.per_sample import backpack_conv

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # BackPACK's hooks; even 'same' kernels

CONVS = {
    "conv1d_stride": (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), (3, 9)),
    "conv1d_circular_groups": (lambda: nn.Conv1d(4, 6, 3, padding=2, padding_mode="circular", groups=2), (4, 7)),
    "conv2d_dilation": (lambda: nn.Conv2d(2, 3, 3, dilation=2, padding=2), (2, 6, 6)),
    "conv2d_rect": (lambda: nn.Conv2d(2, 3, (2, 3), stride=(1, 2)), (2, 5, 6)),
    "conv2d_groups": (lambda: nn.Conv2d(4, 6, 3, groups=2), (4, 5, 5)),
    "conv2d_depthwise": (lambda: nn.Conv2d(3, 3, 3, groups=3, padding=1), (3, 4, 4)),
    "conv2d_same_even": (lambda: nn.Conv2d(2, 3, 4, padding="same"), (2, 5, 5)),
    "conv2d_valid": (lambda: nn.Conv2d(2, 3, 3, padding="valid"), (2, 5, 5)),
    "conv2d_reflect": (lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (2, 5, 5)),
    "conv2d_replicate_no_bias": (lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate", bias=False),
                                 (2, 5, 5)),
    "conv3d": (lambda: nn.Conv3d(2, 2, 2, padding=1), (2, 3, 3, 3)),
}


@pytest.mark.parametrize("chunk", [1, backpack_conv.CHUNK_ELEMENTS], ids=["chunks_of_one", "default"])
@pytest.mark.parametrize("name", list(CONVS))
def test_sum_of_squared_gradients_matches_single_samples(name, chunk, monkeypatch):
    from backpack import backpack, extend

    build, shape = CONVS[name]
    gen = torch.Generator().manual_seed(len(name))
    with torch.device("meta"):  # the flattened width, without touching any RNG
        width = nn.Sequential(build(), nn.Flatten())(torch.empty(1, *shape)).shape[1]
    model = seeded_model(lambda: nn.Sequential(build(), nn.Tanh(), nn.Flatten(), nn.Linear(width, 3)), gen)
    x = torch.randn(7, *shape, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (7,), generator=gen)

    params = dict(model.named_parameters())

    def loss(p, xn, yn):
        out = functional_call(model, p, (xn[None],))
        return nn.functional.cross_entropy(out, yn[None], reduction="sum")

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))({k: v.detach() for k, v in params.items()}, x, y)
    monkeypatch.setattr(backpack_conv, "CHUNK_ELEMENTS", chunk)
    extended = extend(model)
    with backpack(backpack_conv.sum_grad_squared()):
        nn.functional.cross_entropy(extended(x), y, reduction="sum").backward()
    for key, param in params.items():
        want = per_sample[key].pow(2).sum(0)
        assert rel_err(param.sum_grad_squared, want) < 1e-12, key
