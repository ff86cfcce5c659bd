"""Registry of the recommendation-benchmark cases: problem kinds × checkpoints (init, warm).

A case is a model factory (zero-argument, deterministic: the architecture built on the meta device
and initialised from a fixed per-kind seed — so `factory()` *is* the init checkpoint), a data
function (zero-argument, (x, y)), a loss (`ce`, `mse` = ½‖f−y‖², `bce`; mean over samples, as in
hessdiag's SPEC §1), a training batch size, and a checkpoint:

- `init`: the factory's weights;
- `warm`: the init weights after `WARM_STEPS` = 30 steps of deterministic **full-batch gradient
  descent with Armijo backtracking** (a guaranteed decrease at every step). Plain GD uses neither
  momentum nor any per-coordinate scaling, so it favours neither family's update rule; it removes
  the sharpest error first and leaves the rest to the race. (A fixed step 1/|λ|max(H(θ₀)) was tried
  first and rejected: at init the Hessian badly underestimates the curvature met along the path —
  saturated logistic regression on raw features and the embedding-bag model blew up.)

Both are importable for hessdiag as `recommendation_bench.cases:<kind>_model` / `<case>_model` and
`recommendation_bench.cases:<kind>_data` / `<case>_data` (with `scripts/` on the path).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import torch
from torch import Tensor, nn

from . import kinds, kinds_late, kinds_prospective
from . import models as M
from .objective import WARM_STEPS, full_loss, per_sample_loss, warm_up


@dataclass(frozen=True)
class Case:
    """One benchmark case: a problem kind at one checkpoint."""

    name: str
    kind: str
    checkpoint: str  # "init" or "warm"
    loss: str
    model: Callable[[], nn.Module]
    data: Callable[[], tuple[Tensor, Tensor]]
    batch_size: int
    classes: int | None
    description: str
    sources: tuple = field(default=())  # further objects whose code defines the case

    @property
    def model_path(self) -> str:
        return f"recommendation_bench.cases:{self.name}_model"

    @property
    def data_path(self) -> str:
        return f"recommendation_bench.cases:{self.name}_data"

    def tensors(self) -> tuple[Tensor, Tensor]:
        return _tensors(self.data)

    def n_params(self) -> int:
        return sum(p.numel() for p in self.model().parameters())

    def n_samples(self) -> int:
        return int(self.tensors()[0].shape[0])

    def checkpoint_state(self) -> dict[str, Tensor]:
        """The checkpoint's state dict (a fresh copy): the init weights, or those after warm-up."""
        return {k: v.clone() for k, v in _checkpoint(self.name)[0].items()}

    def warmup_lrs(self) -> list[float] | None:
        """The step sizes of the warm-up (None for an init checkpoint)."""
        return _checkpoint(self.name)[1]

    def definition_hash(self) -> str:
        """sha256 over the case's settings and the source of every function that defines it."""
        objs = (self.model, self.data, *self.sources, M.init_, M.build, per_sample_loss, full_loss,
                warm_up)
        text = json.dumps([self.name, self.kind, self.checkpoint, self.loss, self.batch_size,
                           self.classes, WARM_STEPS])
        text += "".join(inspect.getsource(o) for o in objs)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=None)
def _tensors(data_fn: Callable) -> tuple[Tensor, Tensor]:
    return data_fn()


@lru_cache(maxsize=None)
def _checkpoint(name: str) -> tuple[dict[str, Tensor], list[float] | None]:
    """Built on one thread whatever the caller's setting: reductions (convolutions) differ in the last
    bits with the thread count, and the ground truth was trained from the one-thread checkpoints."""
    case = CASES[name]
    model = case.model()
    lr = None
    if case.checkpoint == "warm":
        x, y = case.tensors()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            lr = warm_up(model, x, y, case.loss)
        finally:
            torch.set_num_threads(threads)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}, lr


# ---- problem kinds (kinds.py: rounds one to five; kinds_prospective.py: rounds six to ten; kinds_late.py: eleven
# to thirteen; kinds_round14.py to kinds_round<LAST_ROUND>.py: one round each) ------------------------------------

LAST_ROUND = 52  # the newest kinds_round<N>.py; a new round's module is registered by raising this
KIND_MODULES = (kinds, kinds_prospective, kinds_late,
                *(importlib.import_module(f".kinds_round{r}", __package__) for r in range(14, LAST_ROUND + 1)))
KINDS: dict[str, tuple] = {k: v for module in KIND_MODULES for k, v in module.KINDS.items()}


def _register() -> dict[str, Case]:
    """Every kind × checkpoint as a Case; the factories are also set here as `<kind>_model`/`_data` and
    `<case>_model`/`_data`, the import paths hessdiag's runs use."""
    cases: dict[str, Case] = {}
    g = globals()
    for module in KIND_MODULES:
        for kind, (loss, batch, classes, description, sources) in module.KINDS.items():
            model, data = getattr(module, f"{kind}_model"), getattr(module, f"{kind}_data")
            g[f"{kind}_model"], g[f"{kind}_data"] = model, data
            for ckpt in ("init", "warm"):
                name = f"{kind}_{ckpt}"
                cases[name] = Case(name, kind, ckpt, loss, model, data, batch, classes, description, sources)
                g[f"{name}_model"], g[f"{name}_data"] = model, data
    return cases


CASES: dict[str, Case] = _register()


def checkpoint_state(name: str) -> dict[str, Tensor]:
    """The state dict of case `name`'s checkpoint (load it into `CASES[name].model()`, strict)."""
    return CASES[name].checkpoint_state()
