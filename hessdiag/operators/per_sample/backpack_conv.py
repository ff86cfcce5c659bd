"""Σ_n g_n² for convolution weights from the unfolded input, as a BackPACK module extension.

For a convolution y_n = W ⋆ x_n the per-sample weight gradient is G_n = δ_n U_nᵀ, with U_n the
unfolded input (C_in·k × P patches) and δ_n = ∂ℓ_n/∂y_n flattened to C_out × P. `SumGradSquared`
needs Σ_n G_n² (elementwise). BackPACK 1.7 forms all G_n at once with a grouped convolution over
repeated copies of the input and the output gradient; on a CPU that costs several times the
gradient pass (a 53k-parameter CNN on 1797 digits: about 0.33 s against 0.08 s). Here G_n comes
from one batched matrix product per chunk of samples, squared and summed before the next chunk, so
at most `CHUNK_ELEMENTS` numbers of per-sample gradients exist at once.

Covers Conv1d/2d/3d with any stride, dilation, groups, padding ('same' and 'valid' included) and
padding mode: the input is padded explicitly as the layer pads it (`_reversed_padding_repeated_twice`),
then unfolded without padding. (BackPACK 1.7's own conv extensions fail on 'same' padding and give
wrong values for reflect padding, so `backpack_unsupported_reason` sends such models to torch.func;
this extension would handle them.) The path's first-use check against single-row gradients covers
this extension like any other.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

CHUNK_ELEMENTS = 1 << 22  # per-sample gradient numbers formed at once (16 MiB in float32)


def unfolded_input(module: nn.Module, x: Tensor) -> Tensor:
    """The patches the layer multiplies its kernel with: (n, C_in·Πk, P), padding applied as the layer does."""
    mode = "constant" if module.padding_mode == "zeros" else module.padding_mode
    x = F.pad(x, module._reversed_padding_repeated_twice, mode=mode)
    if x.dim() == 4:
        return F.unfold(x, module.kernel_size, dilation=module.dilation, stride=module.stride)
    from unfoldNd import unfoldNd

    return unfoldNd(x, module.kernel_size, dilation=module.dilation, stride=module.stride)


def sum_of_squared_weight_gradients(unfolded: Tensor, output_grad: Tensor, groups: int) -> Tensor:
    """Σ_n (δ_n U_nᵀ)² per group, for U (n, C_in·Πk, P) and δ (n, C_out, P): shape (C_out, C_in/groups·Πk)."""
    n, c_out, patches = output_grad.shape
    rows, cols = c_out // groups, unfolded.shape[1] // groups
    dy = output_grad.reshape(n * groups, rows, patches)
    u = unfolded.reshape(n * groups, cols, patches)
    chunk = groups * max(1, CHUNK_ELEMENTS // max(1, c_out * cols))
    total = torch.zeros(groups, rows, cols, dtype=output_grad.dtype, device=output_grad.device)
    for start in range(0, n * groups, chunk):
        per_sample = torch.bmm(dy[start:start + chunk], u[start:start + chunk].transpose(1, 2))
        total += per_sample.square_().reshape(-1, groups, rows, cols).sum(0)
    return total.reshape(c_out, cols)


def _make_extension():
    from backpack.extensions.firstorder.base import FirstOrderModuleExtension

    class UnfoldedConvSumGradSquared(FirstOrderModuleExtension):
        """`SumGradSquared` for convolutions: chunked unfolded products (weight), Σ_P δ (bias)."""

        def __init__(self) -> None:
            super().__init__(params=["bias", "weight"])

        def weight(self, ext, module, g_inp, g_out, backproped) -> Tensor:
            output_grad = g_out[0].flatten(2)
            unfolded = unfolded_input(module, module.input0)
            return sum_of_squared_weight_gradients(unfolded, output_grad, module.groups).reshape(module.weight.shape)

        def bias(self, ext, module, g_inp, g_out, backproped) -> Tensor:
            return g_out[0].flatten(2).sum(2).square().sum(0)

    return UnfoldedConvSumGradSquared()


def sum_grad_squared():
    """BackPACK's `SumGradSquared` with the unfolded extension for Conv1d, Conv2d and Conv3d."""
    from backpack.extensions import SumGradSquared

    extension = SumGradSquared()
    conv = _make_extension()
    for layer in (nn.Conv1d, nn.Conv2d, nn.Conv3d):
        extension.set_module_extension(layer, conv, overwrite=True)
    return extension
