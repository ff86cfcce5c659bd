"""The cache key of `hessdiag track`: what changes a number changes the key; where to write does not."""

from __future__ import annotations

import dataclasses

import torch

from hessdiag.load import make_settings
from hessdiag.track.cache import TrackCache, cache_key
from hessdiag.track.run import default_cache_dir
from hessdiag.track.timeline import Measured, TrackPoint


def test_key_follows_numbers_not_output_paths(tmp_path):
    data = tmp_path / "data.pt"
    torch.save({"x": torch.zeros(3, 2), "y": torch.zeros(3)}, data)
    base = make_settings(model="m:f", data=str(data), loss="mse")
    key = cache_key("a" * 64, base, warm_start=True, version="1")
    same = [dataclasses.replace(base, json="x.json", html="x.html", png_dir="figs", quiet=True, checkpoint="c.pt",
                                fail_if=("eigenvalues.top[0].value > 1",))]
    assert all(cache_key("a" * 64, s, warm_start=True, version="1") == key for s in same)
    changed = [cache_key("b" * 64, base, warm_start=True, version="1"),
               cache_key("a" * 64, dataclasses.replace(base, top_k=2), warm_start=True, version="1"),
               cache_key("a" * 64, dataclasses.replace(base, lr=0.1), warm_start=True, version="1"),
               cache_key("a" * 64, base, warm_start=False, version="1"),
               cache_key("a" * 64, base, warm_start=True, version="2")]
    assert key not in changed and len(set(changed)) == len(changed)
    torch.save({"x": torch.ones(3, 2), "y": torch.zeros(3)}, data)  # same path, new bytes
    assert cache_key("a" * 64, base, warm_start=True, version="1") != key


def test_entry_round_trip_and_damage(tmp_path):
    point = TrackPoint(step=3, checkpoint="c.pt", sha256="a" * 64, step_source="name", loss=0.5,
                       lambda_max=Measured(2.0, 1e-6), lambda_min=Measured(-0.1, 1e-7), trace=None, L2=None,
                       Linf=(1.0, 2.0), improvement_ratio=None, eta2=Measured(3.0), eta2_ci=(2.0, None), m_star=6.0,
                       call="sign", lanczos_matvecs=20, warm_start=True, lr=0.1)
    cache = TrackCache(tmp_path / "cache")
    assert cache.get("k") is None
    cache.put("k", point, {"report": 1}, {"largest": torch.eye(2, 5, dtype=torch.float64)})
    entry = cache.get("k")
    assert entry.point == point and entry.report == {"report": 1}
    assert torch.equal(entry.ritz["largest"], torch.eye(2, 5, dtype=torch.float64))
    (tmp_path / "cache" / "k.json").write_text("{ truncated")
    assert cache.get("k") is None  # diagnosed again, never trusted half-written
    assert default_cache_dir(str(tmp_path / "cache"), None) == tmp_path / "cache" / ".hessdiag-track-cache"
