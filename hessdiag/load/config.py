"""Run settings: defaults, a TOML config file (stdlib `tomllib`), and flags that override it.

A config holds the same settings as the command line (SPEC §8), as top-level keys with the flags'
names in snake_case (`batch_size`, `top_k`, `png_dir`, ...). Relative paths in a config are taken
relative to the config file's directory, which is also importable for `module:factory` specs.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, first_line
from .files import check_input_file
from .losses import DEFAULT_IGNORE_INDEX

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_PATH_KEYS = ("checkpoint", "json", "html", "png_dir")


@dataclass(frozen=True)
class Settings:
    """Every knob of a run; the report's `settings` records all of them."""

    model: str | None = None
    checkpoint: str | None = None
    data: str | None = None
    loss: str | None = None
    ignore_index: int = DEFAULT_IGNORE_INDEX  # label of the tokens the token losses leave out
    output: str | None = None  # key (or tuple index) of the model's output tensor; None: logits or the only one
    hf_task: str | None = None  # with --model hf:DIR: which AutoModelFor… to build
    samples: int | None = None
    batch_size: int | None = None
    seed: int = 0
    dtype: str = "auto"
    device: str = "auto"
    top_k: int = 5
    tol: float = 1e-4
    max_matvecs: int = 300
    hvp: str = "auto"
    trace_method: str = "hutch++"
    trace_rtol: float = 1e-2
    trace_matvecs: int = 300
    slq_probes: int = 8
    slq_steps: int = 64
    exact_max_d: int = 4096
    per_sample: str = "auto"
    lr: float | None = None
    damping: float | None = None
    race_steps: int | None = None
    budget: float | None = None  # seconds the whole run may take (the cost plan fits itself to it)
    memory: float | None = None  # GB (10⁹ bytes) the run may hold; None: a share of the device's (`work.memory`)
    only: tuple[str, ...] | None = None  # sections to compute (None: all); names checked by `hessdiag.sections`
    json: str | None = None
    html: str | None = None
    png_dir: str | None = None
    fail_if: tuple[str, ...] = ()
    trust_pickle: bool = False
    quiet: bool = False
    dist_backend: str = "auto"  # under torchrun: auto (NCCL on CUDA, gloo on CPU), gloo or nccl
    allow_tf32: bool = False  # on CUDA: TF32 matrix products (off: curvature products in full float32)
    config: str | None = None
    search_paths: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.top_k < 1:
            raise ConfigError(f"{_named('top_k')} must be at least 1; got {self.top_k}")
        if not 0 < self.tol < 1:
            raise ConfigError(f"{_named('tol')} must lie in (0, 1); got {self.tol}")
        if self.max_matvecs < 2:
            raise ConfigError(f"{_named('max_matvecs')} must be at least 2; got {self.max_matvecs}")
        if self.hvp not in ("auto", "retained", "fwd-rev", "linearized"):
            raise ConfigError(f"{_named('hvp')} must be auto, retained, fwd-rev or linearized; got '{self.hvp}'")
        if self.trace_method not in ("hutch++", "hutchinson"):
            raise ConfigError(f"{_named('trace_method')} must be hutch++ or hutchinson; got '{self.trace_method}'")
        if not 0 <= self.trace_rtol < 1:
            raise ConfigError(f"{_named('trace_rtol')} must lie in [0, 1); got {self.trace_rtol}")
        if self.trace_matvecs < 4:
            raise ConfigError(f"{_named('trace_matvecs')} must be at least 4; got {self.trace_matvecs}")
        if self.slq_probes < 2:
            raise ConfigError(f"{_named('slq_probes')} must be at least 2 (a standard error needs two); "
                              f"got {self.slq_probes}")
        if self.slq_steps < 1:
            raise ConfigError(f"{_named('slq_steps')} must be at least 1; got {self.slq_steps}")
        if self.exact_max_d < 0:
            raise ConfigError(f"{_named('exact_max_d')} must be at least 0; got {self.exact_max_d}")
        if self.per_sample not in ("auto", "backpack", "func"):
            raise ConfigError(f"{_named('per_sample')} must be auto, backpack or func; got '{self.per_sample}'")
        if self.lr is not None and not 0 < self.lr < math.inf:
            raise ConfigError(f"{_named('lr')} must be positive and finite; got {self.lr}")
        if self.damping is not None and not 0 < self.damping < math.inf:
            raise ConfigError(f"{_named('damping')} must be positive and finite; got {self.damping}")
        if not 0 <= self.seed < 2**63:
            raise ConfigError(f"{_named('seed')} must lie in [0, 2^63); got {self.seed}")
        if self.race_steps is not None and self.race_steps < 0:
            raise ConfigError(f"{_named('race_steps')} must be at least 0; got {self.race_steps}")
        if self.dist_backend not in ("auto", "gloo", "nccl"):
            raise ConfigError(f"{_named('dist_backend')} must be auto, gloo or nccl; got '{self.dist_backend}'")
        if self.budget is not None and not 0 < self.budget < math.inf:
            raise ConfigError(f"{_named('budget')} must be a positive, finite number of seconds; got {self.budget}")
        if self.memory is not None and not 0 < self.memory < math.inf:
            raise ConfigError(f"{_named('memory')} must be a positive, finite number of GB; got {self.memory}")

    def recorded(self) -> dict[str, Any]:
        """The settings as the report records them (no internal fields)."""
        data = dataclasses.asdict(self)
        data.pop("search_paths")
        data["only"] = None if self.only is None else list(self.only)
        data["fail_if"] = list(self.fail_if)
        return data


def _named(key: str) -> str:
    """A setting as an error names it: its flag and its config key, `--top-k / top_k` (either may have set it)."""
    return f"--{key.replace('_', '-')} / {key}"


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name not in ("config", "search_paths")}
_TYPES: dict[str, tuple[type, ...]] = {
    "samples": (int,), "batch_size": (int,), "seed": (int,), "top_k": (int,), "max_matvecs": (int,),
    "race_steps": (int,), "ignore_index": (int,), "budget": (float, int), "trace_matvecs": (int,),
    "slq_probes": (int,), "slq_steps": (int,), "memory": (float, int),
    "exact_max_d": (int,), "trace_rtol": (float, int), "tol": (float, int), "lr": (float, int), "damping": (float, int),
    "trust_pickle": (bool,), "quiet": (bool,), "allow_tf32": (bool,), "only": (list, str), "fail_if": (list, str),
}


def _coerce(key: str, value: Any, source: str) -> Any:
    want = _TYPES.get(key, (str,))
    if isinstance(value, bool) and bool not in want:
        raise ConfigError(f"{source}: setting '{key}' must be {want[0].__name__}, not a boolean")
    if not isinstance(value, want):
        raise ConfigError(f"{source}: setting '{key}' must be {want[0].__name__}; got {value!r}")
    if key in ("only", "fail_if"):
        items = value.split(",") if (key == "only" and isinstance(value, str)) else value
        items = [items] if isinstance(items, str) else items
        kept = tuple(str(i).strip() for i in items if str(i).strip())
        if key == "only" and not kept:
            raise ConfigError(f"{source}: 'only' names no section")
        return kept
    if key in ("tol", "lr", "damping", "trace_rtol", "budget", "memory"):
        return float(value)
    return value


def read_config(path: Path) -> dict[str, Any]:
    """The settings in a TOML file, with relative paths resolved against the file's directory."""
    path = Path(path)
    check_input_file(path, "config file", ConfigError)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file '{path}' is not valid TOML: {first_line(exc)}") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read config file '{path}': {first_line(exc)}") from None
    table = raw
    if isinstance(raw.get("run"), dict):  # the settings may sit in a [run] table, but not in both places
        table = raw["run"]
        stray = [key for key in raw if key != "run"]
        if stray:
            raise ConfigError(f"config file '{path}': setting(s) {', '.join(stray)} outside the [run] table "
                              "would be ignored; put every setting inside [run] or none")
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"config file '{path}': unknown setting '{key}'")
        values[name] = _coerce(name, value, f"config file '{path}'")
    base = path.resolve().parent
    for key in _PATH_KEYS:
        if values.get(key) is not None:
            values[key] = str(base / values[key]) if not Path(values[key]).is_absolute() else values[key]
    for key in ("model", "data"):
        spec = values.get(key)
        if spec is not None and spec.startswith("hf:") and (base / spec[3:]).exists():
            values[key] = f"hf:{base / spec[3:]}"
        elif spec is not None and not spec.startswith("sklearn:") and (base / spec).exists():
            values[key] = str(base / spec)
    return values


def make_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the config file, then every override that is not None (flags win)."""
    values: dict[str, Any] = {}
    search = [Path.cwd()]
    if config is not None:
        values.update(read_config(Path(config)))
        search.append(Path(config).resolve().parent)
        values["config"] = str(config)
    for key, value in overrides.items():
        if key not in _FIELDS:
            raise ConfigError(f"unknown setting '{key}'")
        if value is not None and value != () and value != []:
            value = _coerce(key, value, "command line")
            if key == "fail_if":  # conditions accumulate: a flag adds to the config's CI guards
                value = tuple(dict.fromkeys(values.get("fail_if", ()) + value))
            values[key] = value
    values["search_paths"] = tuple(str(p) for p in search)
    return Settings(**values)
