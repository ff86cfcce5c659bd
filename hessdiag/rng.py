"""Seeded random streams: every random draw in hessdiag takes a generator made here.

`generator(seed, stream)` gives an independent, reproducible `torch.Generator` for one purpose
(the data subset, a Lanczos start vector, trace probes, ...), so that adding draws to one estimator
never shifts the random numbers of another; `numpy_generator(seed, stream)` is the same for NumPy
draws (column samples, bootstrap resamples, sign-ascent restarts). Nothing touches a global RNG.
"""

from __future__ import annotations

import zlib

import numpy as np
import torch


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit seed for `stream`, a fixed function of the run's seed and the stream's name."""
    return (int(seed) * 0x9E3779B97F4A7C15 + zlib.crc32(stream.encode())) % (2**63 - 1)


def generator(seed: int, stream: str) -> torch.Generator:
    """A CPU generator for `stream` (draws are made on the CPU and moved, so devices agree)."""
    return torch.Generator().manual_seed(stream_seed(seed, stream))


def numpy_generator(seed: int, stream: str) -> np.random.Generator:
    """A NumPy generator for `stream`, seeded like `generator(seed, stream)`."""
    return np.random.default_rng(stream_seed(seed, stream))
