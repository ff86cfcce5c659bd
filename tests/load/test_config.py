"""Settings validation: a bad value names both ways it may have been given, the flag and the config key,
and the flag is one `hessdiag run` accepts."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hessdiag.cli import app
from hessdiag.errors import ConfigError
from hessdiag.load import make_settings

HELP = CliRunner().invoke(app, ["run", "--help"], terminal_width=200).output


@pytest.mark.parametrize("key, value, says", [
    ("top_k", 0, "must be at least 1; got 0"), ("tol", -1.0, "must lie in (0, 1)"),
    ("max_matvecs", 1, "must be at least 2"), ("hvp", "nope", "must be auto, retained"),
    ("trace_method", "x", "must be hutch++ or hutchinson"), ("trace_rtol", 1.0, "must lie in [0, 1)"),
    ("trace_matvecs", 3, "must be at least 4"), ("slq_probes", 1, "a standard error needs two"),
    ("slq_steps", 0, "must be at least 1"), ("exact_max_d", -1, "must be at least 0"),
    ("per_sample", "x", "must be auto, backpack or func"), ("lr", 0.0, "positive and finite"),
    ("damping", float("inf"), "positive and finite"), ("seed", -1, "must lie in [0, 2^63)"),
    ("race_steps", -1, "must be at least 0"), ("dist_backend", "mpi", "must be auto, gloo or nccl"),
    ("budget", 0.0, "number of seconds"), ("memory", -2.0, "number of GB"),
])
def test_a_bad_setting_names_its_flag_and_its_config_key(key, value, says):
    flag = "--" + key.replace("_", "-")
    with pytest.raises(ConfigError) as caught:
        make_settings(**{key: value})
    message = str(caught.value)
    assert message.startswith(f"{flag} / {key} ") and says in message
    assert flag in HELP
