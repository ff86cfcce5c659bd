"""Launching data-parallel runs for the tests: K processes of `python -m hessdiag run` with the
environment torchrun gives its workers (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), or
torchrun itself; and a workspace of tiny models (an MLP, a CNN, a model with mapping inputs, a model
whose output turns NaN on one marked sample), all seeded, written as files a run reads.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]

MODELS = '''
import torch
from torch import nn


def mlp():
    return nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3))


def wide():  # d = 903 > the 512 sampled Hessian columns of ρ_diag
    return nn.Sequential(nn.Linear(5, 100), nn.Tanh(), nn.Linear(100, 3))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))


class Keyed(nn.Module):
    """Mapping inputs: a float feature block and an integer id, passed as keyword arguments."""

    def __init__(self):
        super().__init__()
        self.embed, self.head = nn.Embedding(4, 3), nn.Linear(5, 3)

    def forward(self, features, token):
        return self.head(torch.cat([torch.tanh(features), self.embed(token)], dim=-1))


def keyed():
    return Keyed()


class Poisoned(nn.Module):
    """The MLP, with a NaN output on any sample whose first feature exceeds 1e3 (a marked row)."""

    def __init__(self):
        super().__init__()
        self.net = mlp()

    def forward(self, x):
        out = self.net(x)
        return torch.where(x[:, :1] > 1e3, torch.full_like(out, float("nan")), out)


def poisoned():
    return Poisoned()


class Exploding(Poisoned):
    """The MLP, raising on a batch that holds a marked sample (first feature above 1e3)."""

    def forward(self, x):
        if bool((x[:, 0] > 1e3).any()):
            raise RuntimeError("marked sample")
        return self.net(x)


def exploding():
    return Exploding()


def _loader(batch_size):
    from torch.utils.data import DataLoader, TensorDataset

    data = torch.load("mlp_data.pt")
    return DataLoader(TensorDataset(data["x"], data["y"]), batch_size=batch_size)


def loader():  # 5 batches: ranks hold batches 0-1 and 2-4
    return _loader(2)


def one_batch_loader():  # 1 batch: rank 0 holds none
    return _loader(16)


class Tagger(nn.Module):
    """Token ids and a mask as keyword inputs, per-token logits out."""

    def __init__(self):
        super().__init__()
        self.embed, self.head = nn.Embedding(6, 3), nn.Linear(3, 2)

    def forward(self, input_ids, attention_mask):
        return self.head(torch.tanh(self.embed(input_ids))) * attention_mask.unsqueeze(-1)


def tagger():
    return Tagger()


class Sequences(torch.utils.data.Dataset):
    def __init__(self):
        self.data = torch.load("tokens.pt")

    def __len__(self):
        return len(self.data["lengths"])

    def __getitem__(self, i):
        n = int(self.data["lengths"][i])
        return {"input_ids": self.data["ids"][i, :n], "attention_mask": torch.ones(n, dtype=torch.long),
                "labels": self.data["labels"][i, :n]}


def _pad_to_longest(items):
    longest = max(len(item["input_ids"]) for item in items)
    fill = {"input_ids": 0, "attention_mask": 0, "labels": -100}
    return {key: torch.stack([torch.cat([item[key], torch.full((longest - len(item[key]),), value)])
                              for item in items]) for key, value in fill.items()}


def ragged_loader():  # batches of 2 sequences, each padded to its own longest: shapes differ across the ranks
    return torch.utils.data.DataLoader(Sequences(), batch_size=2, collate_fn=_pad_to_longest)
'''


DRIVER = '''
"""Run the settings in RUNS (a JSON file: name -> settings) through the Python API inside the process
group torchrun describes; rank 0 writes NAME.json. The driver owns the group it opened and closes it
(`distributed.close`)."""
import json
import os
import sys
from pathlib import Path

from hessdiag import api, distributed
from hessdiag.load import make_settings

distributed.initialise("gloo", "cpu")
for name, options in json.loads(Path(sys.argv[1]).read_text()).items():
    report = api.run(make_settings(None, quiet=True, **options))
    if distributed.is_main():
        Path(f"{name}.json").write_text(report.to_json())
distributed.close()
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)  # as the command line does: gloo's threads can still abort a rank in the interpreter's teardown
'''

# the runs compared with one process: the stochastic paths (Lanczos, Hutch++, SLQ, sampled ρ_diag
# columns, the F_mc operator) on the MLP, the dense paths on the CNN, mapping inputs, an empty shard,
# a DataLoader of 5 batches (ranks hold 2 and 3) and one of a single batch (rank 0 holds none)
RUNS = {
    "mlp": {"model": "dpmodels:wide", "checkpoint": "wide.pt", "data": "mlp_data.pt", "loss": "ce",
            "exact_max_d": 0, "race_steps": 0, "only": ["geometry", "noise", "fisher"]},
    "cnn": {"model": "dpmodels:cnn", "checkpoint": "cnn.pt", "data": "cnn_data.pt", "loss": "ce",
            "race_steps": 20, "batch_size": 2, "only": ["spectrum", "geometry", "noise", "fisher", "imbalance"]},
    "keyed": {"model": "dpmodels:keyed", "checkpoint": "keyed.pt", "data": "keyed_data.pt", "loss": "ce",
              "exact_max_d": 0, "race_steps": 0, "only": ["noise", "fisher", "preconditioning"]},
    "single": {"model": "dpmodels:mlp", "checkpoint": "mlp.pt", "data": "mlp_data.pt", "loss": "ce",
               "samples": 1, "race_steps": 5, "only": ["spectrum", "fisher"]},
    **{name: {"model": "dpmodels:mlp", "checkpoint": "mlp.pt", "data": f"dpmodels:{name}", "loss": "ce",
              "race_steps": 0, "only": ["spectrum", "noise", "fisher"]} for name in ("loader", "one_batch_loader")},
    # the ranks' batches differ in shape: the race is skipped on every rank alike (one rank raced alone and
    # waited forever), and F_mc draws its labels on rows padded to the longest over all ranks
    "ragged": {"model": "dpmodels:tagger", "checkpoint": "tagger.pt", "data": "dpmodels:ragged_loader",
               "loss": "token_ce", "race_steps": 5, "top_k": 2, "only": ["spectrum", "fisher"]},
}


def build(root: Path, n: int = 9) -> Path:
    """Model factories, checkpoints and data files with `n` samples under `root`, and the API driver."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dpmodels.py").write_text(MODELS)
    (root / "dpdriver.py").write_text(DRIVER)
    namespace: dict = {}
    exec(MODELS, namespace)
    gen = torch.Generator().manual_seed(5)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        for name in ("mlp", "wide", "cnn", "keyed", "tagger"):
            torch.save(namespace[name]().state_dict(), root / f"{name}.pt")
    y = torch.randint(0, 3, (n,), generator=gen)
    x = torch.randn(n, 5, generator=gen)
    torch.save({"x": x, "y": y}, root / "mlp_data.pt")
    torch.save({"x": torch.randn(n, 1, 4, 4, generator=gen), "y": y}, root / "cnn_data.pt")
    keyed = {"features": torch.randn(n, 2, generator=gen), "token": torch.randint(0, 4, (n,), generator=gen)}
    torch.save({"x": keyed, "y": y}, root / "keyed_data.pt")
    lengths = torch.randint(2, 6, (n,), generator=gen)
    labels = torch.randint(0, 2, (n, 5), generator=gen)
    torch.save({"ids": torch.randint(1, 6, (n, 5), generator=gen), "lengths": lengths,
                "labels": torch.where(torch.arange(5)[None] < lengths[:, None], labels, -100)}, root / "tokens.pt")
    marked = x.clone()
    marked[-1, 0] = 1e4  # the last sample: in the last rank's shard only
    torch.save({"x": marked, "y": y}, root / "poisoned_data.pt")
    torch.save({f"net.{k}": v for k, v in torch.load(root / "mlp.pt").items()}, root / "poisoned.pt")
    return root


def default_sigint() -> None:
    """The child handles SIGINT even when the suite runs with SIGINT ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(cwd: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{cwd}", OMP_NUM_THREADS="1", **extra)
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "HESSDIAG_TRACEBACK"):
        env.pop(key, None)
    return env


def start_ranks(args: list[str], world: int, cwd: Path, **extra: str) -> list[subprocess.Popen]:
    """`world` processes of `python -m hessdiag ARGS` with torchrun's worker environment (one node)."""
    port, procs = str(free_port()), []
    for r in range(world):
        env = environment(cwd, **extra) | {"RANK": str(r), "WORLD_SIZE": str(world), "LOCAL_RANK": str(r),
                                          "LOCAL_WORLD_SIZE": str(world), "MASTER_ADDR": "127.0.0.1",
                                          "MASTER_PORT": port}
        procs.append(subprocess.Popen([sys.executable, "-m", "hessdiag", *args], cwd=cwd, env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, preexec_fn=default_sigint))
    return procs


def finish(procs: list[subprocess.Popen], timeout: float = 120) -> list[tuple[int, str, str]]:
    """Every rank's (exit code, stdout, stderr)."""
    outs = [p.communicate(timeout=timeout) for p in procs]
    return [(p.returncode, *out) for p, out in zip(procs, outs)]


def run_ranks(args: list[str], world: int, cwd: Path, timeout: float = 120) -> list[tuple[int, str, str]]:
    return finish(start_ranks(args, world, cwd), timeout)


def torchrun_command(args: list[str], world: int, module: bool = True) -> list[str]:
    """`torchrun --nproc-per-node WORLD [-m] ARGS` (torch.distributed.run, one node)."""
    return [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(world), "--master-addr",
            "127.0.0.1", "--master-port", str(free_port()), *(["-m"] if module else []), *args]


def torchrun(args: list[str], world: int, cwd: Path, module: bool = True,
             timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(torchrun_command(args, world, module), cwd=cwd, env=environment(cwd), capture_output=True,
                          text=True, timeout=timeout)
