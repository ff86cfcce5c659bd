"""A directory of user files as a new user would have them: a model module, data, checkpoints.

Built once per test session. Everything is seeded; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

USERMODELS = '''
import torch
from torch import nn


def mlp():
    return nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 3))


def bn_model():
    return nn.Sequential(nn.Linear(8, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Dropout(0.3), nn.Linear(6, 3))


def regressor():
    return nn.Sequential(nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 2))


def broken():
    raise RuntimeError("factory exploded")


def not_a_module():
    return 3


def unsupported_model():  # RReLU: random in training, outside the supported list
    return nn.Sequential(nn.Linear(8, 6), nn.RReLU(), nn.Linear(6, 3))


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.s = nn.Parameter(torch.ones(3))

    def forward(self, x):
        return x * self.s


def custom_layer_model():
    return nn.Sequential(nn.Linear(8, 3), Scale())


class Pairs(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(7)
        self.x = torch.randn(30, 8, generator=g)
        self.y = torch.randint(0, 3, (30,), generator=g)

    def __len__(self):
        return 30

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def dataset():
    return Pairs()


def xy():
    d = Pairs()
    return d.x, d.y
'''


class Exploit:
    """A pickled object whose unpickling would create a file: a safe load must never run it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def build_workspace(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "usermodels.py").write_text(USERMODELS)
    namespace: dict = {}
    exec(USERMODELS, namespace)
    gen = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        mlp = namespace["mlp"]()
        cnn = namespace["cnn"]()
        bn = namespace["bn_model"]()
    x = torch.randn(40, 8, generator=gen)
    y = torch.randint(0, 3, (40,), generator=gen)
    torch.save({"x": x, "y": y}, root / "data.pt")
    np.savez(root / "data.npz", x=x.numpy(), y=y.numpy())
    torch.save({"x": torch.randn(40, 1, 6, 6, generator=gen), "y": y}, root / "images.pt")
    torch.save({"x": x, "y": torch.randn(40, 2, generator=gen)}, root / "regression.pt")
    bad_x = x.clone()
    bad_x[3, 2] = float("nan")
    torch.save({"x": bad_x, "y": y}, root / "data_nan.pt")
    torch.save({"x": x, "y": y[:39]}, root / "data_mismatch.pt")
    torch.save({"inputs": x, "targets": y}, root / "data_nokeys.pt")
    torch.save({"x": torch.randn(40, 9, generator=gen), "y": y}, root / "data_wide.pt")
    torch.save({"x": x, "y": torch.where(y == 2, 5, y)}, root / "data_labels.pt")

    state = mlp.state_dict()
    torch.save(state, root / "ckpt.pt")
    torch.save({"state_dict": {f"model.{k}": v for k, v in state.items()}, "epoch": 3,
                "global_step": 120}, root / "lightning.ckpt")
    torch.save({"model_state_dict": {f"module.{k}": v for k, v in state.items()},
                "optimizer_state_dict": {}}, root / "ddp.pt")
    torch.save(bn.state_dict(), root / "bn.pt")
    torch.save(cnn.state_dict(), root / "cnn.pt")
    nan_state = {k: v.clone() for k, v in state.items()}
    nan_state["0.weight"][0, 0] = float("inf")
    torch.save(nan_state, root / "ckpt_nan.pt")
    raw = (root / "ckpt.pt").read_bytes()
    (root / "ckpt_truncated.pt").write_bytes(raw[: len(raw) // 2])
    (root / "notackpt.pt").write_text("this is a text file, not a checkpoint\n")
    torch.save({"state_dict": state, "hook": Exploit(str(root / "PWNED"))}, root / "ckpt_pickle.pt")
    torch.save(mlp, root / "whole_model.pt")  # a pickled nn.Module: loads only with --trust-pickle
    torch.save({k: v for k, v in state.items() if k != "2.bias"}, root / "ckpt_keys.pt")
    torch.save({**state, "2.weight": torch.zeros(3, 5)}, root / "ckpt_shape.pt")

    torch.jit.script(mlp.eval()).save(str(root / "model.ts"))
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(mlp.eval(), (x[:4],), dynamic_shapes=({0: batch},))
    torch.export.save(program, str(root / "model.pt2"))
    torch.export.save(torch.export.export(mlp.eval(), (x[:16],)), str(root / "model_static.pt2"))

    (root / "run.toml").write_text(
        'model = "usermodels:mlp"\ncheckpoint = "ckpt.pt"\ndata = "data.pt"\nloss = "ce"\n'
        "top_k = 2\ntol = 1e-8\nseed = 3\n"
    )
    (root / "broken.toml").write_text('model = "usermodels:mlp"\ndata = [unclosed\n')
    (root / "unknown_key.toml").write_text('model = "usermodels:mlp"\nlearning_rate = 3\n')
    return root
