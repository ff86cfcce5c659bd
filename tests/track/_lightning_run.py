"""Train a tiny LightningModule with HessdiagCallback; torchvision hidden (it cannot load beside CPU torch)."""
import importlib.metadata
import json
import sys

sys.modules["torchvision"] = None  # `import torchvision` fails, importlib.util.find_spec says None
_version, _distribution = importlib.metadata.version, importlib.metadata.distribution


def _hide(real):
    def lookup(name, *args, **kwargs):
        if name == "torchvision":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name, *args, **kwargs)
    return lookup


importlib.metadata.version, importlib.metadata.distribution = _hide(_version), _hide(_distribution)

import lightning  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from hessdiag.track.lightning import HessdiagCallback  # noqa: E402

out_path = sys.argv[1]
g = torch.Generator().manual_seed(0)
x = torch.randn(32, 4, generator=g, dtype=torch.float64)
y = torch.sin(x @ torch.randn(4, 1, generator=g, dtype=torch.float64))


class Module(lightning.LightningModule):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1)).double()

    def training_step(self, batch, batch_idx):
        xb, yb = batch
        return 0.5 * (self.model(xb) - yb).pow(2).sum(1).mean()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


torch.manual_seed(0)
module = Module()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
callback = HessdiagCallback((x, y), "mse", every=2, only="spectrum", top_k=1, lr=0.1, path=out_path)
trainer = lightning.Trainer(max_steps=5, callbacks=[callback], logger=False, enable_checkpointing=False,
                            enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
trainer.fit(module, loader)
print(json.dumps({"steps": [p.step for p in callback.timeline.points], "global_step": trainer.global_step,
                  "torchvision": sys.modules.get("torchvision") is not None}))
