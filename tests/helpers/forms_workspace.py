"""User files in the forms of issue 13: keyword-input models, Dataset/DataLoader/Hugging-Face-style data
factories, `.safetensors` and sharded checkpoints, and a Lightning checkpoint written by a real
`Trainer` + `ModelCheckpoint` (in a subprocess: importing lightning here would import the broken
torchvision through torchmetrics, so the subprocess hides it first). Everything seeded, nothing
downloaded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch

USERFORMS = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


def mlp():
    return nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 3))


class Tagger(nn.Module):
    """Keyword inputs (token ids, mask) -> per-token logits in a dict, as a Hugging Face model returns."""

    def __init__(self):
        super().__init__()
        self.embed, self.norm, self.head = nn.Embedding(7, 4), nn.LayerNorm(4), nn.Linear(4, 3)

    def forward(self, input_ids, attention_mask):
        hidden = torch.tanh(self.norm(self.embed(input_ids))) * attention_mask.unsqueeze(-1)
        return {"logits": self.head(hidden), "hidden_states": hidden}


def tagger():
    return Tagger()


def _tokens(n=24, t=6):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(1, 7, (n, t), generator=g)
    lengths = torch.randint(2, t + 1, (n,), generator=g)
    mask = (torch.arange(t)[None] < lengths[:, None]).long()
    labels = torch.where(mask == 1, torch.randint(0, 3, (n, t), generator=g), torch.full((n, t), -100))
    return ids * mask, mask, labels, lengths


class TokenItems(Dataset):
    """Hugging Face style items: mappings with input_ids, attention_mask and labels."""

    def __init__(self):
        self.ids, self.mask, self.labels, self.lengths = _tokens()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def token_dataset():
    return TokenItems()


def token_tensors():
    ids, mask, labels, _ = _tokens()
    return {"input_ids": ids, "attention_mask": mask}, labels


class Pairs(Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(7)
        self.x, self.y = torch.randn(40, 8, generator=g), torch.randint(0, 3, (40,), generator=g)

    def __len__(self):
        return 40

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def pairs_tensors():
    d = Pairs()
    return d.x, d.y


def pairs_loader():
    # shuffle=True: hessdiag re-batches the dataset in order and never draws from the sampler
    return DataLoader(Pairs(), batch_size=7, shuffle=True)


def _pad_to_longest(items):
    """Dynamic padding, as DataCollatorWithPadding does: each batch as long as its longest sequence."""
    longest = max(int(item["attention_mask"].sum()) for item in items)
    return {key: torch.stack([item[key][:longest] for item in items]) for key in items[0]}


def ragged_loader():
    return DataLoader(TokenItems(), batch_size=5, collate_fn=_pad_to_longest)


class ColumnDataset:
    """The part of a Hugging Face datasets.Dataset that hessdiag uses: column names and torch format."""

    column_names = ["text", "input_ids", "attention_mask", "labels"]

    def __init__(self):
        self.ids, self.mask, self.labels, _ = _tokens()

    def __len__(self):
        return len(self.ids)

    def with_format(self, kind):
        assert kind == "torch"
        return self

    def __getitem__(self, index):
        return {"text": ["a sentence"] * len(self.ids[index]), "input_ids": self.ids[index],
                "attention_mask": self.mask[index], "labels": self.labels[index]}


def hf_dataset():
    return ColumnDataset()
'''

LIGHTNING_SCRIPT = '''
import importlib.metadata as md, sys
_d, _v = md.distribution, md.version
def _hide(f):
    def g(name):
        if name.lower() == "torchvision":
            raise md.PackageNotFoundError(name)
        return f(name)
    return g
md.distribution, md.version = _hide(_d), _hide(_v)
sys.modules["torchvision"] = None
import lightning as L
import torch
from torch import nn
sys.path.insert(0, sys.argv[2])
from userforms import mlp


class Classifier(L.LightningModule):
    def __init__(self, lr: float = 0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = mlp()

    def training_step(self, batch, _):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


torch.manual_seed(0)
data = torch.load(sys.argv[2] + "/data.pt")
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data["x"], data["y"]), batch_size=10)
checkpoint = L.pytorch.callbacks.ModelCheckpoint(dirpath=sys.argv[1], filename="trained")
trainer = L.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                    enable_model_summary=False, callbacks=[checkpoint], num_sanity_val_steps=0)
trainer.fit(Classifier(), loader)
print(checkpoint.best_model_path or checkpoint.last_model_path)
'''


def build_forms_workspace(root: Path) -> Path:
    """The user files; checkpoints of the `mlp` factory in three forms with identical weights."""
    from safetensors.torch import save_file

    root.mkdir(parents=True, exist_ok=True)
    (root / "userforms.py").write_text(USERFORMS)
    namespace: dict = {}
    exec(USERFORMS, namespace)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        state = {k: v.contiguous() for k, v in namespace["mlp"]().state_dict().items()}
    x, y = namespace["pairs_tensors"]()
    torch.save({"x": x, "y": y}, root / "data.pt")
    torch.save(state, root / "ckpt.pt")
    save_file(state, str(root / "mlp.safetensors"))
    sharded = root / "sharded"
    sharded.mkdir()
    names = list(state)
    shards = {"model-00001-of-00002.safetensors": names[:2], "model-00002-of-00002.safetensors": names[2:]}
    for shard, keys in shards.items():
        save_file({k: state[k] for k in keys}, str(sharded / shard))
    index = {"metadata": {"total_size": 0}, "weight_map": {k: s for s, keys in shards.items() for k in keys}}
    (sharded / "model.safetensors.index.json").write_text(__import__("json").dumps(index))
    ids, labels = namespace["token_tensors"]()
    torch.save({"x": ids, "y": labels}, root / "tokens.pt")
    return root


def write_lightning_checkpoint(root: Path) -> Path:
    """Train the `mlp` inside a LightningModule (`self.net`) for one epoch and return its `.ckpt`."""
    out = subprocess.run([sys.executable, "-c", LIGHTNING_SCRIPT, str(root / "lightning"), str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return Path(out.stdout.strip().splitlines()[-1])
