"""The benchmark's JSON caches: an atomic write that, when it fails, leaves the old file and no temporary one."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from recommendation_bench import cache  # noqa: E402


@pytest.mark.parametrize("compact", [True, False])
def test_save_round_trips_with_keys_sorted(tmp_path, compact):
    path = tmp_path / "doc.json"
    cache.save({"b": [1.5, None], "a": {"c": 2}}, path, compact=compact)
    text = path.read_text()
    assert json.loads(text) == {"a": {"c": 2}, "b": [1.5, None]} and text.index('"a"') < text.index('"b"')
    assert (text.count("\n") == 1) is compact and [p.name for p in tmp_path.iterdir()] == ["doc.json"]


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_a_strict_write_of_a_non_finite_number_fails_and_leaves_the_old_file(tmp_path, bad):
    path = tmp_path / "doc.json"
    path.write_text('{"old": 1}\n')
    with pytest.raises(ValueError, match="not JSON compliant"):
        cache.save({"x": [0.0, bad]}, path, compact=False)
    assert path.read_text() == '{"old": 1}\n' and [p.name for p in tmp_path.iterdir()] == ["doc.json"]
