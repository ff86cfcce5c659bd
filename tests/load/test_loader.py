"""DataLoader data kept as batches: re-iterated when too large, held when ragged; same numbers as tensors.

Products and gradients against the dense float64 reference of the same data held as tensors, to 1e-10
relative (the same sums over another batching); the re-iteration is counted (one pass over the loader
per product), and the subset of `--samples` is the one the tensor path draws.
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from helpers.cases import CASES, LAYER_CASES
from helpers.dense import Dense, rel_err
from hessdiag.errors import ConfigError
from hessdiag.load import get_loss
from hessdiag.load.build import build_problem, build_problem_from_loader
from hessdiag.load.loader import LoaderData, from_loader
from hessdiag.load.models import from_module
from hessdiag.operators import GGNOperator, HessianOperator, loss_and_gradient

F64 = torch.float64
CPU = torch.device("cpu")


def _loader_problem(case, batch_size: int, max_bytes: int, calls: list | None = None, samples=None):
    model, x, y = case.build()

    def collate(items):
        if calls is not None:
            calls.append(len(items))
        return torch.stack([i[0] for i in items]), torch.stack([i[1] for i in items])

    data = from_loader(DataLoader(TensorDataset(x, y), batch_size=batch_size, collate_fn=collate), "t", max_bytes)
    problem = build_problem_from_loader(from_module(model, "m"), data, get_loss(case.loss), samples=samples,
                                        batch_size=None, seed=0, dtype=F64, device=CPU)
    return problem, data, (model, x, y)


@pytest.mark.parametrize("case", [CASES[0], CASES[3]], ids=lambda c: c.name)
def test_a_loader_too_large_to_hold_is_reiterated_per_pass(case):
    calls: list = []
    problem, data, (model, x, y) = _loader_problem(case, 5, max_bytes=64, calls=calls)
    assert isinstance(data, LoaderData) and data.held is None and "re-iterated" in data.how
    assert len(problem.batches) == -(-x.shape[0] // 5) and problem.n_samples == x.shape[0]
    dense = Dense(model, x, y, case.loss)
    V = torch.randn(problem.d, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    op = HessianOperator(problem, mode="fwd-rev")
    assert rel_err(op.matmat(V), dense.hessian() @ V) < 1e-10
    before = len(calls)
    op.matmat(V)
    assert len(calls) - before == len(problem.batches)  # one pass over the loader for a round of products
    assert rel_err(GGNOperator(problem).matmat(V), dense.ggn() @ V) < 1e-10
    assert rel_err(loss_and_gradient(problem).gradient, dense.gradient()) < 1e-10


def test_samples_of_a_loader_are_the_rows_the_tensor_path_draws():
    case = CASES[0]
    problem, _, (model, x, y) = _loader_problem(case, 4, max_bytes=64, samples=9)
    reference = build_problem(from_module(model, "m"), x, y, get_loss("ce"), samples=9, batch_size=None, seed=0,
                              dtype=F64, device=CPU)
    assert problem.n_samples == 9 and problem.n_available == x.shape[0]
    assert rel_err(loss_and_gradient(problem).gradient, loss_and_gradient(reference).gradient) < 1e-12


def test_token_batches_of_different_lengths_are_held_as_they_come():
    case = next(c for c in LAYER_CASES if c.name == "embedding_tokens")
    model, x, y = case.build()
    lengths = x["attention_mask"].sum(1)
    items = [({k: v[i, : int(lengths[i])] for k, v in x.items()}, y[i, : int(lengths[i])]) for i in range(len(y))]

    def pad(batch):  # dynamic padding to the longest sequence of each batch
        t = max(int(b[1].shape[0]) for b in batch)
        grow = lambda v, fill: torch.cat([v, v.new_full((t - v.shape[0],), fill)])  # noqa: E731
        inputs = {k: torch.stack([grow(b[0][k], 0) for b in batch]) for k in x}
        return inputs, torch.stack([grow(b[1], -100) for b in batch])

    data = from_loader(DataLoader(items, batch_size=3, collate_fn=pad), "t")
    assert isinstance(data, LoaderData) and data.held is not None
    problem = build_problem_from_loader(from_module(model, "m"), data, get_loss("token_ce"), samples=None,
                                        batch_size=None, seed=0, dtype=F64, device=CPU)
    dense = Dense(model, x, y, "token_ce")
    assert problem.sample_scale == pytest.approx(dense.n / dense.normaliser, rel=1e-15)
    V = torch.randn(problem.d, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    assert rel_err(HessianOperator(problem, mode="retained").matmat(V), dense.hessian() @ V) < 1e-10


def test_samples_need_a_map_style_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            g = torch.Generator().manual_seed(0)
            return iter([(torch.randn(6, generator=g, dtype=F64), torch.tensor(1)) for _ in range(5)])

    model, _, _ = CASES[0].build()
    data = from_loader(DataLoader(Stream(), batch_size=2), "t", max_bytes=1)
    with pytest.raises(ConfigError, match="map-style"):
        build_problem_from_loader(from_module(model, "m"), data, get_loss("ce"), samples=3, batch_size=None,
                                  seed=0, dtype=F64, device=CPU)
    problem = build_problem_from_loader(from_module(model, "m"), data, get_loss("ce"), samples=None,
                                        batch_size=None, seed=0, dtype=F64, device=CPU)
    assert problem.n_samples == 5 and problem.n_available is None
