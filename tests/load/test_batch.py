"""The one batch type: slicing, casting, padding and concatenating tensors and mappings alike.

Exact comparisons (torch.equal): every method only moves, selects or copies numbers.
"""

from __future__ import annotations

import pytest
import torch

from hessdiag.load.batch import (
    Batch,
    call_module,
    cast_inputs,
    cat_inputs,
    count_rows,
    describe_inputs,
    make_batches,
    select_rows,
)


def _mapping(n: int = 5):
    g = torch.Generator().manual_seed(0)
    return {"input_ids": torch.randint(0, 9, (n, 4), generator=g),
            "attention_mask": torch.ones(n, 4, dtype=torch.int64),
            "pixel_values": torch.randn(n, 2, generator=g, dtype=torch.float32)}


@pytest.mark.parametrize("form", ["tensor", "mapping"])
def test_select_head_pad_and_batches_keep_rows_together(form):
    x = _mapping() if form == "mapping" else torch.arange(10.0).reshape(5, 2)
    y = torch.arange(5)
    batches = make_batches(x, y, 2, 0.2, torch.float64)
    assert [b.size for b in batches] == [2, 2, 1]
    assert torch.equal(cat_inputs([b.x for b in batches])["input_ids"] if form == "mapping"
                       else cat_inputs([b.x for b in batches]), x["input_ids"] if form == "mapping" else x)
    last = batches[-1].padded(3)
    assert last.size == 3 and torch.equal(last.w, torch.tensor([0.2, 0.0, 0.0], dtype=torch.float64))
    assert torch.equal(last.real, torch.tensor([True, False, False]))
    picked = Batch(x, y, torch.full((5,), 0.2)).select(torch.tensor([4, 1]))
    assert torch.equal(picked.y, torch.tensor([4, 1]))
    first = select_rows(x, torch.tensor([4, 1]))
    want = x["input_ids"][[4, 1]] if form == "mapping" else x[[4, 1]]
    assert torch.equal(first["input_ids"] if form == "mapping" else first, want)
    assert count_rows(x) == 5 and Batch(x, y, y.double()).head(3).size == 3


def test_fixed_size_batches_are_padded_at_zero_weight():
    batches = make_batches(_mapping(5), torch.arange(5), 4, 0.2, torch.float64, fixed_size=4)
    assert [b.size for b in batches] == [4, 4] and float(batches[1].w.sum()) == pytest.approx(0.2)
    assert torch.equal(batches[1].x["input_ids"][1:], batches[1].x["input_ids"][:1].expand(3, 4))


def test_integer_inputs_are_never_cast():
    x = _mapping()
    cast = cast_inputs(x, torch.float64)
    assert cast["input_ids"].dtype == torch.int64 and cast["attention_mask"].dtype == torch.int64
    assert cast["pixel_values"].dtype == torch.float64
    batch = Batch(x, torch.arange(5), torch.ones(5)).to(dtype=torch.float64)
    assert batch.x["input_ids"].dtype == torch.int64 and batch.y.dtype == torch.int64
    assert batch.w.dtype == torch.float64 and batch.x["pixel_values"].dtype == torch.float64


def test_rows_must_agree_and_shapes_are_described():
    with pytest.raises(ValueError, match="disagree"):
        count_rows({"a": torch.zeros(3, 2), "b": torch.zeros(4)})
    assert describe_inputs(torch.zeros(3, 7)) == "(7,)"
    assert describe_inputs({"input_ids": torch.zeros(3, 7, dtype=torch.int64)}) == "input_ids (7,) int64"


def test_mapping_inputs_are_keyword_arguments():
    class Keywords(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor(2.0))

        def forward(self, input_ids, attention_mask):
            return self.scale * (input_ids * attention_mask).sum(1, keepdim=True).float()

    model, x = Keywords(), _mapping()
    inputs = {k: x[k] for k in ("input_ids", "attention_mask")}
    plain = call_module(model, None, inputs)
    functional = call_module(model, {"scale": torch.tensor(3.0)}, inputs)
    assert torch.equal(functional, 1.5 * plain)


@pytest.mark.parametrize("form", ["tensor", "mapping"])
@pytest.mark.parametrize("world", [1, 3, 7])
def test_shards_partition_the_rows_in_order(form, world):
    """Data-parallel shards by global sample index: disjoint, in order, balanced, covering every row."""
    x = _mapping() if form == "mapping" else torch.arange(10.0).reshape(5, 2)
    whole = Batch(x, torch.arange(5), torch.full((5,), 0.2, dtype=torch.float64))
    shards = [whole.shard(rank, world) for rank in range(world)]
    assert max(s.size for s in shards) - min(s.size for s in shards) <= 1
    assert torch.equal(torch.cat([s.y for s in shards]), whole.y)
    assert torch.equal(torch.cat([s.w for s in shards]), whole.w)
    again = cat_inputs([s.x for s in shards])
    for (_, a), (_, b) in zip(*(list(v.items()) if form == "mapping" else [("x", v)] for v in (again, x))):
        assert torch.equal(a, b) and a.dtype == b.dtype
    with pytest.raises(ValueError, match="rank"):
        whole.shard(world, world)
