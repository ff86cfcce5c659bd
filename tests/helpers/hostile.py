"""Seeded generators of hostile inputs (issue 17, item 4): checkpoints, models and data sets that are bad
in one of the ways a user's can be, each with the fragment its one-line refusal must contain.

A `HostileCase` is written into a directory as files (a checkpoint, a model module, a data module under
a module name unique to the case, so that no earlier import is reused) and run with `args`. Every
variation — which tensor, which dtype, which key type, how deep a cycle, which exception at which item,
which random operation, the layer widths — is drawn from `random.Random(seed)`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

IN, CLASSES = 8, 3


@dataclass
class HostileCase:
    name: str
    fragment: str
    model: str = "mlp"  # a factory name in the case's module
    data: str = "data.pt"  # a file, or a factory name in the case's module
    checkpoint: object | None = None  # an object to torch.save as ckpt.pt
    source: list[str] = field(default_factory=list)  # extra module source

    def write(self, root: Path, module: str) -> list[str]:
        """Write the case's files into `root`; the command-line arguments that use them."""
        source = "\n".join([PRELUDE, *self.source])
        (root / f"{module}.py").write_text(source)
        args = ["--model", f"{module}:{self.model}", "--loss", "ce"]
        args += ["--data", self.data if self.data.endswith(".pt") else f"{module}:{self.data}"]
        if self.checkpoint is not None:
            torch.save(self.checkpoint, root / "ckpt.pt")
            args += ["--checkpoint", "ckpt.pt"]
        return args


PRELUDE = f'''
import torch
import torch.nn.functional as F
from torch import nn


def mlp():
    return nn.Sequential(nn.Linear({IN}, 6), nn.Tanh(), nn.Linear(6, {CLASSES}))


class Items(torch.utils.data.Dataset):
    def __init__(self, length=10, bad_item=None, error=None, item=None):
        self.length, self.bad_item, self.error, self.item = length, bad_item, error, item

    def __len__(self):
        if isinstance(self.length, type) and issubclass(self.length, BaseException):
            raise self.length("__len__ of a hostile data set")
        return self.length

    def __getitem__(self, i):
        if i == self.bad_item:
            raise self.error("item of a hostile data set")
        if self.item is not None:
            return self.item
        return torch.full(({IN},), 0.1 * i), torch.tensor(i % {CLASSES})
'''


def write_data(root: Path) -> None:
    g = torch.Generator().manual_seed(5)
    torch.save({"x": torch.randn(20, IN, generator=g), "y": torch.randint(0, CLASSES, (20,), generator=g)},
               root / "data.pt")


def _state(rng: random.Random) -> dict[str, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(rng.randrange(2**31))
        return dict(nn.Sequential(nn.Linear(IN, 6), nn.Tanh(), nn.Linear(6, CLASSES)).state_dict())


CHECKPOINT_DEFECTS = ["meta", "key", "cycle", "deep", "dtype", "nan", "shape"]
MODEL_DEFECTS = ["meta", "output", "complex", "random", "detached"]
DATA_DEFECTS = ["len", "len_raises", "item_raises", "not_pair", "item_type"]


def _checkpoint(rng: random.Random, kind: str) -> HostileCase:
    state = _state(rng)
    key = rng.choice(sorted(state))
    if kind == "meta":
        return HostileCase(f"ckpt-meta-{key}", "is on the meta device",
                           checkpoint={k: v.to("meta") if k == key else v for k, v in state.items()})
    if kind == "key":
        bad = rng.choice([0, 7, 1.5, None, True, ("layer", 0)])
        state[bad] = state.pop(key)
        return HostileCase(f"ckpt-key-{type(bad).__name__}", "state dict keys must be parameter names",
                           checkpoint=state)
    if kind == "cycle":
        outer = top = {"epoch": rng.randrange(100)}
        for _ in range(rng.randrange(4)):
            inner = {"optimizer": {}}
            top[rng.choice(["state_dict", "model", "model_state_dict"])] = inner
            top = inner
        top[rng.choice(["state_dict", "model", "model_state_dict"])] = outer
        return HostileCase("ckpt-cycle", "contains itself", checkpoint=outer)
    if kind == "deep":
        obj: object = state
        for _ in range(rng.randrange(33, 60)):
            obj = {rng.choice(["state_dict", "model", "model_state_dict"]): obj}
        return HostileCase("ckpt-deep", "levels deep", checkpoint=obj)
    if kind == "dtype":
        dtype = rng.choice([torch.complex64, torch.complex128, torch.int8, torch.int32, torch.int64, torch.uint8,
                            torch.bool])
        fragment = "imaginary part would be dropped" if dtype.is_complex else "would be cast to floating point"
        state[key] = (state[key] * 4).to(dtype)
        return HostileCase(f"ckpt-{str(dtype)[6:]}-{key}", fragment, checkpoint=state)
    if kind == "nan":
        flat = state[key].view(-1)
        flat[rng.randrange(flat.numel())] = rng.choice([float("nan"), float("inf"), -float("inf")])
        return HostileCase(f"ckpt-nonfinite-{key}", "NaN/Inf", checkpoint=state)
    state[key] = torch.zeros(*[s + 1 for s in state[key].shape])
    return HostileCase(f"ckpt-shape-{key}", "has shape", checkpoint=state)


RANDOM_OPS = ["out + 0.01 * torch.randn(out.shape, dtype=out.dtype)", "out * torch.rand_like(out)",
              "F.dropout(out, 0.3, training=True)", "out + torch.empty_like(out).normal_()",
              "out * torch.bernoulli(torch.full_like(out, 0.5))"]
BAD_OUTPUTS = {"out.argmax(-1, keepdim=True).expand_as(out)": "dtype int64", "out.round().long()": "dtype int64",
               "out > 0": "dtype bool", "torch.complex(out, out)": "dtype complex",
               "out.to(torch.int32)": "dtype int32"}


def _model(rng: random.Random, kind: str) -> HostileCase:
    width = rng.randrange(2, 9)
    body = f"nn.Linear({IN}, {width}), nn.Tanh(), nn.Linear({width}, {CLASSES})"
    if kind == "meta":
        return HostileCase(f"model-meta-{width}", "is on the meta device",
                           source=[f"def bad():\n    with torch.device('meta'):\n        return nn.Sequential({body})"],
                           model="bad")
    if kind == "complex":
        return HostileCase(f"model-complex-{width}", "complex weights are refused", model="bad", source=[
            f"def bad():\n    m = nn.Sequential({body})\n"
            f"    m[0].weight = nn.Parameter(m[0].weight.detach().to(torch.complex64))\n    return m"])
    if kind == "output":
        expr, fragment = rng.choice(sorted(BAD_OUTPUTS.items()))
    elif kind == "random":
        expr, fragment = rng.choice(RANDOM_OPS), "is random: two passes"
    else:
        expr = rng.choice(["out.detach()", "out.data", "torch.zeros_like(out)"])
        fragment = "does not depend on its trainable weights"
    source = f'''
class Bad(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential({body})

    def forward(self, x):
        out = self.body(x)
        return {expr}


def bad():
    return Bad()
'''
    return HostileCase(f"model-{kind}-{expr}", fragment, model="bad", source=[source])


def _dataset(rng: random.Random, kind: str) -> HostileCase:
    error = rng.choice(["IndexError", "KeyError", "ValueError", "RuntimeError", "OSError", "ZeroDivisionError"])
    if kind == "len":
        length = rng.choice(["10.5", "'10'", "None", "-3", "[10]", "True"])
        args, fragment = f"length={length}", "__len__ returned"
    elif kind == "len_raises":
        args, fragment = f"length={error}", f"__len__ raised {error}"
    elif kind == "item_raises":
        args, fragment = f"bad_item={rng.randrange(10)}, error={error}", f"__getitem__ raised {error}"
    elif kind == "not_pair":
        item = rng.choice(["torch.zeros(8)", "(torch.zeros(8),)", "None", "'xy'"])
        args, fragment = f"item={item}", "is not an (x, y) pair"
    else:
        item = rng.choice(["('pixels', 0)", "(torch.zeros(8), object())", "([[1, 2], [3]], 0)"])
        args, fragment = f"item={item}", "not a tensor or array"
    source = f"def bad():\n    return Items({args})\n"
    return HostileCase(f"data-{kind}-{args}", fragment, data="bad", source=[source])


def hostile_cases(seed: int, count: int) -> list[HostileCase]:
    """`count` cases: the families in turn, each family's defects in turn, every detail drawn from `seed`."""
    rng = random.Random(seed)
    families = [(_checkpoint, CHECKPOINT_DEFECTS), (_model, MODEL_DEFECTS), (_dataset, DATA_DEFECTS)]
    cases = []
    for i in range(count):
        make, defects = families[i % 3]
        cases.append(make(rng, defects[(i // 3) % len(defects)]))
    return cases
