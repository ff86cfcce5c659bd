"""0-d and single-element parameters (issue 17, item 3): a learned scalar (temperature, scale) in every
section, against dense float64 truth.

Two models: an MLP whose logits are multiplied by a learned 0-d temperature registered *before* the
layers (so its block sits at offset 0 and shifts every other block), with a 0-d shift inside the
hidden layer (a 0-d block in the middle); and a model whose only parameter is a 0-d scalar (d = 1).
A copy of each with the scalars stored as shape (1,) tensors must give the same report: the layout
of θ must not depend on how a tensor of one element is shaped.

Tolerances: eigenvalues, traces, ρ_diag (whole and per tensor), tr Σ and ‖∇R‖² compare sums of
float64 products computed two ways (Hessian–vector products vs torch.func's dense Hessian): 1e-9
relative, as in tests/sections/test_geometry.py (REL 1e-10 for bounds; rounding here is ~1e-15·d).
L∞ is exact by enumeration at d ≤ 20 and is compared with a brute-force maximum over all sign vectors.
The 0-d and (1,) runs evaluate the same arithmetic in the same order: equal to 1e-12.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from helpers.cases import Case, _classes, seeded_model
from helpers.dense import Dense
from hessdiag import api as hessdiag
from hessdiag.load.problem import ParamLayout

REL = 1e-9


class TemperatureMLP(nn.Module):
    def __init__(self, shape: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.temperature = nn.Parameter(torch.ones(shape))  # registered first: offset 0 in θ
        self.hidden = nn.Linear(3, 2)
        self.shift = nn.Parameter(torch.zeros(shape))  # a scalar block in the middle of θ
        self.out = nn.Linear(2, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x) + self.shift)) * self.temperature


class OnlyScalar(nn.Module):
    def __init__(self, shape: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(shape))

    def forward(self, x):
        return torch.tanh(x[:, :3]) * self.scale


def _case(name, build, seed):
    return Case(name, lambda gen: seeded_model(build, gen, scale=0.8), "ce", _classes(15, (3,), 3), seed=seed)


CASES = [_case("temperature_mlp", TemperatureMLP, 31), _case("only_scalar", OnlyScalar, 32)]
ONE_ELEMENT = {"temperature_mlp": lambda: TemperatureMLP((1,)), "only_scalar": lambda: OnlyScalar((1,))}


def _brute_force_linf(h: np.ndarray) -> float:
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=h.shape[0])))
    return float(np.abs(signs @ h).sum(axis=1).max())


def test_layout_round_trips_0d_blocks():
    params = {"t": torch.tensor(2.0, dtype=torch.float64), "w": torch.arange(6.0, dtype=torch.float64).reshape(2, 3),
              "s": torch.tensor(-1.0, dtype=torch.float64)}
    layout = ParamLayout.from_params(params)
    assert layout.d == 8 and [b.offset for b in layout.blocks] == [0, 1, 7] and layout.blocks[0].shape == ()
    flat = layout.flatten(params)
    assert flat.tolist() == [2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, -1.0]
    back = layout.unflatten(flat)
    assert back["t"].shape == () and back["s"].shape == () and all(torch.equal(back[k], params[k]) for k in params)
    stacked = torch.stack([flat, 2 * flat])  # (k, d): the form Lanczos blocks and per-sample rows take
    views = layout.unflatten(stacked)
    assert views["t"].shape == (2,) and views["w"].shape == (2, 2, 3) and views["s"].tolist() == [-1.0, -2.0]
    assert torch.equal(layout.flatten(views, batch_dims=1), stacked)


@pytest.mark.parametrize("per_sample", ["func", "backpack"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_section_against_dense(case, per_sample):
    model, x, y = case.build()
    dense = Dense(model, x, y, case.loss)
    h = dense.hessian().numpy()
    g = dense.gradient().numpy()
    rows = dense.per_sample_gradients().numpy()
    d = h.shape[0]
    assert d <= 20
    report = hessdiag.diagnose(model, (x, y), case.loss, top_k=2, tol=1e-10, per_sample=per_sample, race_steps=2)
    doc = report.to_dict()
    eig = np.linalg.eigvalsh(h)
    top = [e["value"] for e in doc["eigenvalues"]["top"]]
    assert top == pytest.approx(sorted(eig, reverse=True)[: len(top)], rel=REL, abs=REL * abs(eig).max())
    assert doc["trace"]["estimate"] == pytest.approx(np.trace(h), rel=REL)
    a = np.abs(h)
    assert doc["rho_diag"]["estimate"] == pytest.approx(np.trace(a) / a.sum(), rel=REL)
    for block in report_blocks(model):
        name, cols = block
        layer = doc["rho_diag"]["per_layer"][name]
        assert layer["numel"] == len(cols)
        assert layer["estimate"] == pytest.approx(a[cols, cols].sum() / a[:, cols].sum(), rel=REL)
        assert layer["block_share"] == pytest.approx(a[np.ix_(cols, cols)].sum() / a[:, cols].sum(), rel=REL)
    linf = doc["Linf"]
    assert linf["exact"] and linf["value"] == pytest.approx(_brute_force_linf(h), rel=REL)
    noise = doc["noise"]
    centred = rows - rows.mean(0)
    assert noise["trace_Sigma"] == pytest.approx((centred**2).sum() / rows.shape[0], rel=REL)
    assert noise["grad_norm_sq"] == pytest.approx(g @ g, rel=REL)
    assert doc["settings"]["per_sample_used"] == "func"  # BackPACK knows no layer that owns a 0-d parameter
    ggn = dense.ggn().numpy()
    fisher_top = [e["value"] for e in doc["fisher"]["top"]["GGN"]]
    assert fisher_top == pytest.approx(sorted(np.linalg.eigvalsh(ggn), reverse=True)[: len(fisher_top)],
                                       rel=REL, abs=REL * abs(ggn).max())
    assert doc["recommendation"]["call"] in ("sign", "euclidean", "inconclusive")


def report_blocks(model: nn.Module) -> list[tuple[str, list[int]]]:
    """(name, flat indices) of each trainable tensor, in named_parameters order."""
    out, offset = [], 0
    for name, p in model.named_parameters():
        out.append((name, list(range(offset, offset + p.numel()))))
        offset += p.numel()
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_0d_parameter_reports_like_a_1_element_one(case):
    model, x, y = case.build()
    twin = seeded_model(ONE_ELEMENT[case.name], torch.Generator().manual_seed(0))
    with torch.no_grad():
        for (_, p), (_, q) in zip(model.named_parameters(), twin.named_parameters()):
            q.copy_(p.reshape(q.shape))
    settings = dict(top_k=2, tol=1e-10, race_steps=2, exact_max_d=0)  # the product-only (sampled) paths too
    first = hessdiag.diagnose(model, (x, y), case.loss, **settings).to_dict()
    second = hessdiag.diagnose(twin, (x, y), case.loss, **settings).to_dict()
    for key in ("eigenvalues", "L2", "trace", "Linf", "rho_diag", "grad_norm", "noise", "fisher"):
        np.testing.assert_allclose(_numbers(first[key]), _numbers(second[key]), rtol=1e-12, atol=1e-15, err_msg=key)


def _numbers(node) -> list[float]:
    if isinstance(node, dict):
        return [v for key in sorted(node) for v in _numbers(node[key])]
    if isinstance(node, list):
        return [v for item in node for v in _numbers(item)]
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return []
    return [float(node)]
