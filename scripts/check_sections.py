"""Every report section alone, on every path, on one device: the GPU check that one failure cannot hide.

    python scripts/check_sections.py [--device cuda] [--dtype auto]

On the built-in default problem (d = 2410), in one process (the imports and the device start once):
each selectable section with `--only` on its dense paths (d ≤ --exact-max-d) and on its operator paths
(--exact-max-d 0), then every section together on the operator paths with the other Hessian-product,
per-sample and trace paths, and once under a time budget. Prints `ok` with the run's seconds, or
`FAILED` with the traceback's last lines, and exits 1 if any run failed. A full run stops at its
first failing section; this shows every one. (Written for `scripts/gpu_check.sh`: on a CPU every path
is already in the test suite.)
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hessdiag import api  # noqa: E402
from hessdiag.load import make_settings  # noqa: E402
from hessdiag.sections.registry import selectable  # noqa: E402

VARIANTS = {
    "products linearized, per-sample func, Hutchinson": dict(exact_max_d=0, hvp="linearized", per_sample="func",
                                                            trace_method="hutchinson"),
    "products fwd-rev, per-sample backpack": dict(exact_max_d=0, hvp="fwd-rev", per_sample="backpack"),
    "under --budget 20": dict(exact_max_d=0, budget=20.0),
}


def runs() -> list[tuple[str, dict]]:
    """(label, settings overrides) of every run, sections first."""
    out = []
    for name in selectable():
        out.append((f"--only {name}", dict(only=[name])))
        out.append((f"--only {name} --exact-max-d 0", dict(only=[name], exact_max_d=0)))
    return out + list(VARIANTS.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="auto")
    args = parser.parse_args()
    failed = []
    for label, overrides in runs():
        start = time.perf_counter()
        try:
            report = api.run(make_settings(None, quiet=True, device=args.device, dtype=args.dtype, **overrides))
            call = report.to_dict().get("recommendation", {}).get("call", "-")
            print(f"ok      {time.perf_counter() - start:6.1f} s  {label}  (call: {call})", flush=True)
        except Exception:  # noqa: BLE001 - every failure is reported, and the next run goes on
            failed.append(label)
            lines = traceback.format_exc().rstrip().splitlines()
            seconds = time.perf_counter() - start
            print(f"FAILED  {seconds:6.1f} s  {label}\n    " + "\n    ".join(lines[-14:]), flush=True)
    print(f"{len(failed)} of {len(runs())} runs failed" + (f": {'; '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
