"""A Lightning callback that records the `hessdiag track` timeline during `Trainer.fit` (extra `lightning`).

```python
from hessdiag.track.lightning import HessdiagCallback
trainer = lightning.Trainer(callbacks=[HessdiagCallback((x, y), "ce", every=100, only="spectrum",
                                                        lr=0.1, path="track.json")])
```

At the start of training, and after each optimizer step whose `trainer.global_step` is an `every`-th
one, a `hessdiag.Tracker` diagnoses a copy of the LightningModule's network (`module_attr`, default `"model"`, else the
LightningModule itself) on (x, y); nothing the training owns is changed (see `tracker.py`). Lightning is
imported only by this module, which `hessdiag` never imports by itself.
"""

from __future__ import annotations

from typing import Any

from lightning.pytorch.callbacks import Callback
from torch import Tensor, nn

from .timeline import Timeline
from .tracker import Tracker


class HessdiagCallback(Callback):
    """Record the timeline every `every` optimizer steps; keyword arguments as for `hessdiag.Tracker`."""

    def __init__(self, data: tuple[Tensor, Tensor], loss: str, *, every: int = 1, module_attr: str | None = "model",
                 **tracker_options: Any) -> None:
        super().__init__()
        self.data, self.loss, self.every, self.module_attr = data, loss, every, module_attr
        self.options = tracker_options
        self.tracker: Tracker | None = None
        self._last_step: int | None = None

    def _network(self, pl_module) -> nn.Module:
        inner = getattr(pl_module, self.module_attr, None) if self.module_attr else None
        return inner if isinstance(inner, nn.Module) else pl_module

    def on_train_start(self, trainer, pl_module) -> None:
        self.tracker = Tracker(self._network(pl_module), self.data, self.loss, every=self.every, **self.options)
        self._last_step = int(trainer.global_step)
        self.tracker.step(self._last_step)  # the weights training starts from (step 0, or a resumed step)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step = int(trainer.global_step)
        if self.tracker is not None and step != self._last_step:  # once per optimizer step (accumulation)
            self._last_step = step
            self.tracker.step(step)

    def on_train_end(self, trainer, pl_module) -> None:
        if self.tracker is not None:
            self.tracker.close()

    @property
    def timeline(self) -> Timeline | None:
        return None if self.tracker is None else self.tracker.timeline
