"""A run on a stand-in for a GPU, on the CPU: finds tensors left on the CPU beside the device's.

    python scripts/lazy_device_run.py only="['preconditioning']" exact_max_d=0 [KEY=VALUE ...]

CI has no GPU, and PyTorch lets the meta device mix with the CPU. PyTorch's lazy-tensor backend
(`torch._lazy`, TorchScript backend; a private API) does not: its device `lazy` holds real values
(computed on the CPU) and raises "Input tensor is not a lazy tensor" when an operation gets a CPU tensor
beside a lazy one, and on `.numpy()`, as CUDA does. This runs `hessdiag.api.run` with the problem on
`lazy` (KEY=VALUE pairs are run settings, values as Python literals) and prints `OK` or the traceback's
end. With the two device bugs of the first GPU run put back, it failed at exactly their lines.

Limits (seen at torch 2.13): about 30–50 s for one section on the default problem; LTC itself crashes
or asserts inside torch.func's `jvp` for the mse, bce and token losses, the noise section and the full
default run, so those paths need a real GPU (`scripts/gpu_check.sh`). A split view also trips it: the
split below is replaced by `narrow`, which is the same tensor.
"""

from __future__ import annotations

import ast
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import hessdiag.load as load_package  # noqa: E402
from hessdiag import api  # noqa: E402
from hessdiag.load import build, make_settings  # noqa: E402
from hessdiag.operators import base  # noqa: E402


def _stand_in() -> None:
    """The `lazy` device for `--device lazy`, a step marker after each product (keeps LTC's graphs short),
    and `split` by `narrow` on lazy tensors."""
    import torch._lazy
    import torch._lazy.ts_backend

    torch._lazy.ts_backend.init()
    resolve = build.resolve_device

    def resolve_device(name):
        return torch.device("lazy") if str(name) == "lazy" else resolve(name)

    build.resolve_device = load_package.resolve_device = resolve_device
    matmat = base.CurvatureOperator.matmat

    def marked(self, matrix):
        out = matmat(self, matrix)
        torch._lazy.mark_step()
        return out

    base.CurvatureOperator.matmat = marked
    split = torch.Tensor.split

    def narrow_split(self, size, dim=0):
        if self.device.type != "lazy":
            return split(self, size, dim)
        n = self.shape[dim]
        sizes = [min(size, n - s) for s in range(0, n, size)] if isinstance(size, int) else list(size)
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return tuple(self.narrow(dim, s, k) for s, k in zip(starts, sizes))

    torch.Tensor.split = narrow_split


def main() -> None:
    settings = {"device": "lazy"}
    for pair in sys.argv[1:]:
        key, value = pair.split("=", 1)
        try:
            settings[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            settings[key] = value
    _stand_in()
    start = time.perf_counter()
    try:
        report = api.run(make_settings(None, quiet=True, **settings))
        print(f"OK {time.perf_counter() - start:.1f} s on {report.problem.device}")
    except Exception:  # noqa: BLE001 - the point is to show where it failed
        lines = traceback.format_exc().rstrip().splitlines()
        print(f"FAILED after {time.perf_counter() - start:.1f} s\n  " + "\n  ".join(lines[-16:]))
        sys.exit(1)


if __name__ == "__main__":
    main()
