"""Token-level cross-entropy: its values, its output-space Hessian Λ, its sampled labels and its checks.

Values are compared with torch's `cross_entropy(ignore_index=…)` and with Hugging Face's own causal-LM
loss (`ForCausalLMLoss`: the mean over the labelled tokens after the shift), Λ with the Hessian of the
sequence loss in output space by `torch.func.hessian`; all float64, to 1e-12 relative (the same
formula evaluated in another order).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from hessdiag.errors import ConfigError, DataError, UnsupportedError
from hessdiag.load import get_loss

N, T, C = 4, 5, 6


def _data(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    out = torch.randn(N, T, C, generator=g, dtype=torch.float64)
    y = torch.randint(0, C, (N, T), generator=g)
    y[0, 3:] = -100
    y[2, 0] = -100
    return out, y


def test_per_sample_losses_sum_the_labelled_tokens():
    out, y = _data()
    loss = get_loss("token_ce")
    want = F.cross_entropy(out.reshape(-1, C), y.reshape(-1), ignore_index=-100, reduction="none").reshape(N, T).sum(1)
    assert torch.allclose(loss.per_sample(out, y), want, rtol=1e-12, atol=0)
    assert loss.normaliser(y) == int((y != -100).sum())


def test_next_token_loss_is_hugging_faces_causal_lm_loss():
    from hessdiag.load.hf import without_torchvision

    with without_torchvision():  # this environment's torchvision cannot be imported beside the CPU torch
        from transformers.loss.loss_utils import ForCausalLMLoss

    out, y = _data(1)
    loss = get_loss("next_token_ce")
    mean = loss.per_sample(out, y).sum() / loss.normaliser(y)
    # transformers casts the logits to float32 before its cross-entropy: agreement to float32 rounding
    assert float(mean) == pytest.approx(float(ForCausalLMLoss(out, y, vocab_size=C)), rel=1e-6)


@pytest.mark.parametrize("name", ["token_ce", "next_token_ce"])
def test_output_hessian_product_is_the_hessian_in_output_space(name):
    out, y = _data(2)
    loss = get_loss(name)
    u = torch.randn(N, T, C, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    got = loss.output_hessian_product(out, y, u)
    for n in range(N):
        h = torch.func.hessian(lambda f: loss.per_sample(f.reshape(1, T, C), y[n : n + 1]).sum())(out[n].reshape(-1))
        assert torch.allclose(got[n].reshape(-1), h @ u[n].reshape(-1), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["token_ce", "next_token_ce"])
def test_sampled_labels_keep_ignored_tokens_ignored(name):
    out, y = _data(3)
    loss = get_loss(name)
    a = loss.sample_targets(out, y, torch.Generator().manual_seed(0))
    b = loss.sample_targets(out, y, torch.Generator().manual_seed(0))
    assert torch.equal(a, b) and a.shape == y.shape and a.dtype == torch.int64
    scored = y[:, 1:] if name == "next_token_ce" else y
    drawn = a[:, 1:] if name == "next_token_ce" else a
    assert torch.equal(drawn == -100, scored == -100)
    assert int(drawn[scored != -100].min()) >= 0 and int(drawn.max()) < C
    assert loss.normaliser(a) == loss.normaliser(y)


def test_targets_are_checked():
    out, y = _data()
    loss = get_loss("token_ce", ignore_index=-1)
    with pytest.raises(DataError, match="labels must lie in 0..5 or equal the ignore index -1"):
        loss.prepare_targets(y, out, torch.float64)
    loss = get_loss("token_ce")
    with pytest.raises(DataError, match=r"outputs of shape \(N, tokens, classes\)"):
        loss.prepare_targets(y, out[:, 0], torch.float64)
    with pytest.raises(DataError, match=r"labels of shape \(N, 5\)"):
        loss.prepare_targets(y[:, :2], out, torch.float64)
    with pytest.raises(DataError, match="integer token labels"):
        loss.prepare_targets(y.double(), out, torch.float64)
    with pytest.raises(DataError, match="every token label equals the ignore index"):
        loss.normaliser(torch.full((2, 3), -100))
    with pytest.raises(UnsupportedError, match="token_ce, next_token_ce"):
        get_loss("token")


@pytest.mark.parametrize("name", ["ce", "mse", "bce"])
def test_an_ignore_index_with_a_loss_that_has_none_is_refused(name):
    """PyTorch's cross-entropy takes an ignore_index too: silently unused, the objective would not be the one
    the user meant."""
    get_loss(name)  # the default is no choice
    with pytest.raises(ConfigError, match="applies to the token losses"):
        get_loss(name, ignore_index=0)
    assert get_loss("token_ce", ignore_index=0).ignore_index == 0
