"""Data-parallel runs on `torch.distributed`: the process group, its collectives and its one voice.

`torchrun --nproc-per-node K -m hessdiag run …` starts K processes with RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR and MASTER_PORT in their environment (`--nnodes`/`--rdzv-*` as torchrun has them).
`initialise` sees them and opens the process group (gloo on CPU, NCCL when the run's device is CUDA;
`--dist-backend` overrides); without them (or with WORLD_SIZE=1) nothing is opened and every function
here is the single-process identity. hessdiag keeps no state of its own: the group, the rank and the
store are torch.distributed's.

- Data: rank r holds the contiguous shard of the selected rows `Batch.shard(r, K)` with the global
  weights w_n = 1/N_total (`load.build`), so every sum Σ_n w_n (·) is completed by `all_reduce_sum`
  (`operators.reduction.reduce_sum`). A rank whose shard is empty holds one padding row (w = 0).
- Agreement: choices made from local measurements (timings, memory, a failing BackPACK path) are
  agreed (`agree_max`, `agree_min`, `first_message`), so that every rank takes the same branch and
  meets the others in the same collective.
- One voice (`conclude`): rank 0 alone prints and writes. The first rank to fail puts its exit code and
  one-line message in the group's store and closes its connections, which ends any collective the
  others wait in; every rank then ends with that code, and rank 0 prints that message. Ranks ≠ 0 wait
  for rank 0's verdict after a successful run (exit 3 of `--fail-if` included), so all codes agree.
"""

from __future__ import annotations

import datetime
import os
import time
from typing import Any, Callable

import torch
import torch.distributed as dist
from torch import Tensor

BACKENDS = ("auto", "gloo", "nccl")
END_KEY = "hessdiag/end"  # "<code>\n<message>": the run's outcome, first writer wins
REPORTED_KEY = "hessdiag/reported"  # rank 0 has printed the outcome
ACK_KEY = "hessdiag/ack/{rank}"  # rank ≠ 0 has read a failure
LEFT_KEY = "hessdiag/left/{rank}"  # rank ≠ 0 is leaving (rank 0, the store's host, leaves last)
END_WAIT_S = 30.0  # how long rank 0 waits for the others to leave, and a rank ≠ 0 for rank 0 to report
ACK_WAIT_S = 2.0  # how long a rank ending on a failure waits for the other side to answer (see conclude)
POLL_S = 0.02


def launched() -> bool:
    """Whether a launcher (torchrun) started this process as one of several (WORLD_SIZE > 1)."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1) > 1


def active() -> bool:
    """Whether a process group of more than one process is open."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank (0 without a group; from the launcher's RANK before the group is open)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0") or 0)


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    """Rank 0: the one process that prints, shows progress and writes reports."""
    return rank() == 0


def local_device(device: torch.device) -> torch.device:
    """`cuda` without an index becomes this process's GPU, cuda:LOCAL_RANK, in a launched run."""
    if device.type == "cuda" and device.index is None and launched():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0") or 0))
    return device


def initialise(backend: str = "auto", device: str = "auto") -> str | None:
    """Open the process group a launcher described in the environment; returns its backend (None: single
    process). `auto` is NCCL when the run will use CUDA (`device` auto with a GPU present, or cuda…), gloo
    otherwise. On CUDA the process's current device becomes cuda:LOCAL_RANK."""
    from .errors import ConfigError

    if backend not in BACKENDS:
        raise ConfigError(f"--dist-backend must be auto, gloo or nccl; got '{backend}'")
    if not launched():
        return None
    if dist.is_initialized():
        return str(dist.get_backend())
    cuda = str(device).startswith("cuda") or (str(device) == "auto" and torch.cuda.is_available())
    chosen = ("nccl" if cuda else "gloo") if backend == "auto" else backend
    if chosen == "nccl" and not torch.cuda.is_available():
        raise ConfigError("--dist-backend nccl needs CUDA devices; use gloo on CPUs")
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0") or 0))
    missing = [k for k in ("RANK", "MASTER_ADDR", "MASTER_PORT") if k not in os.environ]
    if missing:
        raise ConfigError(f"WORLD_SIZE is set but {', '.join(missing)} is not: launch with torchrun")
    dist.init_process_group(chosen, timeout=datetime.timedelta(minutes=30))
    return chosen


def close() -> None:
    """Close the process group `initialise` opened, after a barrier (nothing when none is open). A caller of
    the Python API under torchrun calls it before exiting: a gloo group left to the interpreter's teardown
    can abort a rank ("terminate called without an active exception"). It makes that rare, not impossible
    (see the README); the command line ends its ranks with `conclude` and leaves with `os._exit`."""
    if active():
        dist.barrier()
        dist.destroy_process_group()


def describe(device: torch.device) -> dict[str, Any]:
    """What the report records: world size, backend and every rank's device (a collective)."""
    devices = all_gather_object(str(device))
    return {"world_size": world_size(), "backend": str(dist.get_backend()) if active() else None,
            "devices": devices}


def _collective_tensor(t: Tensor) -> Tensor:
    """NCCL reduces device tensors; gloo reduces CPU (or CUDA) tensors."""
    return t if dist.get_backend() != "nccl" or t.is_cuda else t.cuda()


def all_reduce_sum(partial: Tensor) -> Tensor:
    """Σ over ranks of `partial` (the same bits on every rank); the tensor itself in a single process."""
    if not active():
        return partial
    total = _collective_tensor(partial.detach().clone().contiguous())
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total.to(partial.device)


def _agree(values: list[float], op) -> list[float]:
    if not active():
        return list(values)
    t = _collective_tensor(torch.tensor(values, dtype=torch.float64))
    dist.all_reduce(t, op=op)
    return t.cpu().tolist()


def agree_max(values: list[float]) -> list[float]:
    """The element-wise maximum over ranks (measured timings: every rank plans with the slowest)."""
    return _agree(values, dist.ReduceOp.MAX) if active() else list(values)


def agree_min(values: list[float]) -> list[float]:
    """The element-wise minimum over ranks (what fits in every rank's memory)."""
    return _agree(values, dist.ReduceOp.MIN) if active() else list(values)


def all_gather_object(obj: Any) -> list[Any]:
    """Every rank's `obj`, in rank order (a list of one in a single process)."""
    if not active():
        return [obj]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def first_message(message: str | None) -> str | None:
    """The message of the lowest rank that has one (None when no rank has): a collective decision."""
    return next((m for m in all_gather_object(message) if m is not None), None)


def gather_rows(rows: Tensor) -> tuple[Tensor, int]:
    """All ranks' rows concatenated in rank order (= global sample order, the shards being contiguous),
    and the offset of this rank's rows in it."""
    if not active():
        return rows, 0
    parts = all_gather_object(rows.detach().cpu())
    offset = sum(int(p.shape[0]) for p in parts[: dist.get_rank()])
    return torch.cat(parts).to(rows.device), offset



def _store():
    return dist.distributed_c10d._get_default_store()


def _wait(store, keys: list[str], timeout: float) -> bool:
    """Until every key is in the store (True), the store is gone (its host, rank 0, has ended: True, nothing left to
    wait for) or `timeout` (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if store.check(keys):
                return True
        except Exception:  # the store went with rank 0: nothing left to wait for
            return True
        time.sleep(POLL_S)
    return False


def conclude(code: int, message: str | None, say: Callable[[str], None]) -> int:
    """End this rank's run and return the exit code every rank agrees on; `say(message)` prints the
    agreed message, on rank 0 only.

    `message` None: this rank finished its work with `code`; rank 0 publishes its code, ranks ≠ 0 wait
    for it (rank 0 may still be writing reports). A message: this rank failed; the first failure
    published wins and this rank's connections are closed, so that no rank waits in a collective for
    it. Ranks ≠ 0 acknowledge a failure, wait until rank 0 has printed it (so that a launcher does not
    stop rank 0 before it speaks) and say they are leaving; rank 0 prints once every rank has
    acknowledged and leaves last, as the host of the store (each wait bounded by END_WAIT_S). On a failure the other
    side may be blocked in a collective that only this rank's exit ends (gloo: destroying this rank's group does not
    always wake the peer): rank 0 waits ACK_WAIT_S for the acknowledgements, then prints and, if one is missing,
    leaves without waiting; a rank ≠ 0 waits 2·ACK_WAIT_S for rank 0 to print, then leaves, which frees rank 0."""
    if not active():
        if message is not None and is_main():
            say(message)
        return code
    store, me, world = _store(), dist.get_rank(), dist.get_world_size()
    try:
        if message is None and me != 0:
            while not store.check([END_KEY]):
                time.sleep(POLL_S)
        else:
            store.compare_set(END_KEY, "", f"{code}\n{message or ''}")
        head, _, text = store.get(END_KEY).decode("utf-8", "replace").partition("\n")
    except Exception:  # the store went with rank 0: keep this rank's own outcome
        if message is not None and me == 0:
            say(message)
        return code
    agreed_code, agreed = int(head), text or None
    if agreed is not None:
        dist.destroy_process_group()  # usually wakes a rank blocked in a collective with this one (see ACK_WAIT_S)
    others = range(1, world)
    try:
        if me == 0:
            acknowledged = agreed is None or _wait(store, [ACK_KEY.format(rank=r) for r in others], ACK_WAIT_S)
            if agreed is not None:
                say(agreed)
            store.set(REPORTED_KEY, "1")
            if acknowledged:
                _wait(store, [LEFT_KEY.format(rank=r) for r in others], END_WAIT_S)
        else:
            if agreed is not None:
                store.set(ACK_KEY.format(rank=me), "1")
            _wait(store, [REPORTED_KEY], END_WAIT_S if agreed is None else 2 * ACK_WAIT_S)
            store.set(LEFT_KEY.format(rank=me), "1")
    except Exception:  # the store went with rank 0, which has spoken
        pass
    return agreed_code
