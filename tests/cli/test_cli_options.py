"""`cli_options.settings_keywords`: `run`'s options become `make_settings` keywords; an option the user did
not give reaches the settings as None, so that a config's value stands (flags and --fail-if included)."""

from __future__ import annotations

import inspect

import pytest

from hessdiag.cli import run
from hessdiag.cli_options import settings_keywords
from hessdiag.load import make_settings


def _defaults() -> dict:
    return {name: p.default for name, p in inspect.signature(run).parameters.items() if name != "config"}


def test_every_run_option_is_a_settings_keyword():
    keywords = settings_keywords(_defaults())
    assert "json" in keywords and "json_path" not in keywords
    make_settings(None, **keywords)  # every keyword is a setting (an unknown one raises)


@pytest.mark.parametrize("given, expected", [
    ({}, {"quiet": None, "trust_pickle": None, "allow_tf32": None, "fail_if": None, "json": None}),
    ({"quiet": True, "fail_if": ["trace > 1"], "json_path": "r.json"},
     {"quiet": True, "fail_if": ["trace > 1"], "json": "r.json"}),
    ({"fail_if": [], "top_k": 3}, {"fail_if": None, "top_k": 3}),
])
def test_options_not_given_are_unset(given, expected):
    keywords = settings_keywords(_defaults() | given)
    assert {name: keywords[name] for name in expected} == expected


def test_a_config_value_stands_when_its_flag_is_not_given(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text("quiet = true\ntop_k = 3\n")
    settings = make_settings(config, **settings_keywords(_defaults()))
    assert settings.quiet is True and settings.top_k == 3
